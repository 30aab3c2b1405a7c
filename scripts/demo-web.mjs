// `npm run demo:web`: the browser demo. Starts a local Prosody (ports shifted by
// XMPP_PROFILE_PORT_OFFSET, default 700 as for `npm run demo`), a QR signal relay, two demo users who
// are friends (Alice, the "phone", and Bob, with a profile and picture), and an HTTP server for the
// page in demo/web and the browser build in dist/browser. Open the printed URL, then approve the QR
// code as the phone with `npm run demo:phone` in a second terminal. Ctrl-C stops everything.
//
// Options: --port N (the page's port; default 8080 + the offset).
// `startDemoWeb` is also used by the browser specs, with their own server and relay.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PAGES = path.join(root, 'demo', 'web');
const BROWSER_BUILD = path.join(root, 'dist', 'browser');
const TYPES = { '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.map': 'application/json', '.png': 'image/png' };

/** The demo's two users (loopback only; printed, since this is a demo). */
export const DEMO_USERS = {
  phone: { username: 'alice', password: 'alice-demo-password', name: 'Alice', status: 'On my phone' },
  friend: { username: 'bob', password: 'bob-demo-password', name: 'Bob', status: 'Hello from Bob' },
};

/** A PNG of 2x2 pixels, Bob's picture. */
const PICTURE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

/**
 * Serves the demo page for a running server and relay.
 * @param {{ server: import('./servers.mjs').ServerHandle, relayUrl: string, port?: number, host?: string, users?: typeof DEMO_USERS }} options
 * @returns {Promise<{ url: string, port: number, currentPayload: () => string, close: () => Promise<void> }>}
 */
export async function startDemoWeb({ server, relayUrl, port = 0, host = '127.0.0.1', users = DEMO_USERS }) {
  let payload = '';
  const config = {
    websocketUrl: server.websocketUrl,
    boshUrl: server.boshUrl,
    domain: server.domain,
    apiBaseUrl: server.httpBase.replace(/\/$/, ''),
    relayUrl,
    phone: { username: users.phone.username, password: users.phone.password },
  };
  const httpServer = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://demo');
    if (url.pathname === '/demo.json') return send(response, 200, '.json', JSON.stringify(config));
    if (url.pathname === '/qr' && request.method === 'POST') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => {
        body += chunk;
        if (body.length > 4096) request.destroy();
      });
      request.on('end', () => {
        payload = body;
        send(response, 204, '.txt', '');
      });
      return undefined;
    }
    if (url.pathname === '/qr') return payload ? send(response, 200, '.txt', payload) : send(response, 404, '.txt', 'no QR code shown yet');
    const [base, file] = url.pathname.startsWith('/browser/')
      ? [BROWSER_BUILD, url.pathname.slice('/browser/'.length)]
      : [PAGES, url.pathname === '/' ? 'index.html' : url.pathname.slice(1)];
    const full = path.resolve(base, decodeURIComponent(file));
    if (!full.startsWith(base + path.sep) || !fs.existsSync(full) || !fs.statSync(full).isFile()) return send(response, 404, '.txt', 'not found');
    return send(response, 200, path.extname(full), fs.readFileSync(full));
  });
  await new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve(undefined));
  });
  const bound = /** @type {import('node:net').AddressInfo} */ (httpServer.address()).port;
  return {
    url: `http://${host}:${bound}/`,
    port: bound,
    currentPayload: () => payload,
    close: () => new Promise((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve(undefined));
    }),
  };
}

function send(response, status, extension, body) {
  response.writeHead(status, { 'content-type': TYPES[extension] ?? 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(body);
}

/**
 * Makes the demo users on a fresh server: Alice and Bob, friends, each with a profile (Bob's with a
 * picture uploaded over XEP-0363).
 * @param {import('./servers.mjs').ServerHandle} server
 * @param {typeof DEMO_USERS} [demoUsers]
 */
export async function prepareDemoUsers(server, demoUsers = DEMO_USERS) {
  const { registerUser } = await import('./servers.mjs');
  const { createSDK } = await import('../dist/node.js');
  const users = [demoUsers.phone, demoUsers.friend];
  const sdks = [];
  for (const user of users) {
    await registerUser(server, user.username, user.password);
    const sdk = createSDK();
    await sdk.initializeSDK({ service: server.websocketUrl, domain: server.domain });
    await sdk.connect(user.username, user.password);
    sdks.push(sdk);
  }
  const [alice, bob] = sdks;
  const { phone, friend } = demoUsers;
  await alice.addFriend(`${friend.username}@${server.domain}`, friend.name);
  await bob.addFriend(`${phone.username}@${server.domain}`, phone.name);
  await alice.setUserProfile(phone.name, '', phone.status);
  const stored = await bob.setUserProfile(friend.name, new Uint8Array(PICTURE), friend.status);
  if (stored.statusCode !== 200) throw new Error(`Bob's profile: ${stored.statusCode} ${stored.message}`);
  // Wait until both sides see the friendship, then leave.
  for (let i = 0; ; i++) {
    const lists = await Promise.all(sdks.map((sdk) => sdk.getFriendsList()));
    if (lists.every((list) => list.data?.some((user) => user.isFriend))) break;
    if (i === 100) throw new Error('the demo users did not become friends in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.all(sdks.map((sdk) => sdk.logout()));
}

async function main() {
  process.env.XMPP_PROFILE_PORT_OFFSET ??= '700';
  const offset = Number(process.env.XMPP_PROFILE_PORT_OFFSET);
  const portFlag = process.argv.indexOf('--port');
  const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 8080 + offset;
  if (!fs.existsSync(path.join(BROWSER_BUILD, 'xmpp-profile.js'))) throw new Error('no browser build: run "npm run build" first');
  const { startServer, stopAllServers } = await import('./servers.mjs');
  const { createSignalServer } = await import('../dist/signal-server/index.js');
  const server = await startServer('prosody');
  const relay = await createSignalServer({ host: '127.0.0.1', port: 9080 + offset });
  let web;
  const stop = async () => {
    await web?.close();
    await relay.close();
    await stopAllServers();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await prepareDemoUsers(server);
  web = await startDemoWeb({ server, relayUrl: relay.url, port });
  const out = (text) => process.stdout.write(`${text}\n`);
  out('');
  out(`  xmpp-profile web demo (Prosody ${server.websocketUrl}, relay ${relay.url})`);
  out('');
  out(`  1. open ${web.url}            (BOSH: ${web.url}?transport=bosh)`);
  out('  2. in a second terminal:  npm run demo:phone');
  out(`     (logs in as ${DEMO_USERS.phone.username}@${server.domain} and approves the QR code the page shows)`);
  out('');
  out('  Ctrl-C stops the demo.');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
