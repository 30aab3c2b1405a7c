// Integration: the project's own Prosody modules (server/prosody/modules) on the real test server.
// mod_profile_blocked_by: the feature in disco#info, the reverse index of XEP-0191 blocks (bare and full
// JIDs, several blockers, "unblock all", refused requests, a deleted blocker, both VirtualHosts), one
// push per change to each session, the index kept across a restart and built from blocks that predate
// it. mod_profile_token: the OAuth 2.0 password grant at /oauth/token (RFC 6749 §4.3, §5.1, §5.2,
// CORS) and SASL OAUTHBEARER / X-OAUTH2 with its tokens: expiry, another user's token, unknown tokens,
// and password login next to them.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { Element } from 'ltx';
import { SaslError, StanzaError } from '../../lib/errors.js';
import {
  buildBlockedByGet,
  isBlockedByPush,
  parseBlockedBy,
  parseBlockedByPush,
  type BlockedByPush,
} from '../../lib/stanzas/blocked-by.js';
import { buildBlock, buildBlocklistGet, buildUnblock, parseBlocklist } from '../../lib/stanzas/blocking.js';
import { buildDiscoInfoGet, hasFeature, parseDiscoInfo } from '../../lib/stanzas/disco.js';
import { buildIqGet, buildIqSet } from '../../lib/stanzas/iq.js';
import { NS_BLOCKED_BY, NS_BLOCKING, NS_PING } from '../../lib/stanzas/ns.js';
import { buildUnregister } from '../../lib/stanzas/register.js';
import { Session, createWebSocketTransport, type SessionOptions } from '../../lib/transport/node.js';
import { freshName } from '../support/accounts.js';
import { registerUser, restartServer, useServer, type ServerHandleOf } from '../support/servers.js';
import { wait } from '../support/wait.js';

interface Account {
  readonly username: string;
  readonly password: string;
  readonly domain: string;
  /** The bare JID. */
  readonly bare: string;
}

/** A push as received: the parsed payload and the message's addresses. */
interface ReceivedPush extends BlockedByPush {
  readonly from: string | undefined;
  readonly to: string | undefined;
}

interface TokenAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const ping = (to: string) => (id: string): Element => buildIqGet(id, to, new Element('ping', { xmlns: NS_PING }));
const isNotAuthorized = (error: unknown): boolean =>
  error instanceof SaslError && error.code === 'SASL_FAILURE' && error.condition === 'not-authorized';

