// Security checks: TLS certificate errors are not ignored. The real Prosody sits behind a TLS
// terminator (spec/support/tls-proxy.ts) with a self-signed certificate made for this run; `wss://`
// (WebSocket), `https://` BOSH, the token endpoint and an upload slot on it fail with typed errors
// and 500 answers, and the client refuses the handshake (the proxy counts it) before anything is
// piped to the server. They work once the app passes the CA, which in Node is done through
// `initializeSDK`'s own options:
//
//   WebSocket: a subclass of the `ws` package's WebSocket that passes `{ ca }` as its third argument
//              (trustingWebSocket in tls-proxy.ts);
//   fetch:     a fetch that trusts the CA — over `node:https` with `new https.Agent({ ca })`
//              (trustingFetch), or, with the `undici` package, `(url, init) => fetch(url, { ...init,
//              dispatcher: new Agent({ connect: { ca } }) })`; it serves BOSH, the token endpoint and
//              uploads alike.
//
// The library itself never turns certificate checks off: it has no such option and sets none.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { SdkError, TransportError, createSDK, type InitOptions, type ProfileSDK } from '../../lib/node.js';
import { NS_UPLOAD } from '../../lib/stanzas/ns.js';
import { createWebSocketTransport } from '../../lib/transport/websocket.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { createSelfSignedCertificate, startTlsProxy, trustingFetch, trustingWebSocket, type Certificate, type TlsProxy } from '../support/tls-proxy.js';
import { until } from '../support/wait.js';
import { tap } from './wire.js';

type Status = { readonly status: string; readonly statusCode?: number };

/** A 1x1 PNG. */
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==', 'base64'));

