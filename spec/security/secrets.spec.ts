// Security checks: traces, error messages and answers never hold a password, a token or a SASL payload.
// Real flows through the SDK against the real Prosody, with `onTrace` collecting every element in and
// out, every answer and listener event kept, every rejection's message and causes kept, and the wire
// under the trace tapped (spec/security/wire.ts) to learn the SASL payloads that really went: then all
// of it is scanned for each secret, as is and base64-encoded (at any alignment), base64url, URL-encoded.
// Fields whose purpose is to hand a secret to the app (register's `data.password`, getUserToken's
// `userToken`, the QR callback's `password`) are left out of the scan, and only those.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { createSDK, type InitOptions, type ProfileSDK, type QrLoginAnswer } from '../../lib/node.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { createSignalServer, type SignalServer } from '../../lib/signal-server/index.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import type { TraceEntry } from '../../lib/transport/trace.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';
import { assertNoSecrets, errorTexts } from './leaks.js';
import { tapRelay } from './relay-tap.js';
import { offerOnly, tap, type Wire, type WireOptions } from './wire.js';

const SASL_PAYLOAD = /^<(auth|challenge|response|success)\b[^>]*>([^<]+)</;

/** Everything a run shows the app or a log, and what went over the wire. */
class Observed {
  readonly traces: TraceEntry[] = [];
  /** Answers (minus their secret-carrying fields), listener events, error messages. */
  readonly texts: string[] = [];
  readonly wires: Wire[] = [];

  /** Keeps an answer, without the fields named (those meant to carry a secret to the app). */
  answer<T extends object>(answer: T, ...secretFields: string[]): T {
    this.texts.push(JSON.stringify(answer, (key, value: unknown) => (secretFields.includes(key) ? undefined : value)));
    return answer;
  }

  /** Runs `connect`, keeping its answer or every message of its rejection. */
  async connect(sdk: ProfileSDK, user: string, password?: string): Promise<number> {
    try {
      return this.answer(await sdk.connect(user, password)).statusCode;
    } catch (error) {
      this.texts.push(...errorTexts(error));
      return (error as { statusCode: number }).statusCode;
    }
  }

  /** The SASL payloads that went over the wire both ways (base64 and decoded), which no trace may show. */
  saslPayloads(): string[] {
    const payloads: string[] = [];
    for (const wire of this.wires) {
      for (const { xml } of wire.entries) {
        const data = SASL_PAYLOAD.exec(xml)?.[2]?.trim();
        if (data === undefined || data === '=') continue;
        const decoded = Buffer.from(data, 'base64').toString('utf8');
        payloads.push(data, ...(decoded.length >= 12 ? [decoded] : []));
      }
    }
    return payloads;
  }

  /** The in-band registration passwords that went over the wire. */
  registrationPasswords(): string[] {
    const found: string[] = [];
    for (const wire of this.wires) {
      for (const xml of wire.out()) {
        if (!xml.includes('jabber:iq:register')) continue;
        const visit = (element: Element): void => {
          if (element.name === 'password' || (element.name === 'field' && element.attrs.var === 'password')) found.push(element.getText() || (element.getChildText('value') ?? ''));
          for (const child of element.getChildElements()) visit(child);
        };
        visit(parseXml(xml));
      }
    }
    return found.filter((password) => password !== '');
  }

  scan(secrets: readonly string[]): void {
    assertNoSecrets(this.traces.map((entry) => entry.xml), secrets, 'a trace');
    assertNoSecrets(this.texts, secrets, 'an answer, event or error message');
  }
}

