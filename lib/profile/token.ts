/**
 * User tokens: the OAuth 2.0 resource owner password credentials grant (RFC 6749 §4.3) against the
 * server's token endpoint — the project's Prosody module (`mod_profile_token`) or ejabberd's built-in
 * `/oauth/token`. The token then logs in with SASL OAUTHBEARER (RFC 7628) or X-OAUTH2.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5 (the answers)
 */
import { fail, ok } from './answers.js';
import type { Answer } from './types.js';

/** The answer of `getUserToken`. */
export type TokenAnswer = Answer & { readonly userToken?: string };

/** What the token request needs. */
export interface TokenRequest {
  /** The token endpoint, e.g. `http://127.0.0.1:15280/oauth/token`. */
  readonly endpoint: string;
  /** The account's bare JID (`user@domain`: ejabberd wants the domain; the project's module takes both). */
  readonly userJid: string;
  readonly password: string;
  readonly fetch: typeof fetch;
  /** Milliseconds to wait for the endpoint. */
  readonly timeoutMs: number;
}

/**
 * The scope asked for. ejabberd issues tokens that log in over SASL only with `sasl_auth`
 * (shared/notes/servers.md); the project's module ignores the scope.
 */
export const TOKEN_SCOPE = 'sasl_auth';

/**
 * Asks the token endpoint for a token. Answers (API.md §4): 200 with `userToken`; 401 for wrong
 * credentials (RFC 6749 §5.2 `invalid_grant`, an HTTP 401, or ejabberd 23.01's reply-less close of the
 * connection); 400 for a request the endpoint calls malformed; 501 when there is no endpoint (404, 405,
 * `unsupported_grant_type`); 408 when it does not answer in time; 500 for anything else.
 */
export async function requestUserToken(request: TokenRequest): Promise<TokenAnswer> {
  const body = new URLSearchParams({ grant_type: 'password', username: request.userJid, password: request.password, scope: TOKEN_SCOPE });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  let response: Response;
  try {
    response = await request.fetch(request.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: body.toString(),
      signal: controller.signal,
    });
  } catch (error) {
    if (controller.signal.aborted) return fail(408, `the token endpoint did not answer within ${request.timeoutMs} ms`);
    // ejabberd 23.01 closes the connection without a reply when the password is wrong.
    if (closedWithoutReply(error)) return fail(401, 'Invalid credentials (the token endpoint closed the connection without a reply)');
    return fail(500, `Connection Error: the token endpoint cannot be reached (${describe(error)})`);
  } finally {
    clearTimeout(timer);
  }
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (parsed !== null && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status alone
  }
  const oauthError = typeof json.error === 'string' ? json.error : '';
  if (response.ok && typeof json.access_token === 'string' && json.access_token !== '') {
    return ok('Success', { userToken: json.access_token });
  }
  if (oauthError === 'invalid_grant' || oauthError === 'invalid_client' || response.status === 401) {
    return fail(401, 'Invalid credentials');
  }
  if (oauthError === 'unsupported_grant_type' || response.status === 404 || response.status === 405) {
    return fail(501, `the server offers no password-grant token endpoint at ${request.endpoint} (HTTP ${response.status}${oauthError ? `, ${oauthError}` : ''})`);
  }
  if (response.status === 400) return fail(400, `the token endpoint refused the request (${oauthError || 'HTTP 400'})`);
  return fail(500, `the token endpoint answered HTTP ${response.status}${oauthError ? ` (${oauthError})` : ''} without a token`);
}

/** Node's fetch (undici) reports a connection closed before any reply as `other side closed`. */
function closedWithoutReply(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  return cause?.code === 'UND_ERR_SOCKET' || (typeof cause?.message === 'string' && cause.message.includes('other side closed'));
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? ` ${cause.code}` : '';
  return `${error instanceof Error ? error.message : String(error)}${code}`;
}
