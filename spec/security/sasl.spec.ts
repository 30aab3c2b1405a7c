// Security checks of authentication, through the SDK (createSDK, initializeSDK({ transport })) against
// the real Prosody, with the network in between played by spec/security/wire.ts:
// - PLAIN (and the bearer-token mechanisms) never go in clear to a host that is not loopback: a link
//   that claims to be `xmpp.example.com` without TLS and offers only PLAIN fails typed, and nothing of
//   the password was written; TLS, loopback or allowPlainAuth allow it (RFC 6120 §13.8, RFC 6750 §5.3);
// - nor do the other ways a password leaves the SDK: in-band registration (register) and the token
//   request (getUserToken) (lib/profile/cleartext.ts);
// - SCRAM refuses a server-first whose nonce lacks the client's prefix or whose iteration count is
//   under 4096 before it sends any proof, and a wrong or missing server signature, also on a reconnect
//   where the keys are cached and the exchange is pipelined (RFC 5802 §5.1, RFC 7677 §4, XEP-0305 §3).
// Unit-level checks of the same rules: spec/transport/sasl-select.spec.ts, spec/transport/scram.spec.ts,
// spec/transport/session.spec.ts.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { SaslError, SdkError, createSDK, type InitOptions, type ProfileSDK } from '../../lib/node.js';
import { NS_BIND } from '../../lib/stanzas/ns.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../../lib/transport/websocket.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';
import { secretForms } from './leaks.js';
import { cuttableWebSocket, isSasl, offerOnly, saslText, setSaslText, tap, type Tap, type WireOptions } from './wire.js';

type Status = { readonly status: string; readonly statusCode?: number; readonly message?: string };