describe('the project\'s Prosody modules against real Prosody', function () {
  this.timeout(30_000);
  let server: ServerHandleOf<'prosody'>;
  const sessions: Session[] = [];

  before(async function () {
    this.timeout(45_000);
    server = await useServer('prosody');
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });

  const account = async (domain: string = server.domain): Promise<Account> => {
    const username = freshName('pm');
    const password = `pw-${username}-é`;
    await registerUser(server, username, password, domain);
    return { username, password, domain, bare: `${username}@${domain}` };
  };

  const session = (domain: string, options: Partial<SessionOptions> = {}): Session => {
    const s = new Session({ transport: () => createWebSocketTransport({ url: server.websocketUrl }), domain, reconnect: false, ...options });
    sessions.push(s);
    return s;
  };

  const connect = async (who: Account, options: Partial<SessionOptions> = {}): Promise<Session> => {
    const s = session(who.domain, options);
    await s.login({ username: who.username, password: who.password });
    return s;
  };

  describe('mod_profile_blocked_by', () => {
    /** The blocked-by pushes that reach a session (from its own account, as the codec's caller must check). */
    const pushesOf = (s: Session, own: Account): ReceivedPush[] => {
      const received: ReceivedPush[] = [];
      s.on('stanza', (element) => {
        if (!isBlockedByPush(element)) return;
        const from = element.attrs.from as string | undefined;
        if (from !== undefined && from !== own.bare) return;
        received.push({ ...parseBlockedByPush(element), from, to: element.attrs.to as string | undefined });
      });
      return received;
    };
    const blockedBy = async (s: Session): Promise<readonly string[]> => parseBlockedBy(await s.iq((id) => buildBlockedByGet(id))).jids;
    const block = async (s: Session, jids: readonly string[]) => s.iq((id) => buildBlock(id, jids));
    const unblock = async (s: Session, jids: readonly string[]) => s.iq((id) => buildUnblock(id, jids));
    /**
     * A round trip on the session: the server sends a push in the same pass that handles the blocker's
     * request, so a push already sent arrives before this answer, and one not yet arrived was not sent.
     */
    const settle = async (...all: Session[]) => Promise.all(all.map((s) => s.iq(ping(server.domain))));
    const sorted = (jids: readonly string[]) => [...jids].sort();

    it('advertises urn:xmpp-profile:blocked-by:0 in the disco#info of both VirtualHosts', async () => {
      for (const domain of [server.domain, server.sandboxDomain]) {
        const s = await connect(await account(domain));
        const info = parseDiscoInfo(await s.iq((id) => buildDiscoInfoGet(id, domain)));
        assert.ok(hasFeature(info, NS_BLOCKED_BY), `${domain}: ${info.features.join(' ')}`);
        assert.ok(hasFeature(info, NS_BLOCKING), 'XEP-0191 itself');
      }
    });

    it('A (by a full JID) and C block B: B\'s query lists both bare JIDs', async () => {
      const [a, b, c] = [await account(), await account(), await account()];
      const [sa, sb, sc] = [await connect(a), await connect(b), await connect(c)];
      assert.deepEqual(await blockedBy(sb), []);
      await block(sa, [`${b.bare}/phone`]);
      await block(sc, [b.bare]);
      assert.deepEqual(await blockedBy(sb), sorted([a.bare, c.bare]));
      // mod_blocklist itself keeps the full JID as sent.
      assert.deepEqual(parseBlocklist(await sa.iq((id) => buildBlocklistGet(id))).jids, [`${b.bare}/phone`]);
      // Nobody blocks A or C.
      assert.deepEqual(await blockedBy(sa), []);
      assert.deepEqual(await blockedBy(sc), []);
    });

    it('B online in two sessions gets exactly one push per change in each, and none when nothing changes', async () => {
      const [a, b] = [await account(), await account()];
      const sa = await connect(a);
      const [b1, b2] = [await connect(b, { resource: 'one' }), await connect(b, { resource: 'two' })];
      const [p1, p2] = [pushesOf(b1, b), pushesOf(b2, b)];
      const step = async (change: () => Promise<unknown>, expected: BlockedByPush[]) => {
        const [n1, n2] = [p1.length, p2.length];
        await change();
        await settle(b1, b2);
        assert.deepEqual(p1.slice(n1).map(({ action, jids }) => ({ action, jids })), expected, 'session one');
        assert.deepEqual(p2.slice(n2).map(({ action, jids }) => ({ action, jids })), expected, 'session two');
      };
      await step(() => block(sa, [b.bare]), [{ action: 'block', jids: [a.bare] }]);
      await step(() => block(sa, [b.bare]), []); // already blocked
      await step(() => block(sa, [`${b.bare}/one`]), []); // still blocked, now by two items
      await step(() => unblock(sa, [b.bare]), []); // the full JID still blocks B
      assert.deepEqual(await blockedBy(b1), [a.bare]);
      await step(() => unblock(sa, [`${b.bare}/one`]), [{ action: 'unblock', jids: [a.bare] }]);
      // Addressed from B's own account to each session's full JID.
      for (const [s, pushes] of [[b1, p1], [b2, p2]] as const) {
        for (const push of pushes) {
          assert.equal(push.from, b.bare);
          assert.equal(push.to, s.jid);
        }
      }
    });

    it('unblock: B gets an unblock push and A is gone from B\'s query', async () => {
      const [a, b] = [await account(), await account()];
      const [sa, sb] = [await connect(a), await connect(b)];
      const pushes = pushesOf(sb, b);
      await block(sa, [b.bare]);
      assert.deepEqual(await blockedBy(sb), [a.bare]);
      await unblock(sa, [b.bare]);
      await settle(sb);
      assert.deepEqual(pushes.map(({ action, jids }) => ({ action, jids })), [
        { action: 'block', jids: [a.bare] },
        { action: 'unblock', jids: [a.bare] },
      ]);
      assert.deepEqual(await blockedBy(sb), []);
    });

    it('"unblock all" by A removes A from everyone A blocked, with a push to each; other blockers stay', async () => {
      const [a, b, c, e] = [await account(), await account(), await account(), await account()];
      const [sa, sb, sc, se] = [await connect(a), await connect(b), await connect(c), await connect(e)];
      const [pb, pc] = [pushesOf(sb, b), pushesOf(sc, c)];
      // Remote and domain JIDs are in A's list but not indexed.
      await block(sa, [b.bare, `${c.bare}/laptop`, 'someone@example.org', 'example.org']);
      await block(se, [c.bare]);
      assert.deepEqual(await blockedBy(sb), [a.bare]);
      assert.deepEqual(await blockedBy(sc), sorted([a.bare, e.bare]));
      await unblock(sa, []);
      assert.deepEqual(parseBlocklist(await sa.iq((id) => buildBlocklistGet(id))).jids, []);
      await settle(sb, sc);
      assert.deepEqual(pb.map(({ action, jids }) => ({ action, jids })), [
        { action: 'block', jids: [a.bare] },
        { action: 'unblock', jids: [a.bare] },
      ]);
      assert.deepEqual(pc.map(({ action, jids }) => ({ action, jids })), [
        { action: 'block', jids: [a.bare] },
        { action: 'block', jids: [e.bare] },
        { action: 'unblock', jids: [a.bare] },
      ]);
      assert.deepEqual(await blockedBy(sb), []);
      assert.deepEqual(await blockedBy(sc), [e.bare]);
    });

    it('a refused block or unblock leaves the index as it was, with no push', async () => {
      const [a, b, c] = [await account(), await account(), await account()];
      const [sa, sb, sc] = [await connect(a), await connect(b), await connect(c)];
      const [pb, pc] = [pushesOf(sb, b), pushesOf(sc, c)];
      await block(sa, [b.bare]);
      const condition = (expected: string) => (error: unknown) => error instanceof StanzaError && error.condition === expected;
      // One malformed JID: mod_blocklist refuses the whole request, C included.
      await assert.rejects(block(sa, [c.bare, `bad user@${server.domain}`]), condition('jid-malformed'));
      // <block/> without items (XEP-0191 §3.3), built by hand: the codec refuses to build it.
      await assert.rejects(sa.iq((id) => buildIqSet(id, undefined, new Element('block', { xmlns: NS_BLOCKING }))), condition('bad-request'));
      // A refused unblock keeps B blocked.
      await assert.rejects(unblock(sa, [b.bare, `bad user@${server.domain}`]), condition('jid-malformed'));
      await settle(sb, sc);
      assert.deepEqual(await blockedBy(sb), [a.bare]);
      assert.deepEqual(await blockedBy(sc), []);
      assert.deepEqual(pb.map(({ action, jids }) => ({ action, jids })), [{ action: 'block', jids: [a.bare] }]);
      assert.deepEqual(pc, []);
      assert.deepEqual(parseBlocklist(await sa.iq((id) => buildBlocklistGet(id))).jids, [b.bare]);
    });

    it('works on sandbox.localhost and across the two VirtualHosts', async () => {
      const [a, b] = [await account(server.sandboxDomain), await account(server.sandboxDomain)];
      const local = await account(server.domain);
      const [sa, sb, sl] = [await connect(a), await connect(b), await connect(local)];
      const pb = pushesOf(sb, b);
      await block(sa, [b.bare]);
      await block(sl, [b.bare]); // a user of the other VirtualHost is a local user too
      await settle(sb);
      assert.deepEqual(await blockedBy(sb), sorted([a.bare, local.bare]));
      assert.deepEqual(pb.map(({ action, jids }) => ({ action, jids })), [
        { action: 'block', jids: [a.bare] },
        { action: 'block', jids: [local.bare] },
      ]);
      await block(sb, [local.bare]);
      assert.deepEqual(await blockedBy(sl), [b.bare]);
    });

    it('a blocker that deletes its account (XEP-0077 remove) unblocks everyone it blocked, with pushes', async () => {
      const [a, b] = [await account(), await account()];
      const [sa, sb] = [await connect(a), await connect(b)];
      const pb = pushesOf(sb, b);
      await block(sa, [b.bare]);
      assert.deepEqual(await blockedBy(sb), [a.bare]);
      await sa.iq((id) => buildUnregister(id));
      await settle(sb);
      assert.deepEqual(await blockedBy(sb), []);
      assert.deepEqual(pb.map(({ action, jids }) => ({ action, jids })), [
        { action: 'block', jids: [a.bare] },
        { action: 'unblock', jids: [a.bare] },
      ]);
    });

    it('keeps the index across a restart, and builds it from blocklists that exist before it', async function () {
      this.timeout(60_000);
      const [a, b, c] = [await account(), await account(), await account(server.sandboxDomain)];
      const [sa, sc] = [await connect(a), await connect(c)];
      await block(sa, [b.bare, c.bare]);
      await block(sc, [b.bare]);
      await Promise.all(sessions.splice(0).map((s) => s.close()));

      await restartServer(server);
      const sb = await connect(b);
      assert.deepEqual(await blockedBy(sb), sorted([a.bare, c.bare]), 'after a restart');

      // As on a server that had blocklists before the module: no index, no record of a first build.
      const removed = removeIndexFiles(path.join(server.dataDir, 'data'));
      assert.ok(removed.length >= 3, `removed ${removed.join(', ')}`);
      await sb.close();
      await restartServer(server);
      const again = await connect(b);
      assert.deepEqual(await blockedBy(again), sorted([a.bare, c.bare]), 'rebuilt from the blocklists');
      assert.deepEqual(await blockedBy(await connect(c)), [a.bare]);
    });
  });

  describe('mod_profile_token', () => {
    const tokenUrl = () => `${server.httpBase}oauth/token`;

    const requestToken = async (fields: Record<string, string>, init: { contentType?: string; headers?: Record<string, string> } = {}): Promise<TokenAnswer> => {
      const response = await fetch(tokenUrl(), {
        method: 'POST',
        headers: { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded', ...init.headers },
        body: new URLSearchParams(fields).toString(),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    };

    const tokenFor = async (who: Account, extra: Record<string, string> = {}): Promise<string> => {
      const answer = await requestToken({ grant_type: 'password', username: who.username, password: who.password, ...extra });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const token = answer.body.access_token;
      assert.ok(typeof token === 'string' && token !== '');
      return token;
    };

    /** Logs in with a token, only with the one mechanism; the mechanism the trace shows. */
    const tokenLogin = async (who: Account, token: string, mechanism: 'OAUTHBEARER' | 'X-OAUTH2', username = who.username): Promise<{ jid: string; session: Session; traces: string[] }> => {
      const traces: string[] = [];
      const s = session(who.domain, { mechanisms: [mechanism], onTrace: (entry) => traces.push(`${entry.direction} ${entry.xml}`) });
      const jid = await s.login({ username, token });
      return { jid, session: s, traces };
    };

    it('issues a bearer token (200, no-store) that logs in with OAUTHBEARER', async () => {
      const who = await account();
      const answer = await requestToken({ grant_type: 'password', username: who.username, password: who.password, scope: 'xmpp' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.equal(answer.headers.get('pragma'), 'no-cache');
      assert.equal(answer.body.token_type, 'bearer');
      assert.equal(answer.body.expires_in, 3600);
      assert.equal(answer.body.scope, 'xmpp');
      const token = answer.body.access_token as string;
      assert.match(token, /^[A-Za-z0-9\-._~+/]+=*$/, 'an RFC 6750 b64token');
      const { jid, session: s, traces } = await tokenLogin(who, token, 'OAUTHBEARER');
      assert.match(jid, new RegExp(`^${who.bare}/`));
      assert.equal((await s.iq(ping(server.domain))).attrs.type, 'result');
      assert.ok(traces.some((line) => line.includes("mechanism='OAUTHBEARER'")));
      assert.ok(!traces.some((line) => line.includes(token)), 'a token in the trace');
    });

    it('the same token logs in with X-OAUTH2, more than once', async () => {
      const who = await account();
      const token = await tokenFor(who);
      const first = await tokenLogin(who, token, 'X-OAUTH2');
      assert.match(first.jid, new RegExp(`^${who.bare}/`));
      assert.ok(first.traces.some((line) => line.includes("mechanism='X-OAUTH2'")));
      const second = await tokenLogin(who, token, 'X-OAUTH2');
      assert.match(second.jid, new RegExp(`^${who.bare}/`));
    });

    it('offers OAUTHBEARER and X-OAUTH2 beside SCRAM-SHA-1 and PLAIN; password login with SCRAM-SHA-1 still works', async () => {
      const who = await account();
      const traces: string[] = [];
      const s = session(who.domain, { mechanisms: ['SCRAM-SHA-1'], onTrace: (entry) => traces.push(entry.xml) });
      await s.login({ username: who.username, password: who.password });
      assert.ok(traces.some((line) => line.includes("mechanism='SCRAM-SHA-1'")));
      const features = traces.find((line) => line.includes('<mechanisms')) ?? '';
      for (const mechanism of ['SCRAM-SHA-1', 'PLAIN', 'OAUTHBEARER', 'X-OAUTH2']) {
        assert.ok(features.includes(`<mechanism>${mechanism}</mechanism>`), `${mechanism} in ${features}`);
      }
    });

    it('user@host names the VirtualHost: a sandbox.localhost user gets a token at the default host and logs in with it', async () => {
      const who = await account(server.sandboxDomain);
      const token = await tokenFor(who, { username: who.bare });
      const { jid } = await tokenLogin(who, token, 'OAUTHBEARER');
      assert.match(jid, new RegExp(`^${who.bare}/`));
      // Without the host, the name is looked up on the default host, where this user does not exist.
      const bare = await requestToken({ grant_type: 'password', username: who.username, password: who.password });
      assert.deepEqual([bare.status, bare.body.error], [400, 'invalid_grant']);
      // A token of one VirtualHost does not log in on the other.
      const local: Account = { ...who, domain: server.domain, bare: `${who.username}@${server.domain}` };
      await assert.rejects(tokenLogin(local, token, 'X-OAUTH2'), isNotAuthorized);
    });

    it('a wrong password or an unknown user is 400 invalid_grant', async () => {
      const who = await account();
      for (const fields of [
        { username: who.username, password: 'wrong' },
        { username: freshName('nobody'), password: who.password },
        { username: `${who.username}@example.org`, password: who.password },
      ]) {
        const answer = await requestToken({ grant_type: 'password', ...fields });
        assert.equal(answer.status, 400, JSON.stringify(fields));
        assert.equal(answer.body.error, 'invalid_grant');
        assert.equal(answer.body.access_token, undefined);
        assert.equal(answer.headers.get('cache-control'), 'no-store');
      }
    });

    it('missing, repeated or malformed parameters are 400 invalid_request', async () => {
      const who = await account();
      const full = { grant_type: 'password', username: who.username, password: who.password };
      const cases: [string, Record<string, string>, string?][] = [
        ['no grant_type', { username: who.username, password: who.password }],
        ['no username', { grant_type: 'password', password: who.password }],
        ['no password', { grant_type: 'password', username: who.username }],
        ['empty password', { ...full, password: '' }],
        ['expires_in not a number', { ...full, expires_in: 'soon' }],
        ['expires_in zero', { ...full, expires_in: '0' }],
        ['a JSON body', full, 'application/json'],
      ];
      for (const [what, fields, contentType] of cases) {
        const answer = await requestToken(fields, contentType === undefined ? {} : { contentType });
        assert.deepEqual([answer.status, answer.body.error], [400, 'invalid_request'], what);
      }
      const empty = await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.deepEqual([empty.status, ((await empty.json()) as { error: string }).error], [400, 'invalid_request'], 'an empty body');
      const repeated = await fetch(tokenUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `${new URLSearchParams(full).toString()}&username=${encodeURIComponent(who.username)}`,
      });
      assert.deepEqual([repeated.status, ((await repeated.json()) as { error: string }).error], [400, 'invalid_request'], 'a repeated parameter');
    });

    it('another grant type is 400 unsupported_grant_type', async () => {
      const who = await account();
      for (const grant of ['client_credentials', 'authorization_code', 'PASSWORD']) {
        const answer = await requestToken({ grant_type: grant, username: who.username, password: who.password });
        assert.deepEqual([answer.status, answer.body.error], [400, 'unsupported_grant_type'], grant);
      }
    });

    it('expires_in shortens the lifetime (never lengthens it); an expired token is refused with not-authorized', async () => {
      const who = await account();
      const long = await requestToken({ grant_type: 'password', username: who.username, password: who.password, expires_in: '86400' });
      assert.equal(long.body.expires_in, 3600, 'cut to profile_token_ttl');
      const answer = await requestToken({ grant_type: 'password', username: who.username, password: who.password, expires_in: '1' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.expires_in, 1);
      const token = answer.body.access_token as string;
      await tokenLogin(who, token, 'OAUTHBEARER'); // valid at first
      await wait(1500);
      await assert.rejects(tokenLogin(who, token, 'OAUTHBEARER'), isNotAuthorized);
      await assert.rejects(tokenLogin(who, token, 'X-OAUTH2'), isNotAuthorized);
      // The long-lived one still works.
      await tokenLogin(who, long.body.access_token as string, 'X-OAUTH2');
    });

    it('a token of user A does not log in as user B; an unknown token is refused', async () => {
      const [a, b] = [await account(), await account()];
      const token = await tokenFor(a);
      for (const mechanism of ['OAUTHBEARER', 'X-OAUTH2'] as const) {
        await assert.rejects(tokenLogin(b, token, mechanism), isNotAuthorized, mechanism);
        const forged = `pt1.${Buffer.from(a.username).toString('base64url')}.${'A'.repeat(43)}`;
        await assert.rejects(tokenLogin(a, forged, mechanism), isNotAuthorized, `${mechanism}, forged`);
        await assert.rejects(tokenLogin(a, 'bm90LWEtdG9rZW4=', mechanism), isNotAuthorized, `${mechanism}, garbage`);
      }
      // OAUTHBEARER fails as RFC 7628 §3.2.2-3.2.3 say: an error challenge, the client's %x01, then <failure/>.
      const traces: string[] = [];
      const s = session(b.domain, { mechanisms: ['OAUTHBEARER'], onTrace: (entry) => traces.push(`${entry.direction} ${entry.xml}`) });
      await assert.rejects(s.login({ username: b.username, token }), isNotAuthorized);
      const sasl = traces.filter((line) => /<(auth|challenge|response|success|failure)\b/.test(line)).map((line) => line.replace(/^(\S+) <(\w+).*$/s, '$1 $2'));
      assert.deepEqual(sasl, ['out auth', 'in challenge', 'out response', 'in failure']);
      // The token still works for its own user.
      await tokenLogin(a, token, 'OAUTHBEARER');
    });

    it('answers CORS preflights and names the origin on the POST', async () => {
      const origin = 'http://app.example.test';
      const preflight = await fetch(tokenUrl(), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      assert.equal(preflight.status, 200);
      assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /content-type/i);
      const who = await account();
      const answer = await requestToken({ grant_type: 'password', username: who.username, password: who.password }, { headers: { origin } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('access-control-allow-origin'), origin);
    });
  });
});

/**
 * Deletes the blocked-by index and its first-build record under Prosody's data folder (the internal
 * storage: <host>/<store>/<user>.dat and <host>/<store>.dat, names %-encoded). Returns what it removed.
 */
function removeIndexFiles(dataPath: string): string[] {
  const removed: string[] = [];
  for (const hostDir of fs.readdirSync(dataPath)) {
    const full = path.join(dataPath, hostDir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const entry of fs.readdirSync(full)) {
      const name = decodeURIComponent(entry);
      if (name === 'profile_blocked_by' || name === 'profile_blocked_by_state.dat') {
        fs.rmSync(path.join(full, entry), { recursive: true });
        removed.push(`${decodeURIComponent(hostDir)}/${name}`);
      }
    }
  }
  return removed;
}