describe('security: TLS certificate errors are not ignored (Prosody behind a self-signed TLS proxy)', function () {
  this.timeout(30_000);
  let server: ServerHandle;
  let certificate: Certificate;
  let proxy: TlsProxy;
  const sdks: ProfileSDK[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
    certificate = await createSelfSignedCertificate();
    proxy = await startTlsProxy(certificate, { host: '127.0.0.1', port: server.httpPort });
  });

  after(async () => {
    await proxy?.close();
  });

  afterEach(async () => {
    await Promise.all(sdks.splice(0).map((sdk) => sdk.logout()));
  });

  async function account(): Promise<{ user: string; password: string }> {
    const user = freshName('tls');
    const password = `pw-${user}`;
    await registerUser(server, user, password);
    return { user, password };
  }

  async function sdkWith(options: InitOptions): Promise<{ sdk: ProfileSDK; statuses: Status[] }> {
    const sdk = createSDK();
    sdks.push(sdk);
    const statuses: Status[] = [];
    const answer = await sdk.initializeSDK({
      domain: server.domain,
      reconnect: false,
      requestTimeoutMs: 5000,
      callbackListeners: { connectionListener: (event) => statuses.push(event) },
      ...options,
    });
    assert.equal(answer.statusCode, 200, answer.message);
    return { sdk, statuses };
  }

  /** Runs `attempt` and checks that the client broke off at least one handshake and nothing reached the server. */
  async function refusedByClient<T>(attempt: () => Promise<T>): Promise<T> {
    const [refused, piped] = [proxy.refusedHandshakes, proxy.piped];
    const result = await attempt();
    await until(() => proxy.refusedHandshakes > refused, 2000, 'the proxy to see the handshake refused');
    assert.equal(proxy.piped, piped, 'a connection got through to the server');
    return result;
  }

  /** What `connect` rejected with: an SdkError 500 caused by a typed transport error. */
  async function connectFails(sdk: ProfileSDK, user: string, password: string): Promise<SdkError> {
    const error = await sdk.connect(user, password).then(() => assert.fail('connected through an untrusted certificate'), (e: unknown) => e);
    assert.ok(error instanceof SdkError, String(error));
    assert.equal(error.statusCode, 500);
    assert.match(error.message, /^Connection Error/);
    assert.ok(error.cause instanceof TransportError, `cause: ${String(error.cause)}`);
    assert.equal(error.cause.code, 'TRANSPORT_FAILURE');
    return error;
  }

  it('wss:// with an untrusted certificate: connect rejects 500 (TRANSPORT_FAILURE) with CONNECTIONFAILED', async () => {
    const { user, password } = await account();
    const { sdk, statuses } = await sdkWith({ service: `${proxy.wssBase}/xmpp-websocket` });
    await refusedByClient(() => connectFails(sdk, user, password));
    assert.deepEqual(statuses.map((s) => [s.status, s.statusCode]), [['CONNECTIONFAILED', 500]]);
  });

  it('wss:// with the CA passed as the WebSocket constructor: logs in and works', async () => {
    const { user, password } = await account();
    const { sdk } = await sdkWith({ service: `${proxy.wssBase}/xmpp-websocket`, WebSocket: trustingWebSocket(certificate.cert) });
    const piped = proxy.piped;
    assert.deepEqual(await sdk.connect(user, password), { statusCode: 200, message: 'Login Success' });
    assert.equal((await sdk.getFriendsList()).statusCode, 200);
    assert.ok(proxy.piped > piped, 'the session went through the TLS proxy');
  });

  it('https:// BOSH with an untrusted certificate: connect rejects 500 (after the bounded retries); with the CA passed as fetch: logs in', async () => {
    const { user, password } = await account();
    const service = `${proxy.httpsBase}/http-bind`;
    const untrusted = await sdkWith({ service });
    await refusedByClient(() => connectFails(untrusted.sdk, user, password));
    assert.deepEqual(untrusted.statuses.map((s) => s.status), ['CONNECTIONFAILED']);
    const trusted = await sdkWith({ service, fetch: trustingFetch(certificate.cert) });
    assert.equal((await trusted.sdk.connect(user, password)).statusCode, 200);
    assert.equal((await trusted.sdk.getFriendsList()).statusCode, 200);
  });

  it('the token endpoint over https:// with an untrusted certificate: 500 and no token; with the CA: a token that logs in', async () => {
    const { user, password } = await account();
    const untrusted = await sdkWith({ service: server.websocketUrl, apiBaseUrl: proxy.httpsBase });
    const refused = await refusedByClient(() => untrusted.sdk.getUserToken(user, password));
    assert.equal(refused.statusCode, 500, refused.message);
    assert.match(refused.message, /^Connection Error: the token endpoint cannot be reached/);
    assert.equal(refused.userToken, undefined);
    const trusted = await sdkWith({ service: server.websocketUrl, apiBaseUrl: proxy.httpsBase, fetch: trustingFetch(certificate.cert) });
    const answer = await trusted.sdk.getUserToken(user, password);
    assert.equal(answer.statusCode, 200, answer.message);
    assert.equal((await trusted.sdk.setUserToken(answer.userToken!)).statusCode, 200);
    assert.equal((await trusted.sdk.connect(user)).statusCode, 200);
  });

  it('image bytes to an https:// upload slot with an untrusted certificate: 500 and nothing stored; with the CA: stored, and the URL serves the bytes', async () => {
    const { user, password } = await account();
    // The server's upload service hands out http:// slots; this link moves them behind the TLS proxy.
    const plain = `http://127.0.0.1:${server.httpPort}/`;
    const overTls = (element: Element): Element => {
      const slot = element.getChild('slot', NS_UPLOAD);
      for (const part of slot ? [slot.getChild('put'), slot.getChild('get')] : []) {
        if (part && typeof part.attrs.url === 'string') part.attrs.url = part.attrs.url.replace(plain, `${proxy.httpsBase}/`);
      }
      return element;
    };
    const link = () => tap(() => createWebSocketTransport({ url: server.websocketUrl }), { rewriteIn: overTls }).factory;

    const untrusted = await sdkWith({ transport: link() });
    assert.equal((await untrusted.sdk.connect(user, password)).statusCode, 200);
    const refused = await refusedByClient(() => untrusted.sdk.setUserProfile('Name', PNG));
    assert.equal(refused.statusCode, 500, refused.message);
    assert.match(refused.message, /^Connection Error: the image upload failed/);
    const stored = await untrusted.sdk.getUserProfile(user);
    assert.notEqual(stored.data?.nickName, 'Name', 'the profile changed although the upload failed');
    await untrusted.sdk.logout();

    const fetchWithCa = trustingFetch(certificate.cert);
    const trusted = await sdkWith({ transport: link(), fetch: fetchWithCa });
    assert.equal((await trusted.sdk.connect(user, password)).statusCode, 200);
    const answer = await trusted.sdk.setUserProfile('Name', PNG);
    assert.equal(answer.statusCode, 200, answer.message);
    const image = answer.data!.image;
    assert.ok(image.startsWith(`${proxy.httpsBase}/`), image);
    const served = await fetchWithCa(image);
    assert.equal(served.status, 200);
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), PNG);
  });
});