describe('security: authentication through the SDK against real Prosody', function () {
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

  async function account(): Promise<{ user: string; password: string }> {
    const user = freshName('sec');
    const password = `pw-${user}-Zq9`;
    await registerUser(server, user, password);
    return { user, password };
  }

  /** A tapped SDK: its transports go to the real server through `options`' lies and rewrites. */
  async function tappedSdk(options: WireOptions, init: Partial<InitOptions> = {}, WebSocket?: WebSocketConstructor): Promise<{ sdk: ProfileSDK; statuses: Status[]; wire: Tap['wire'] }> {
    const { factory, wire } = tap(() => createWebSocketTransport({ url: server.websocketUrl, ...(WebSocket ? { WebSocket } : {}) }), options);
    const sdk = createSDK();
    sdks.push(sdk);
    const statuses: Status[] = [];
    const answer = await sdk.initializeSDK({
      transport: factory,
      domain: server.domain,
      apiBaseUrl: server.httpBase.replace(/\/$/, ''),
      reconnect: false,
      requestTimeoutMs: 5000,
      callbackListeners: { connectionListener: (event) => statuses.push(event) },
      ...init,
    });
    assert.equal(answer.statusCode, 200, answer.message);
    return { sdk, statuses, wire };
  }

  /** What `connect` rejected with. */
  async function refusal(login: Promise<unknown>): Promise<SdkError> {
    const error = await login.then(() => assert.fail('the login succeeded'), (e: unknown) => e);
    assert.ok(error instanceof SdkError, String(error));
    return error;
  }

  const saslCause = (error: SdkError): SaslError => {
    assert.ok(error.cause instanceof SaslError, `cause: ${String(error.cause)}`);
    return error.cause;
  };

  describe('PLAIN and bearer tokens only over TLS or loopback', () => {
    const onlyPlain = (element: Element): Element => offerOnly(element, ['PLAIN']);
    const offeredPlain = (wire: Tap['wire']): boolean => wire.in().some((xml) => xml.includes('<mechanism>PLAIN</mechanism>'));

    it('a non-TLS link to xmpp.example.com offering only PLAIN: connect fails typed, and no <auth/> nor any form of the password was written', async () => {
      const { user, password } = await account();
      const { sdk, statuses, wire } = await tappedSdk({ host: 'xmpp.example.com', rewriteIn: onlyPlain });
      const error = await refusal(sdk.connect(user, password));
      assert.equal(error.statusCode, 500);
      const cause = saslCause(error);
      assert.equal(cause.code, 'SASL_NO_MECHANISM');
      assert.match(error.message, /PLAIN refused: not TLS and not loopback; set allowPlainAuth/);
      assert.deepEqual(statuses.map((s) => s.status), ['CONNECTIONFAILED']);
      assert.ok(offeredPlain(wire), 'the server offered PLAIN');
      assert.deepEqual(wire.out().filter((xml) => xml.startsWith('<auth')), [], 'an <auth/> went out');
      const leaked = [...secretForms(password), ...secretForms(`\0${user}\0${password}`)];
      for (const xml of wire.out()) for (const form of leaked) assert.ok(!xml.includes(form), `the wire carries ${form}`);
      assert.equal(sdk.getCurrentUserJid().statusCode, 500);
    });

    it('the same link with allowPlainAuth, or claiming TLS, logs in with PLAIN', async () => {
      for (const [what, options, init] of [
        ['allowPlainAuth', { host: 'xmpp.example.com' }, { allowPlainAuth: true }],
        ['TLS', { host: 'xmpp.example.com', secure: true }, {}],
      ] as const) {
        const { user, password } = await account();
        const { sdk, wire } = await tappedSdk({ ...options, rewriteIn: onlyPlain }, init);
        assert.deepEqual(await sdk.connect(user, password), { statusCode: 200, message: 'Login Success' }, what);
        assert.ok(wire.out().some((xml) => xml.startsWith("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'")), what);
        assert.equal(sdk.getCurrentUserJid().userJid, `${user}@${server.domain}`);
      }
    });

    it('a loopback host without TLS logs in with PLAIN (nothing leaves the machine)', async () => {
      const { user, password } = await account();
      const { sdk, wire } = await tappedSdk({ rewriteIn: onlyPlain });
      assert.equal((await sdk.connect(user, password)).statusCode, 200);
      assert.ok(wire.out().some((xml) => xml.includes("mechanism='PLAIN'")));
    });

    it('a token goes neither by OAUTHBEARER nor X-OAUTH2 in clear to a host that is not loopback, unless allowed', async () => {
      const { user, password } = await account();
      const issuer = createSDK();
      await issuer.initializeSDK({ service: server.websocketUrl, domain: server.domain, apiBaseUrl: server.httpBase.replace(/\/$/, '') });
      const { userToken } = await issuer.getUserToken(user, password);
      assert.ok(userToken);
      const onlyTokens = (element: Element): Element => offerOnly(element, ['OAUTHBEARER', 'X-OAUTH2']);
      const refused = await tappedSdk({ host: 'xmpp.example.com', rewriteIn: onlyTokens });
      await refused.sdk.setUserToken(userToken);
      const error = await refusal(refused.sdk.connect(user));
      assert.equal(saslCause(error).code, 'SASL_NO_MECHANISM');
      assert.match(error.message, /OAUTHBEARER refused: not TLS and not loopback/);
      assert.ok(refused.wire.in().some((xml) => xml.includes('<mechanism>OAUTHBEARER</mechanism>')));
      assert.deepEqual(refused.wire.out().filter((xml) => xml.startsWith('<auth')), []);
      for (const xml of refused.wire.out()) for (const form of secretForms(userToken)) assert.ok(!xml.includes(form));
      const allowed = await tappedSdk({ host: 'xmpp.example.com', rewriteIn: onlyTokens }, { allowPlainAuth: true });
      await allowed.sdk.setUserToken(userToken);
      assert.equal((await allowed.sdk.connect(user)).statusCode, 200);
      assert.ok(allowed.wire.out().some((xml) => xml.includes("mechanism='OAUTHBEARER'")));
    });
  });

  describe('the other ways a password leaves the SDK: in-band registration, the token request', () => {
    it('register() to a host that is neither TLS nor loopback: 500 before any connection; allowed with allowPlainAuth or over TLS', async () => {
      const refused = await tappedSdk({ host: 'xmpp.example.com' });
      const answer = await refused.sdk.register(freshName('ibr'), true);
      assert.equal(answer.statusCode, 500);
      assert.match(answer.message, /^in-band registration refused: .* xmpp\.example\.com, neither TLS nor loopback; set allowPlainAuth/);
      assert.equal(refused.wire.entries.length, 0, 'something went over the wire');
      assert.equal(refused.sdk.getCurrentUserJid().statusCode, 500);
      for (const [what, options, init] of [
        ['allowPlainAuth', { host: 'xmpp.example.com' }, { allowPlainAuth: true }],
        ['TLS', { host: 'xmpp.example.com', secure: true }, {}],
        ['loopback', {}, {}],
      ] as const) {
        const { sdk, wire } = await tappedSdk(options, init);
        const registered = await sdk.register(freshName('ibr'), true);
        assert.equal(registered.statusCode, 200, `${what}: ${registered.message}`);
        assert.ok(wire.out().some((xml) => xml.includes(`<value>${registered.data!.password}</value>`)), `${what}: the registration went`);
      }
    });

    it('getUserToken() to an http:// endpoint that is not loopback: 500 and no request; allowed with allowPlainAuth, or over https://', async () => {
      const requests: string[] = [];
      const fetchSpy: typeof fetch = async (input) => {
        requests.push(String(input));
        return new Response(JSON.stringify({ access_token: 'tok-123', token_type: 'bearer' }), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const init = { service: 'ws://xmpp.example.com/xmpp-websocket', domain: 'example.com', fetch: fetchSpy };
      const refused = createSDK();
      await refused.initializeSDK(init);
      const answer = await refused.getUserToken('alice', 'pw-never-sent');
      assert.equal(answer.statusCode, 500);
      assert.match(answer.message, /^the token request refused: .* xmpp\.example\.com, neither TLS nor loopback/);
      assert.deepEqual(requests, []);
      for (const options of [{ ...init, allowPlainAuth: true }, { ...init, service: 'wss://xmpp.example.com/xmpp-websocket' }, { ...init, apiBaseUrl: 'http://127.0.0.1:1' }]) {
        const allowed = createSDK();
        await allowed.initializeSDK(options);
        assert.deepEqual(await allowed.getUserToken('alice', 'pw'), { statusCode: 200, message: 'Success', userToken: 'tok-123' }, JSON.stringify(options));
      }
      assert.deepEqual(requests, ['http://xmpp.example.com/oauth/token', 'https://xmpp.example.com/oauth/token', 'http://127.0.0.1:1/oauth/token']);
    });
  });

  describe('SCRAM refuses a server that does not prove itself', () => {
    /** Rewrites SCRAM server-first (`r=...,s=...,i=...`) as `edit` says. */
    const serverFirst = (edit: (text: string) => string) => (element: Element): Element =>
      isSasl(element, 'challenge') && saslText(element).startsWith('r=') ? setSaslText(element, edit(saslText(element))) : element;
    /** The client nonce is the first 32 characters of r= (randomScramNonce). */
    const cases: [string, (text: string) => string][] = [
      ['a nonce that is only the server\'s part (no client prefix)', (text) => text.replace(/^r=([^,]{32})/, 'r=')],
      ['a nonce whose client prefix was altered', (text) => text.replace(/^r=(.)/, (_all, c: string) => `r=${c === 'A' ? 'B' : 'A'}`)],
      ['4095 iterations', (text) => text.replace(/,i=\d+/, ',i=4095')],
      ['1 iteration', (text) => text.replace(/,i=\d+/, ',i=1')],
    ];
    for (const [what, edit] of cases) {
      it(`server-first with ${what}: fails typed before any proof is sent`, async () => {
        const { user, password } = await account();
        const { sdk, statuses, wire } = await tappedSdk({ rewriteIn: serverFirst(edit) });
        const error = await refusal(sdk.connect(user, password));
        assert.equal(saslCause(error).code, 'SASL_PROTOCOL');
        assert.equal(error.statusCode, 500);
        assert.deepEqual(statuses.map((s) => s.status), ['CONNECTIONFAILED']);
        const out = wire.out();
        assert.ok(out.some((xml) => xml.includes("mechanism='SCRAM-SHA-1'")), 'SCRAM started');
        assert.ok(wire.in().some((xml) => xml.startsWith('<challenge')), 'server-first came');
        assert.deepEqual(out.filter((xml) => xml.startsWith('<response')), [], 'a client-final (with its proof) went out');
        assert.ok(out.some((xml) => xml.startsWith('<abort')), 'the exchange was aborted (RFC 6120 §6.4.4)');
      });
    }

    /** Flips a bit of the `v=` server signature that comes with `<success/>`, or removes it. */
    const signature = (how: 'flip' | 'remove') => (element: Element): Element => {
      if (!isSasl(element, 'success')) return element;
      const text = saslText(element);
      assert.match(text, /^v=/, 'Prosody sends the server signature with <success/>');
      if (how === 'remove') {
        element.children = [];
        return element;
      }
      const bytes = Buffer.from(text.slice(2), 'base64');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return setSaslText(element, `v=${bytes.toString('base64')}`);
    };

    for (const how of ['flip', 'remove'] as const) {
      it(`a ${how === 'flip' ? 'wrong' : 'missing'} server signature: 401 and AUTHFAIL, and the stream is never used`, async () => {
        const { user, password } = await account();
        const { sdk, statuses, wire } = await tappedSdk({ rewriteIn: signature(how) });
        const error = await refusal(sdk.connect(user, password));
        assert.equal(saslCause(error).code, 'SASL_SERVER_SIGNATURE');
        assert.equal(error.statusCode, 401);
        assert.deepEqual(statuses.map((s) => [s.status, s.statusCode]), [['AUTHFAIL', 401]]);
        assert.ok(wire.out().some((xml) => xml.startsWith('<response')), 'client-final went out');
        assert.deepEqual(wire.out().filter((xml) => xml.includes(NS_BIND) || xml.startsWith('<presence') || xml.startsWith('<message')), []);
        assert.equal(sdk.getCurrentUserJid().statusCode, 500);
      });
    }

    it('a wrong server signature on a reconnect (cached keys, <auth/> sent ahead of the features) ends the session: AUTHFAIL, never online', async () => {
      const { user, password } = await account();
      const cuttable = cuttableWebSocket();
      const tamper = signature('flip');
      const { sdk, statuses, wire } = await tappedSdk(
        { rewriteIn: (element, connection) => (connection >= 2 ? tamper(element) : element) },
        { reconnect: { maxAttempts: 2, baseMs: 20, capMs: 40 } },
        cuttable.WebSocket,
      );
      assert.equal((await sdk.connect(user, password)).statusCode, 200);
      assert.equal((await sdk.getFriendsList()).statusCode, 200);
      const before = statuses.length;
      cuttable.cut();
      await until(() => statuses.some((s) => s.status === 'AUTHFAIL'), 15_000, 'AUTHFAIL', () => statuses);
      assert.deepEqual(statuses.slice(before).map((s) => [s.status, s.statusCode]), [['RECONNECTING', undefined], ['AUTHFAIL', 401]]);
      assert.equal(wire.connections, 3, 'two reconnect attempts');
      for (const connection of [2, 3]) {
        const out = wire.out(connection);
        assert.ok(out.some((xml) => xml.startsWith('<response')), `client-final on connection ${connection}`);
        // Whatever may be pipelined (a restart, <resume/>, a bind request), no stanza of the user went out.
        assert.deepEqual(out.filter((xml) => /^<(presence|message)\b/.test(xml) || (xml.startsWith('<iq') && !xml.includes(NS_BIND))), [], `connection ${connection}`);
      }
      assert.deepEqual(await sdk.getFriendsList(), { statusCode: 500, message: 'Connection Error' });
    });
  });
});
