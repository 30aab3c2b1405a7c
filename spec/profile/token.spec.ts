// The token request (RFC 6749 §4.3) over a fake fetch: what is sent, and how each kind of answer maps
// to the status codes of API.md §4. The real endpoints (the project's Prosody module, ejabberd's
// /oauth/token) are exercised in spec/integration/sdk.spec.ts.

import { strict as assert } from 'node:assert';
import { requestUserToken, TOKEN_SCOPE } from '../../lib/profile/token.js';

type Reply = (url: string, init: RequestInit) => Promise<Response>;

const json = (status: number, body: unknown) => async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const ask = (reply: Reply, timeoutMs = 1000) => requestUserToken({
  endpoint: 'http://127.0.0.1:1/oauth/token', userJid: 'alice@localhost', password: 'pä ss&=', fetch: reply as typeof fetch, timeoutMs,
});

describe('profile/token', () => {
  it('sends the password grant as a form, and answers 200 with the token', async () => {
    let sent: { url: string; init: RequestInit } | undefined;
    const answer = await ask(async (url, init) => {
      sent = { url, init };
      return json(200, { access_token: 'tok-123', token_type: 'bearer', expires_in: 3600 })();
    });
    assert.deepEqual(answer, { statusCode: 200, message: 'Success', userToken: 'tok-123' });
    assert.equal(sent?.url, 'http://127.0.0.1:1/oauth/token');
    assert.equal(sent?.init.method, 'POST');
    assert.equal((sent?.init.headers as Record<string, string>)['Content-Type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(String(sent?.init.body));
    assert.deepEqual(Object.fromEntries(form), { grant_type: 'password', username: 'alice@localhost', password: 'pä ss&=', scope: TOKEN_SCOPE });
  });

  it('maps the endpoint\'s refusals: invalid_grant and 401 to 401, 400 to 400, no endpoint to 501', async () => {
    assert.equal((await ask(json(400, { error: 'invalid_grant' }))).statusCode, 401);
    assert.equal((await ask(json(401, {}))).statusCode, 401);
    assert.equal((await ask(json(400, { error: 'invalid_request' }))).statusCode, 400);
    assert.equal((await ask(json(400, { error: 'unsupported_grant_type' }))).statusCode, 501);
    assert.equal((await ask(async () => new Response('not found', { status: 404 }))).statusCode, 501);
    assert.equal((await ask(json(200, { token_type: 'bearer' }))).statusCode, 500);
    assert.equal((await ask(async () => new Response('<html>', { status: 502 }))).statusCode, 500);
  });

  it('maps a connection closed without a reply (ejabberd 23.01, wrong password) to 401', async () => {
    const closed = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    assert.equal((await ask(async () => { throw closed; })).statusCode, 401);
  });

  it('maps an unreachable endpoint to 500 and a silent one to 408', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const unreachable = await ask(async () => { throw refused; });
    assert.equal(unreachable.statusCode, 500);
    assert.match(unreachable.message, /ECONNREFUSED/);
    const silent = await ask((_url, init) => new Promise((_resolve, reject) => {
      init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    }), 50);
    assert.equal(silent.statusCode, 408);
  });

  it('never puts the password in a message', async () => {
    for (const reply of [json(400, { error: 'invalid_grant' }), json(500, { error: 'server_error' }), async () => { throw new TypeError('fetch failed'); }] as Reply[]) {
      assert.ok(!(await ask(reply)).message.includes('pä ss'));
    }
  });
});
