// Integration: QR login through the SDK in Node (API.md §3, §6) against real Prosody and a real relay:
// a logged-in "phone" approves the code a waiting instance shows, the waiting instance ends logged in
// as the same user; renewal before expiry; tampered, expired, replayed and stale codes give 400s
// naming QR_PAYLOAD; bad arguments give 400s naming theirs; the terminal rendering is the code.

import { strict as assert } from 'node:assert';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import type { QrCodeShown } from '../../lib/profile/qr-code.js';
import type { QrLoginAnswer } from '../../lib/profile/sdk.js';
import { parseQrPayload, qrMatrix, QUIET_ZONE } from '../../lib/qr/index.js';
import { createSignalServer, type SignalServer } from '../../lib/signal-server/index.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';

describe('QR login through the SDK (Node, Prosody over WebSocket)', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let relay: SignalServer;
  const sdks: ProfileSDK[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
    relay = await createSignalServer();
  });

  after(async () => {
    await relay.close();
  });

  afterEach(async () => {
    await Promise.all(sdks.splice(0).map((sdk) => sdk.logout()));
  });

  async function instance(): Promise<ProfileSDK> {
    const sdk = createSDK();
    sdks.push(sdk);
    const init = await sdk.initializeSDK({
      service: server.websocketUrl,
      domain: server.domain,
      apiBaseUrl: server.httpBase.replace(/\/$/, ''),
      requestTimeoutMs: 5000,
    });
    assert.equal(init.statusCode, 200);
    return sdk;
  }

  /** A logged-in phone with a new account. */
  async function phone(): Promise<{ sdk: ProfileSDK; username: string; password: string }> {
    const sdk = await instance();
    const registered = await sdk.register(freshName('qr'), true);
    assert.equal(registered.statusCode, 200, registered.message);
    return { sdk, username: registered.data!.username, password: registered.data!.password };
  }

  /** A waiting instance showing a code; its callback's answers are recorded. */
  async function waiting(url = relay.url): Promise<{ sdk: ProfileSDK; payload: string; terminal: string; answers: QrLoginAnswer[]; codes: QrCodeShown[] }> {
    const sdk = await instance();
    const answers: QrLoginAnswer[] = [];
    const codes: QrCodeShown[] = [];
    const shown = await sdk.generateQrCode(null, null, url, (answer) => answers.push(answer), { onQrCode: (code) => codes.push(code) });
    assert.equal(shown.statusCode, 200, shown.message);
    assert.equal(shown.message, 'QR Code generated');
    assert.ok(shown.payload && shown.terminal);
    return { sdk, payload: shown.payload, terminal: shown.terminal, answers, codes };
  }

  it('logs the waiting instance in as the approving user, and the relay forgets the session', async () => {
    const { sdk: approver, username, password } = await phone();
    const browser = await waiting();
    const payload = parseQrPayload(browser.payload, Date.now());
    assert.equal(payload.relay, relay.url);
    assert.equal(relay.pendingSessions, 1);

    assert.deepEqual(await approver.approveQrLogin(browser.payload), { statusCode: 200, message: 'Success' });
    await until(() => browser.answers.length > 0, 10_000, 'the QR callback');
    assert.deepEqual(browser.answers, [{ statusCode: 200, message: 'Login Success', username, password }]);
    assert.equal(browser.sdk.getCurrentUserJid().userJid, `${username}@${server.domain}`);
    const friends = await browser.sdk.getFriendsList();
    assert.deepEqual([friends.statusCode, friends.data], [200, []], 'the QR-logged-in session talks to the server');
    assert.equal(relay.pendingSessions, 0);

    // The same code again: the relay has no such session any more.
    const replay = await approver.approveQrLogin(browser.payload);
    assert.equal(replay.statusCode, 400);
    assert.match(replay.message, /QR_PAYLOAD.*(used|expired)/);
  });

  it('renders the code for a terminal, module for module', async () => {
    const browser = await waiting();
    const matrix = await qrMatrix(browser.payload);
    const lines = browser.terminal.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((line) => line !== '');
    const size = matrix.size + 2 * QUIET_ZONE;
    assert.equal(lines.length, Math.ceil(size / 2));
    const dark = (row: number, column: number): boolean => {
      const char = [...lines[Math.floor(row / 2)]!][column]!;
      return char === '█' || (row % 2 === 0 ? char === '▀' : char === '▄');
    };
    for (let row = 0; row < size; row++) {
      for (let column = 0; column < size; column++) {
        const inside = row >= QUIET_ZONE && column >= QUIET_ZONE && row < size - QUIET_ZONE && column < size - QUIET_ZONE;
        assert.equal(dark(row, column), inside && matrix.dark(row - QUIET_ZONE, column - QUIET_ZONE), `module ${row},${column}`);
      }
    }
  });

  it('refuses tampered, expired, malformed and foreign codes with 400 naming QR_PAYLOAD; nothing reaches the browser', async () => {
    const { sdk: approver } = await phone();
    const browser = await waiting();
    const value = JSON.parse(browser.payload) as Record<string, unknown>;
    const tampered = [
      JSON.stringify({ ...value, k: `${String(value.k).slice(0, -2)}AA` }), // not a point of P-256 any more
      JSON.stringify({ ...value, s: 'short' }),
      JSON.stringify({ ...value, u: 'http://evil.example/' }),
      JSON.stringify({ ...value, e: Date.now() - 1 }),
      JSON.stringify({ ...value, t: 'other' }),
      'not json',
      '',
    ];
    for (const text of tampered) {
      const answer = await approver.approveQrLogin(text);
      assert.equal(answer.statusCode, 400, `${text}: ${answer.message}`);
      assert.match(answer.message, /QR_PAYLOAD/);
    }
    // A well-formed code for a session the relay never made.
    const foreign = JSON.stringify({ ...value, s: 'A'.repeat(22) });
    const answer = await approver.approveQrLogin(foreign);
    assert.equal(answer.statusCode, 400);
    assert.match(answer.message, /QR_PAYLOAD/);
    assert.deepEqual(browser.answers, []);
    assert.equal(relay.pendingSessions, 1, 'the real session still waits');
    assert.equal(browser.sdk.getCurrentUserJid().statusCode, 500);
  });

  it('replaces the code before the relay expires it; the new one logs in, the replaced one is refused', async () => {
    const shortRelay = await createSignalServer({ sessionTtlMs: 1200 });
    try {
      const { sdk: approver, username } = await phone();
      const browser = await waiting(shortRelay.url);
      await until(() => browser.codes.length >= 2, 5000, 'a renewed code');
      const [first, second] = browser.codes;
      assert.notEqual(first!.payload, second!.payload);
      const [a, b] = [parseQrPayload(first!.payload, 0), parseQrPayload(second!.payload, 0)];
      assert.notEqual(a.session, b.session);
      assert.notEqual(a.key, b.key, 'a fresh key with each code');
      const stale = await approver.approveQrLogin(first!.payload);
      assert.equal(stale.statusCode, 400, stale.message);
      const latest = browser.codes.at(-1)!.payload;
      assert.equal((await approver.approveQrLogin(latest)).statusCode, 200);
      await until(() => browser.answers.length > 0, 10_000, 'the QR callback');
      assert.equal(browser.answers[0]!.statusCode, 200);
      assert.equal(browser.answers[0]!.username, username);
      const renewals = browser.codes.length;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(browser.codes.length, renewals, 'no renewals after the login');
    } finally {
      await shortRelay.close();
    }
  });

  it('tells the callback 500 when the relay goes away while a code is shown, and stops', async () => {
    const gone = await createSignalServer();
    const browser = await waiting(gone.url);
    await gone.close();
    await until(() => browser.answers.length > 0, 10_000, 'the QR callback');
    assert.equal(browser.answers.length, 1);
    assert.equal(browser.answers[0]!.statusCode, 500);
    assert.match(browser.answers[0]!.message, /relay/);
    assert.equal(browser.codes.length, 1, 'no new code without a relay');
    assert.equal(browser.sdk.getCurrentUserJid().statusCode, 500);
  });

  it('hands over a token login as a token', async () => {
    const { sdk: first, username, password } = await phone();
    const token = await first.getUserToken(username, password);
    assert.equal(token.statusCode, 200, token.message);
    const approver = await instance();
    assert.equal((await approver.setUserToken(token.userToken!)).statusCode, 200);
    assert.equal((await approver.connect(username)).statusCode, 200);
    const browser = await waiting();
    assert.equal((await approver.approveQrLogin(browser.payload)).statusCode, 200);
    await until(() => browser.answers.length > 0, 10_000, 'the QR callback');
    assert.deepEqual(browser.answers, [{ statusCode: 200, message: 'Login Success', username, password: '' }]);
    assert.equal(browser.sdk.getCurrentUserJid().userJid, `${username}@${server.domain}`);
  });

  it('answers bad arguments and states with their codes', async () => {
    const { sdk: approver } = await phone();
    const fresh = await instance();
    assert.deepEqual(await fresh.approveQrLogin('{}'), { statusCode: 500, message: 'Connection Error' });
    const relayUrl = await fresh.generateQrCode(null, null, 'http://127.0.0.1:1/');
    assert.equal(relayUrl.statusCode, 400);
    assert.match(relayUrl.message, /SIGNAL_SERVER_URL/);
    assert.match((await fresh.generateQrCode(null, null, '')).message, /SIGNAL_SERVER_URL/);
    const callback = await fresh.generateQrCode(null, null, relay.url, 'no' as never);
    assert.equal(callback.statusCode, 400);
    const unreachable = await fresh.generateQrCode(null, null, 'ws://127.0.0.1:1/');
    assert.equal(unreachable.statusCode, 500);
    assert.match(unreachable.message, /relay/);
    assert.equal((await approver.generateQrCode(null, null, relay.url)).statusCode, 409);
    assert.equal((await approver.approveQrLogin(42 as never)).statusCode, 400);
    assert.equal((await createSDK().generateQrCode(null, null, relay.url)).statusCode, 500);
  });
});
