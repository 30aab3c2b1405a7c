import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, { types?: string; import?: string } | string>;
  engines: { node: string };
  type: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('package', () => {
  it('is ESM for Node >= 20 with the five entry points of the contract and the browser build', () => {
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.engines.node, '>=20');
    assert.deepEqual(Object.keys(pkg.exports).filter((k) => k !== './package.json'), ['.', './browser', './stanzas', './transport', './qr', './signal-server']);
    assert.match(pkg.devDependencies.typescript ?? '', /^~5\.9\./);
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@mongodb-js/saslprep', 'events', 'ltx', 'qrcode', 'ws']);
  });

  it('the built entry points that have code import by package name, with their types', async () => {
    for (const entry of ['.', './stanzas'] as const) {
      const target = pkg.exports[entry];
      const paths = target as Record<string, string>;
      assert.ok(typeof target === 'object' && (paths.import ?? paths.default) && target.types);
      assert.ok(existsSync(fileURLToPath(new URL(target.types, root))), `${target.types} missing: run npm run build`);
    }
    // Through variables, so that the type check does not need dist/ to exist yet.
    const [mainEntry, stanzasEntry] = ['xmpp-profile', 'xmpp-profile/stanzas'];
    const main = (await import(mainEntry)) as Record<string, unknown>;
    assert.equal(typeof main.XmppError, 'function');
    assert.equal(typeof main.StanzaParseError, 'function');
    assert.equal(typeof main.createSDK, 'function');
    assert.equal(typeof main.SdkError, 'function');
    const sdk = main.SDK as Record<string, unknown>;
    for (const method of ['initializeSDK', 'register', 'connect', 'logout', 'getFriendsList', 'getUserProfile', 'setUserProfile', 'getLastSeen',
      'blockUser', 'unblockUser', 'getUsersIBlocked', 'getUsersWhoBlockedMe', 'getCurrentUserJid', 'getUserToken', 'setUserToken',
      'generateQrCode', 'approveQrLogin']) {
      assert.equal(typeof sdk[method], 'function', `SDK lacks ${method} (API.md §3)`);
    }
    const stanzas = (await import(stanzasEntry)) as Record<string, unknown>;
    for (const name of ['parseXml', 'serialize', 'parseJid', 'buildVCardGet', 'buildVCardSet', 'parseVCard', 'buildRosterGet', 'parseRoster',
      'buildBlocklistGet', 'buildBlock', 'buildUnblock', 'parseBlocklist', 'buildPrivacyList', 'parsePrivacyLists',
      'buildLastActivityGet', 'parseLastActivity']) {
      assert.equal(typeof stanzas[name], 'function', `xmpp-profile/stanzas lacks ${name} (API.md §1)`);
    }
  });

  it('the QR helpers and the signal relay import by package name, and the relay CLI relays on the port asked for', async () => {
    const qrEntry = 'xmpp-profile/qr';
    const qr = (await import(qrEntry)) as Record<string, unknown>;
    for (const name of ['buildQrPayload', 'parseQrPayload', 'sealCredentials', 'openCredentials', 'createQrKeyPair']) {
      assert.equal(typeof qr[name], 'function', `xmpp-profile/qr lacks ${name}`);
    }
    const entry = 'xmpp-profile/signal-server';
    const relay = (await import(entry)) as Record<string, unknown>;
    assert.equal(typeof relay.createSignalServer, 'function');
    const bin = (pkg as unknown as { bin: Record<string, string> }).bin['xmpp-profile-signal'];
    assert.ok(bin && existsSync(fileURLToPath(new URL(bin, root))), `${bin} missing: run npm run build`);
    const cli = spawn(process.execPath, [fileURLToPath(new URL(bin, root)), '--port', '0', '--host', '127.0.0.1']);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        cli.stdout.once('data', (data: Buffer) => resolve(String(data)));
        cli.once('exit', (code) => reject(new Error(`the CLI exited with ${code}`)));
      });
      assert.match(line, /relaying on ws:\/\/127\.0\.0\.1:\d+/);
    } finally {
      cli.kill('SIGTERM');
    }
    const bad = spawnSync(process.execPath, [fileURLToPath(new URL(bin, root)), '--port', 'nope']);
    assert.equal(bad.status, 2);
    assert.match(String(bad.stderr), /--port/);
  });

  it('the transport entry point imports by package name; in Node it registers ws as the default WebSocket', async () => {
    const target = pkg.exports['./transport'];
    assert.ok(typeof target === 'object' && target.types && (target as Record<string, string>).node && (target as Record<string, string>).default);
    const entry = 'xmpp-profile/transport';
    const transport = (await import(entry)) as Record<string, unknown>;
    for (const name of ['Session', 'createWebSocketTransport', 'createBoshTransport', 'IqCaller', 'selectMechanism', 'createScramKeyCache']) {
      assert.equal(typeof transport[name], 'function', `xmpp-profile/transport lacks ${name}`);
    }
    const create = transport.createWebSocketTransport as (options: { url: string }) => { kind: string };
    assert.equal(create({ url: 'ws://127.0.0.1:1/xmpp-websocket' }).kind, 'websocket', 'no default WebSocket in Node');
  });

  it('no codec imports from transport, profile, Node built-ins or anything but ltx', () => {
    const dir = new URL('lib/stanzas/', root);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      for (const [, from] of source.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        assert.ok(/^\.\/[a-z0-9-]+\.js$|^\.\.\/errors\.js$|^ltx(\/src\/parsers\/ltx\.js)?$/.test(from ?? ''), `${file} imports ${from}`);
      }
      assert.doesNotMatch(source, /\b(fetch\(|setTimeout\(|setInterval\(|Date\.now\(|new Date\b|Math\.random\(|getRandomValues\(|process\.\w|console\.\w)/, `${file} does I/O, reads the clock or randomness`);
    }
  });
});
