// Security checks of QR login's relay that the other specs leave out. Already covered elsewhere:
// - ciphertext only: spec/qr/payload.spec.ts "hands the credentials over through a real relay, which
//   carries ciphertext only"; through the SDK (approveQrLogin, password and token), with every frame on
//   the relay's path scanned: spec/security/secrets.spec.ts "QR login";
// - replays: spec/signal-server/relay.spec.ts "refuses a replay of a used session id, and an unknown
//   one"; spec/integration/qr-login.spec.ts (the same code approved twice answers 400);
// - floods: spec/signal-server/relay.spec.ts "survives 10,000 junk frames from one client while serving
//   another", "limits connections per address", "closes on junk, oversized frames and too many sessions".
// Here: a sealed hand-off captured on the relay's path and replayed into another waiting session does
// not log that session in; and a flood of deliveries to guessed session ids finds none, while the real
// session is still served.

import { strict as assert } from 'node:assert';
import WebSocket from 'ws';
import { createSDK, type ProfileSDK, type QrLoginAnswer } from '../../lib/node.js';
import { parseQrPayload } from '../../lib/qr/index.js';
import { createSignalServer, SIGNAL_CLOSE, type SignalServer } from '../../lib/signal-server/index.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';
import { tapRelay } from './relay-tap.js';

/** Sends one frame on a fresh connection to the relay; resolves with the answer frame and close code. */
async function deliverOnce(url: string, frame: object): Promise<{ answer: Record<string, unknown> | undefined; code: number }> {
  const socket = new WebSocket(url);
  let answer: Record<string, unknown> | undefined;
  socket.on('message', (data) => {
    answer ??= JSON.parse(String(data)) as Record<string, unknown>;
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify(frame));
  const code = await closed;
  return { answer, code };
}

describe('security: the QR relay path', function () {
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
    assert.equal((await sdk.initializeSDK({ service: server.websocketUrl, domain: server.domain, requestTimeoutMs: 5000 })).statusCode, 200);
    return sdk;
  }

  async function waiting(relayUrl: string): Promise<{ sdk: ProfileSDK; payload: string; answers: QrLoginAnswer[] }> {
    const sdk = await instance();
    const answers: QrLoginAnswer[] = [];
    const shown = await sdk.generateQrCode(null, null, relayUrl, (answer) => answers.push(answer));
    assert.equal(shown.statusCode, 200, shown.message);
    return { sdk, payload: shown.payload!, answers };
  }

  it('a hand-off captured on the path and replayed into another waiting session does not open there: 400, not logged in', async () => {
    const path = await tapRelay(relay.url);
    try {
      const phone = await instance();
      assert.equal((await phone.register(freshName('qrsec'), true)).statusCode, 200);
      const first = await waiting(path.url);
      assert.equal((await phone.approveQrLogin(first.payload)).statusCode, 200);
      await until(() => first.answers.length > 0, 10_000, 'the first QR login');
      assert.equal(first.answers[0]!.statusCode, 200);
      const captured = path.frames.map((frame) => JSON.parse(frame) as Record<string, unknown>).find((frame) => frame.type === 'deliver');
      assert.ok(typeof captured?.payload === 'string', 'the sealed hand-off was seen on the path');

      const victim = await waiting(relay.url);
      const { session } = parseQrPayload(victim.payload, Date.now());
      const replay = await deliverOnce(relay.url, { type: 'deliver', id: session, payload: captured.payload });
      assert.deepEqual(replay.answer, { type: 'delivered' }, 'the relay cannot tell a replay from a hand-off: it forwards');
      await until(() => victim.answers.length > 0, 10_000, 'the victim\'s QR callback');
      assert.equal(victim.answers[0]!.statusCode, 400, victim.answers[0]!.message);
      assert.equal(victim.answers[0]!.username, undefined);
      assert.equal(victim.sdk.getCurrentUserJid().statusCode, 500, 'the replay logged the victim in');
      // Replaying the captured frame to the session it was made for: that session is used up.
      const again = await deliverOnce(relay.url, captured);
      assert.deepEqual([again.answer, again.code], [{ type: 'error', code: 'unknown-session' }, SIGNAL_CLOSE.unknownSession]);
    } finally {
      await path.close();
    }
  });

  it('a flood of 1,000 deliveries to guessed session ids finds none; the real session is still served', async () => {
    const phone = await instance();
    assert.equal((await phone.register(freshName('qrsec'), true)).statusCode, 200);
    const browser = await waiting(relay.url);
    const answers: { answer: Record<string, unknown> | undefined; code: number }[] = [];
    for (let batch = 0; batch < 50; batch++) {
      answers.push(...await Promise.all(Array.from({ length: 20 }, () =>
        deliverOnce(relay.url, { type: 'deliver', id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'), payload: 'guess' }))));
    }
    assert.equal(answers.length, 1000);
    assert.ok(answers.every(({ answer, code }) => answer?.code === 'unknown-session' && code === SIGNAL_CLOSE.unknownSession));
    assert.equal(browser.answers.length, 0, 'a guess reached the browser');
    assert.ok(relay.pendingSessions >= 1);
    assert.equal((await phone.approveQrLogin(browser.payload)).statusCode, 200);
    await until(() => browser.answers.length > 0, 10_000, 'the QR callback');
    assert.equal(browser.answers[0]!.statusCode, 200, browser.answers[0]!.message);
  });
});