describe('security: no password, token or SASL payload in traces, errors or answers', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  const sdks: ProfileSDK[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
  });

  afterEach(async () => {
    await Promise.all(sdks.splice(0).map((sdk) => sdk.logout()));
  });

  /** A traced, tapped SDK whose events go to `seen`. */
  async function sdkFor(seen: Observed, options: WireOptions = {}, init: Partial<InitOptions> = {}): Promise<ProfileSDK> {
    const { factory, wire } = tap(() => createWebSocketTransport({ url: server.websocketUrl }), options);
    seen.wires.push(wire);
    const sdk = createSDK();
    sdks.push(sdk);
    const event = (payload: unknown): void => {
      seen.texts.push(JSON.stringify(payload));
    };
    seen.answer(await sdk.initializeSDK({
      transport: factory,
      domain: server.domain,
      apiBaseUrl: server.httpBase.replace(/\/$/, ''),
      reconnect: false,
      requestTimeoutMs: 5000,
      onTrace: (entry) => seen.traces.push(entry),
      callbackListeners: { connectionListener: event, friendsListListener: event, userProfileListener: event, blockUserListener: event },
      ...init,
    }));
    return sdk;
  }

  const traced = (seen: Observed, pattern: RegExp): boolean => seen.traces.some((entry) => pattern.test(entry.xml));

  it('passwords: registration, SCRAM and PLAIN logins, wrong and refused passwords, a taken name', async () => {
    const seen = new Observed();
    const name = freshName('leak');
    const sdk = await sdkFor(seen);
    const registered = seen.answer(await sdk.register(name, true), 'password');
    assert.equal(registered.statusCode, 200, registered.message);
    const password = registered.data!.password;
    seen.answer(await sdk.setUserProfile('Leak Test', undefined, 'status'));
    seen.answer(await sdk.getFriendsList());
    seen.answer(await sdk.logout());
    assert.equal(await seen.connect(sdk, name, password), 200); // SCRAM
    seen.answer(await sdk.logout());
    const wrong = `${password}-wrong`;
    assert.equal(await seen.connect(sdk, name, wrong), 401);
    const prohibited = `pw\u0085${password}`; // SASLprep refuses a control character (RFC 4013 §2.3)
    assert.equal(await seen.connect(sdk, name, prohibited), 500);
    const taken = seen.answer(await (await sdkFor(seen)).register(name, false), 'password');
    assert.equal(taken.statusCode, 409);

    const plainOnly = { rewriteIn: (element: Element) => offerOnly(element, ['PLAIN']) };
    const plain = await sdkFor(seen, plainOnly);
    assert.equal(await seen.connect(plain, name, password), 200);
    seen.answer(await plain.logout());
    assert.equal(await seen.connect(await sdkFor(seen, plainOnly), name, wrong), 401);

    // The checks below see what they must: each kind of secret-carrying element was traced.
    assert.ok(traced(seen, /jabber:iq:register/), 'no registration in the trace');
    assert.ok(traced(seen, /mechanism='SCRAM-SHA-1'>\[redacted\]</), 'no SCRAM <auth/> in the trace');
    assert.ok(traced(seen, /mechanism='PLAIN'>\[redacted\]</), 'no PLAIN <auth/> in the trace');
    assert.ok(traced(seen, /^<(challenge|success) /), 'no server SASL data in the trace');
    const registrations = seen.registrationPasswords();
    assert.equal(registrations.length, 2, 'two registrations (the second one refused) sent their generated passwords');
    assert.equal(registrations[0], password);
    assert.ok(seen.texts.some((text) => /^SaslError: .*SASLprep/.test(text)), 'the SASLprep refusal was kept');
    assert.ok(seen.texts.some((text) => text.startsWith('SdkError: Invalid credentials')), 'the refused logins were kept');
    const payloads = seen.saslPayloads();
    assert.ok(payloads.length >= 12, `SASL payloads on the wire: ${payloads.length}`);
    seen.scan([...registrations, wrong, prohibited, `\0${name}\0${password}`, `\0${name}\0${wrong}`, ...payloads]);
  });

  it('tokens: getUserToken, OAUTHBEARER and X-OAUTH2 logins, a wrong password, a bogus and a malformed token', async () => {
    const seen = new Observed();
    const user = freshName('leak');
    const password = `pw-${user}-tok`;
    await registerUser(server, user, password);
    const sdk = await sdkFor(seen);
    const wrong = `${password}-wrong`;
    assert.equal(seen.answer(await sdk.getUserToken(user, wrong), 'userToken').statusCode, 401);
    const issued = seen.answer(await sdk.getUserToken(user, password), 'userToken');
    assert.equal(issued.statusCode, 200, issued.message);
    const token = issued.userToken!;
    seen.answer(await sdk.setUserToken(token));
    assert.equal(await seen.connect(sdk, user), 200); // OAUTHBEARER
    seen.answer(await sdk.getFriendsList());
    seen.answer(await sdk.logout());
    const xoauth = await sdkFor(seen, { rewriteIn: (element) => offerOnly(element, ['X-OAUTH2']) });
    seen.answer(await xoauth.setUserToken(token));
    assert.equal(await seen.connect(xoauth, user), 200);
    seen.answer(await xoauth.logout());
    const bogus = `${token.slice(0, -4)}AAAA`;
    seen.answer(await sdk.setUserToken(bogus));
    assert.equal(await seen.connect(sdk, user), 401);
    const malformed = `not a token ${token}`;
    seen.answer(await sdk.setUserToken(malformed));
    assert.equal(await seen.connect(sdk, user), 500);

    assert.ok(traced(seen, /mechanism='OAUTHBEARER'>\[redacted\]</), 'no OAUTHBEARER <auth/> in the trace');
    assert.ok(traced(seen, /mechanism='X-OAUTH2'>\[redacted\]</), 'no X-OAUTH2 <auth/> in the trace');
    assert.ok(seen.texts.some((text) => text.includes('b64token')), 'the malformed token\'s refusal was kept');
    seen.scan([token, bogus, malformed, password, wrong, ...seen.saslPayloads()]);
  });

  describe('QR login', () => {
    let relay: SignalServer;

    before(async () => {
      relay = await createSignalServer();
    });

    after(async () => {
      await relay.close();
    });

    for (const kind of ['password', 'token'] as const) {
      it(`approveQrLogin hands over a ${kind}: nothing of it in traces, answers, errors, nor on the relay's path`, async () => {
        const relayPath = await tapRelay(relay.url);
        try {
          const seen = new Observed();
          const user = freshName('leakqr');
          const password = `pw-${user}-qr`;
          await registerUser(server, user, password);
          const phone = await sdkFor(seen);
          const secrets = [password];
          if (kind === 'token') {
            const issued = seen.answer(await phone.getUserToken(user, password), 'userToken');
            secrets.push(issued.userToken!);
            seen.answer(await phone.setUserToken(issued.userToken!));
            assert.equal(await seen.connect(phone, user), 200);
          } else {
            assert.equal(await seen.connect(phone, user, password), 200);
          }
          const browser = await sdkFor(seen);
          const answers: QrLoginAnswer[] = [];
          const shown = seen.answer(await browser.generateQrCode(null, null, relayPath.url, (answer) => answers.push(seen.answer(answer, 'password'))));
          assert.equal(shown.statusCode, 200, shown.message);
          assert.equal(seen.answer(await phone.approveQrLogin(shown.payload!)).statusCode, 200);
          await until(() => answers.length > 0, 10_000, 'the QR callback');
          assert.equal(answers[0]!.statusCode, 200, answers[0]!.message);
          assert.equal(answers[0]!.password, kind === 'password' ? password : '');
          const replay = seen.answer(await phone.approveQrLogin(shown.payload!));
          assert.equal(replay.statusCode, 400);
          assert.equal(browser.getCurrentUserJid().userJid, `${user}@${server.domain}`);

          assert.ok(relayPath.frames.some((frame) => frame.includes('"type":"deliver"')), 'the hand-off crossed the tapped path');
          seen.scan([...secrets, ...seen.saslPayloads()]);
          assertNoSecrets(relayPath.frames, secrets, 'a relay frame');
        } finally {
          await relayPath.close();
        }
      });
    }
  });
});
