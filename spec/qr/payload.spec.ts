// QR login payloads and the sealed hand-off (lib/qr/payload.ts), over Node's WebCrypto: round trips,
// expiry, malformed text, and sealed messages that do not open for another key or session or once
// altered; then the hand-off through a real relay, which sees ciphertext only.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import WebSocket from 'ws';
import { QrError } from '../../lib/errors.js';
import { buildQrPayload, createQrKeyPair, openCredentials, parseQrPayload, sealCredentials, type QrPayload } from '../../lib/qr/index.js';
import { createSignalServer } from '../../lib/signal-server/index.js';

const NOW = 1_800_000_000_000;

async function payloadFor(session = 'AAAAAAAAAAAAAAAAAAAAAA'): Promise<{ payload: QrPayload; privateKey: CryptoKey }> {
  const pair = await createQrKeyPair();
  return { payload: { relay: 'ws://127.0.0.1:8787', session, key: pair.publicKey, expiresAt: NOW + 60_000 }, privateKey: pair.privateKey };
}

const isQrError = (code: string) => (error: unknown): boolean => error instanceof QrError && error.code === code;

describe('qr/payload', () => {
  it('reads back the payload it writes, until it expires', async () => {
    const { payload } = await payloadFor();
    const text = buildQrPayload(payload);
    assert.ok(text.length < 300, `${text.length} characters: small enough for a QR code at level H`);
    assert.deepEqual(parseQrPayload(text, NOW), payload);
    assert.deepEqual(parseQrPayload(text, payload.expiresAt), payload);
    assert.throws(() => parseQrPayload(text, payload.expiresAt + 1), isQrError('QR_EXPIRED'));
  });

  it('refuses text that is not a payload of this library', async () => {
    const { payload } = await payloadFor();
    const good = JSON.parse(buildQrPayload(payload)) as Record<string, unknown>;
    const bad = [
      'hello', '[]', 'null', '{}', JSON.stringify({ ...good, t: 'other' }), JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, u: 'http://relay' }), JSON.stringify({ ...good, s: 'short' }), JSON.stringify({ ...good, k: 'abc' }),
      JSON.stringify({ ...good, e: 'tomorrow' }), 'x'.repeat(5000),
    ];
    for (const text of bad) assert.throws(() => parseQrPayload(text, NOW), isQrError('QR_MALFORMED'), text.slice(0, 40));
    fc.assert(fc.property(fc.string(), (text) => {
      try {
        parseQrPayload(text, NOW);
      } catch (error) {
        assert.ok(error instanceof QrError, String(error));
      }
    }));
  });

  it('seals credentials that only the browser key opens, for its session', async () => {
    const { payload, privateKey } = await payloadFor();
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), async (username, password) => {
      const sealed = await sealCredentials(payload, { username, password });
      assert.deepEqual(await openCredentials(privateKey, payload.session, sealed), { username, password });
    }), { numRuns: 30 });
    const sealed = await sealCredentials(payload, { username: 'alice', password: 'secret' });
    const other = await createQrKeyPair();
    await assert.rejects(openCredentials(other.privateKey, payload.session, sealed), isQrError('QR_DECRYPT'));
    await assert.rejects(openCredentials(privateKey, 'BBBBBBBBBBBBBBBBBBBBBB', sealed), isQrError('QR_DECRYPT'));
    const parts = JSON.parse(sealed) as Record<string, string>;
    for (const field of ['ct', 'iv', 'epk'] as const) {
      const value = parts[field]!;
      const flipped = (value[5] === 'A' ? 'B' : 'A');
      const altered = JSON.stringify({ ...parts, [field]: value.slice(0, 5) + flipped + value.slice(6) });
      await assert.rejects(openCredentials(privateKey, payload.session, altered), isQrError('QR_DECRYPT'), field);
    }
    await assert.rejects(openCredentials(privateKey, payload.session, 'junk'), isQrError('QR_MALFORMED'));
    await assert.rejects(sealCredentials({ ...payload, key: 'A'.repeat(87) }, { username: 'a', password: 'b' }), isQrError('QR_MALFORMED'));
  });

  it('hands the credentials over through a real relay, which carries ciphertext only', async () => {
    const relay = await createSignalServer();
    try {
      const browser = new WebSocket(relay.url);
      const inbox: string[] = [];
      const next = () => new Promise<Record<string, unknown>>((resolve) => browser.once('message', (data) => {
        inbox.push(String(data));
        resolve(JSON.parse(String(data)) as Record<string, unknown>);
      }));
      await new Promise((resolve) => browser.once('open', resolve));
      const created = next();
      browser.send(JSON.stringify({ type: 'create' }));
      const session = String((await created).id);
      const { payload, privateKey } = await payloadFor(session);
      const scanned = parseQrPayload(buildQrPayload({ ...payload, relay: relay.url }), NOW);
      const secret = { username: 'qr-user-7f3a', password: 'pässwörd-9c1e' };
      const sealed = await sealCredentials(scanned, secret);
      const delivered = next();
      const scanner = new WebSocket(scanned.relay);
      await new Promise((resolve) => scanner.once('open', resolve));
      const sent = JSON.stringify({ type: 'deliver', id: scanned.session, payload: sealed });
      scanner.send(sent);
      const message = await delivered;
      assert.equal(message.type, 'message');
      assert.deepEqual(await openCredentials(privateKey, session, String(message.payload)), secret);
      // What went through the relay, both ways, holds no credential in any usual encoding.
      for (const frame of [sent, ...inbox]) {
        for (const value of [secret.username, secret.password]) {
          for (const form of [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)]) {
            assert.ok(!frame.includes(form), `a relay frame holds ${form}`);
          }
        }
      }
      scanner.terminate();
      browser.terminate();
    } finally {
      await relay.close();
    }
  });
});
