// Integration: the SDK facade (API.md §2-§5) against real servers — Prosody over WebSocket and BOSH,
// ejabberd over WebSocket — with two or three real users: every method's success answer and the
// error codes it can give, the listeners' payloads field by field, pushes between users (roster,
// profile, blocking both ways), image bytes uploaded and read back over HTTP, tokens and token login,
// 50 concurrent calls on one session.

import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { createSDK, SdkError, type ProfileSDK } from '../../lib/node.js';
import type { BlockEvent, ConnectionEvent, Profile, User } from '../../lib/profile/types.js';
import { freshName } from '../support/accounts.js';
import { restartServer, useServer, type ServerHandle } from '../support/servers.js';
import { until, wait } from '../support/wait.js';

/** A user of the SDK with every listener recording its payloads. */
interface Tester {
  readonly sdk: ProfileSDK;
  readonly connection: ConnectionEvent[];
  readonly friends: User[][];
  readonly profiles: Profile[];
  readonly blocks: BlockEvent[];
  username: string;
  password: string;
  jid: string;
}



/** A PNG of 2x2 pixels. */
const PNG = Uint8Array.from(Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64'));

const TARGETS = [
  { name: 'Prosody over WebSocket', server: 'prosody', bosh: false },
  { name: 'Prosody over BOSH', server: 'prosody', bosh: true },
  { name: 'ejabberd over WebSocket', server: 'ejabberd', bosh: false },
] as const;

for (const target of TARGETS) {
  describe(`SDK on ${target.name}`, function () {
    this.timeout(30_000);
    let server: ServerHandle;
    const testers: Tester[] = [];

    before(async function () {
      this.timeout(60_000);
      server = await useServer(target.server);
    });

    afterEach(async () => {
      await Promise.all(testers.splice(0).map((tester) => tester.sdk.logout()));
    });

    const options = (overrides: Record<string, unknown> = {}) => ({
      service: target.bosh ? server.boshUrl : server.websocketUrl,
      domain: server.domain,
      sandboxDomain: server.sandboxDomain,
      apiBaseUrl: server.httpBase.replace(/\/$/, ''),
      requestTimeoutMs: 5000,
      ...overrides,
    });

    /** A new SDK instance with recording listeners (not logged in). */
    async function tester(overrides: Record<string, unknown> = {}): Promise<Tester> {
      const sdk = createSDK();
      const t: Tester = { sdk, connection: [], friends: [], profiles: [], blocks: [], username: '', password: '', jid: '' };
      const init = await sdk.initializeSDK({
        ...options(overrides),
        callbackListeners: {
          connectionListener: (event) => t.connection.push(event),
          friendsListListener: (users) => t.friends.push(users),
          userProfileListener: (profile) => t.profiles.push(profile),
          blockUserListener: (event) => t.blocks.push(event),
        },
      });
      assert.deepEqual(init, { statusCode: 200, message: 'Success' });
      testers.push(t);
      return t;
    }

    /** A registered, logged-in user. */
    async function user(prefix = 'u'): Promise<Tester> {
      const t = await tester();
      const answer = await t.sdk.register(freshName(prefix), true);
      assert.equal(answer.statusCode, 200, answer.message);
      assert.ok(answer.data);
      t.username = answer.data.username;
      t.password = answer.data.password;
      t.jid = answer.data.userJid;
      return t;
    }

    /** Two users who asked each other to be friends, with a mutual subscription. */
    async function friends(): Promise<[Tester, Tester]> {
      const [a, b] = await Promise.all([user('a'), user('b')]);
      assert.equal((await a.sdk.addFriend(b.jid, 'Bee')).statusCode, 200);
      assert.equal((await b.sdk.addFriend(a.jid)).statusCode, 200);
      for (const [x, y] of [[a, b], [b, a]] as const) {
        let last: unknown;
        await until(async () => {
          last = await x.sdk.getFriendsList();
          return (last as Awaited<ReturnType<ProfileSDK['getFriendsList']>>).data?.find((u) => u.userJid === y.jid)?.isFriend === true;
        }, 8000, `${x.jid} to see ${y.jid} as a friend`, () => last);
      }
      return [a, b];
    }

    describe('initializeSDK, register, connect, logout', () => {
      it('answers 400 naming the option for bad options, 200 for good ones', async () => {
        const sdk = createSDK();
        for (const [bad, name] of [
          [{}, 'service'],
          [{ service: 'ftp://x' }, 'service'],
          [{ service: server.websocketUrl, domain: 'not a domain!' }, 'domain'],
          [{ service: server.websocketUrl, requestTimeoutMs: -1 }, 'requestTimeoutMs'],
          [{ service: server.websocketUrl, callbackListeners: { connectionListener: 42 } }, 'connectionListener'],
          [{ service: server.websocketUrl, apiBaseUrl: 'nope' }, 'apiBaseUrl'],
        ] as const) {
          const answer = await sdk.initializeSDK(bad as never);
          assert.equal(answer.statusCode, 400);
          assert.match(answer.message, new RegExp(name));
        }
        assert.deepEqual(await sdk.initializeSDK(options()), { statusCode: 200, message: 'Success' });
      });

      it('answers 500 Connection Error for calls made before connecting', async () => {
        const t = await tester();
        for (const answer of [
          await t.sdk.getFriendsList(), await t.sdk.getUserProfile('someone'), await t.sdk.setUserProfile('x'),
          await t.sdk.getLastSeen('someone'), await t.sdk.blockUser('someone'), await t.sdk.unblockUser('someone'),
          await t.sdk.getUsersIBlocked(), await t.sdk.getUsersWhoBlockedMe(), await t.sdk.logout(), t.sdk.getCurrentUserJid(),
        ]) {
          assert.equal(answer.statusCode, 500);
          assert.match(answer.message, /^Connection Error/);
        }
      });

      it('registers with a generated password and logs in (AUTO_LOGIN), firing CONNECTED', async () => {
        const t = await tester();
        const identifier = `Reg ${freshName('Z')}`;
        const answer = await t.sdk.register(identifier, true);
        assert.equal(answer.statusCode, 200);
        assert.equal(answer.message, 'Success');
        const data = answer.data!;
        assert.equal(data.username, identifier.toLowerCase().replace(' ', '\\20'));
        assert.equal(data.userJid, `${data.username}@${server.domain}`);
        assert.equal(data.isSandbox, false);
        assert.ok(data.password.length >= 22, 'at least 128 bits of base64url');
        assert.deepEqual(t.connection, [{ status: 'CONNECTED' }]);
        assert.deepEqual(t.sdk.getCurrentUserJid(), { statusCode: 200, message: 'Success', userJid: data.userJid });
        // The same identifier again: 409.
        const again = await (await tester()).sdk.register(identifier);
        assert.equal(again.statusCode, 409);
        assert.match(again.message, /USER_IDENTIFIER/);
        // Without AUTO_LOGIN the account exists and logs in with the password.
        const other = await tester();
        const plain = await other.sdk.register(freshName('plain'));
        assert.equal(plain.statusCode, 200);
        assert.deepEqual(other.connection, []);
        assert.deepEqual(await other.sdk.connect(plain.data!.username, plain.data!.password), { statusCode: 200, message: 'Login Success' });
      });

      it('registers on the sandbox domain with isSandbox', async () => {
        const t = await tester({ isSandbox: true });
        const answer = await t.sdk.register(freshName('sand'), true);
        assert.equal(answer.statusCode, 200, answer.message);
        assert.equal(answer.data!.isSandbox, true);
        assert.equal(answer.data!.userJid, `${answer.data!.username}@${server.sandboxDomain}`);
        assert.equal(t.sdk.getCurrentUserJid().userJid, answer.data!.userJid);
      });

      it('answers 400 for bad identifiers and usernames before sending anything', async () => {
        const t = await tester();
        for (const bad of ['', '   ', 'bad\u0000id', 'x'.repeat(2000)]) {
          const answer = await t.sdk.register(bad);
          assert.equal(answer.statusCode, 400);
          assert.match(answer.message, /USER_IDENTIFIER/);
        }
        await assert.rejects(t.sdk.connect('', 'pw'), (error: SdkError) => error.statusCode === 400 && /USERNAME/.test(error.message));
        await assert.rejects(t.sdk.connect('bob'), (error: SdkError) => error.statusCode === 400 && /PASSWORD/.test(error.message));
        assert.deepEqual(t.connection, []);
      });

      it('rejects connect with SdkError 401 and fires AUTHFAIL for a wrong password; 409 when already logged in', async () => {
        const a = await user('a');
        const t = await tester();
        await assert.rejects(t.sdk.connect(a.username, 'wrong password'), (error: unknown) => {
          assert.ok(error instanceof SdkError);
          assert.equal(error.statusCode, 401);
          return true;
        });
        assert.equal(t.connection.length, 1);
        assert.equal(t.connection[0]!.status, 'AUTHFAIL');
        assert.equal(t.connection[0]!.statusCode, 401);
        await assert.rejects(a.sdk.connect(a.username, a.password), (error: SdkError) => error.statusCode === 409);
        assert.equal((await a.sdk.register(freshName('x'), true)).statusCode, 409);
      });

      it('rejects with 500 and fires CONNECTIONFAILED when the server cannot be reached', async () => {
        const t = await tester({ service: target.bosh ? 'http://127.0.0.1:9/http-bind' : 'ws://127.0.0.1:9/ws', reconnect: false });
        await assert.rejects(t.sdk.connect('someone', 'pw'), (error: SdkError) => error.statusCode === 500);
        assert.equal(t.connection[0]?.status, 'CONNECTIONFAILED');
      });

      it('logs out: DISCONNECTED, then 500 for calls, and logs in again', async () => {
        const a = await user('a');
        assert.deepEqual(await a.sdk.logout(), { statusCode: 200, message: 'Logout Success' });
        assert.deepEqual(a.connection.at(-1), { status: 'DISCONNECTED' });
        assert.equal((await a.sdk.getFriendsList()).statusCode, 500);
        assert.equal(a.sdk.getCurrentUserJid().statusCode, 500);
        assert.equal((await a.sdk.logout()).statusCode, 500);
        assert.deepEqual(await a.sdk.connect(a.username, a.password), { statusCode: 200, message: 'Login Success' });
        assert.deepEqual(a.connection.at(-1), { status: 'CONNECTED' });
      });
    });

    // The same checks over BOSH: once per server is enough.
    if (!target.bosh) describe('parameters', () => {
      it('for arbitrary strings, every method answers 400 naming the parameter or goes on; none throws', async function () {
        const a = await user('prop');
        const anyText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', ' ', '@', 'a@', '@b', 'x@y/z', '\u0000', '\uD800', 'bob', `nobody@${server.domain}`));
        const allowed = new Set([200, 400, 401, 403, 404, 408, 409, 500, 501]);
        const calls: [string, (text: string) => Promise<{ statusCode: number; message: string }>][] = [
          ['TO_USER_JID', (text) => a.sdk.getUserProfile(text)],
          ['TO_USER_JID', (text) => a.sdk.getLastSeen(text)],
          ['TO_USER_JID', (text) => a.sdk.unblockUser(text)],
          ['NAME', (text) => a.sdk.setUserProfile(text)],
          ['IMAGE', (text) => a.sdk.setUserProfile(undefined, text)],
          ['STATUS', (text) => a.sdk.setUserProfile(undefined, undefined, text)],
          ['MOBILE_NUMBER', (text) => a.sdk.setUserProfile(undefined, undefined, undefined, text)],
          ['EMAIL', (text) => a.sdk.setUserProfile(undefined, undefined, undefined, undefined, text)],
          ['USERNAME', (text) => a.sdk.getUserToken(text, 'pw')],
          ['TOKEN', (text) => a.sdk.setUserToken(text)],
          ['USER_IDENTIFIER', async (text) => (await tester()).sdk.register(text.length > 20 ? text : `${text}\u0000`)],
        ];
        let checked = 0;
        await fc.assert(fc.asyncProperty(fc.constantFrom(...calls), anyText, async ([name, run], text) => {
          const answer = await run(text);
          assert.ok(allowed.has(answer.statusCode), `${name}: ${answer.statusCode}`);
          if (answer.statusCode === 400) assert.ok(answer.message.startsWith(name), `${name} 400 names another: ${answer.message}`);
          checked++;
        }), { numRuns: 150 });
        assert.equal(checked, 150);
        assert.equal(a.sdk.getCurrentUserJid().statusCode, 200, 'the session survived');
      });
    });

    describe('profiles and friends', () => {
      it('sets a profile and reads it back; a contact is pushed the change', async () => {
        const [a, b] = await friends();
        // ejabberd may need the contact's repeated presence (sent 0.5 s after the subscription became
        // mutual) to learn its caps, before it pushes profile changes (see README, "On ejabberd").
        if (target.server === 'ejabberd') await wait(700);
        b.profiles.length = 0;
        const set = await a.sdk.setUserProfile('Alice <&> Ünïcödé', 'https://example.com/a.png', 'Out & about', '+1 555 0100', 'alice@example.com');
        assert.equal(set.statusCode, 200, set.message);
        const expected: Profile = {
          userId: a.username, userJid: a.jid, nickName: 'Alice <&> Ünïcödé', image: 'https://example.com/a.png',
          thumbImage: 'https://example.com/a.png', status: 'Out & about', mobileNumber: '+1 555 0100', email: 'alice@example.com',
        };
        assert.deepEqual(set.data, expected);
        assert.deepEqual(a.profiles.at(-1), expected);
        assert.deepEqual(await b.sdk.getUserProfile(a.jid), { statusCode: 200, message: 'Success', data: expected });
        b.profiles.length = 0;
        // A change pushed by the server (XEP-0292 over PEP), no polling.
        assert.equal((await a.sdk.setUserProfile(undefined, undefined, 'Back home')).statusCode, 200);
        await until(() => b.profiles.some((p) => p.userJid === a.jid && p.status === 'Back home'), 8000, 'the profile push');
        const pushed = b.profiles.find((p) => p.status === 'Back home')!;
        assert.deepEqual(pushed, { ...expected, status: 'Back home' });
        // Left-out fields were kept.
        assert.deepEqual((await a.sdk.getUserProfile(a.jid)).data, { ...expected, status: 'Back home' });
      });

      it('uploads image bytes and stores a URL that serves exactly those bytes', async () => {
        const a = await user('img');
        const answer = await a.sdk.setUserProfile('Pic', PNG);
        assert.equal(answer.statusCode, 200, answer.message);
        const url = answer.data!.image;
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
        const response = await fetch(url);
        assert.equal(response.status, 200);
        assert.deepEqual(new Uint8Array(await response.arrayBuffer()), PNG);
        assert.equal(answer.data!.thumbImage, url);
      });

      it('answers 400 naming the parameter for bad profile values', async () => {
        const a = await user('bad');
        for (const [args, name] of [
          [[42], 'NAME'], [[undefined, 'not a url'], 'IMAGE'], [[undefined, new Uint8Array(0)], 'IMAGE'],
          [[undefined, undefined, 'x'.repeat(5000)], 'STATUS'], [[undefined, undefined, undefined, 'call me'], 'MOBILE_NUMBER'],
          [[undefined, undefined, undefined, undefined, 'no-at-sign'], 'EMAIL'], [['bad \u0001 char'], 'NAME'],
        ] as const) {
          const answer = await a.sdk.setUserProfile(...(args as unknown as [string]));
          assert.equal(answer.statusCode, 400, `${name}: ${answer.message}`);
          assert.match(answer.message, new RegExp(name));
        }
        assert.equal((await a.sdk.getUserProfile('bad@@jid')).statusCode, 400);
        assert.match((await a.sdk.getUserProfile('')).message, /TO_USER_JID/);
      });

      it('gives the friends list with profiles, and fires friendsListListener on roster pushes', async () => {
        const [a, b] = await friends();
        const c = await user('c');
        await b.sdk.setUserProfile('Bee', '', 'buzz', '', 'bee@example.com');
        a.friends.length = 0;
        assert.equal((await a.sdk.addFriend(c.jid, 'Sea')).statusCode, 200);
        await until(() => a.friends.some((list) => list.some((u) => u.userJid === c.jid)), 8000, 'a roster push to fire friendsListListener');
        const heard = a.friends.length;
        const answer = await a.sdk.getFriendsList();
        assert.equal(answer.statusCode, 200);
        const list = answer.data!;
        // The listener got the same data (a late roster push may fire it again after).
        assert.ok(a.friends.slice(heard).some((payload) => isDeepStrictEqual(payload, list)));
        assert.deepEqual(list.map((u) => u.userJid).sort(), [b.jid, c.jid].sort());
        const bee = list.find((u) => u.userJid === b.jid)!;
        assert.deepEqual(bee, {
          userId: b.username, userJid: b.jid, nickName: 'Bee', image: '', thumbImage: '', status: 'buzz', mobileNumber: '',
          email: 'bee@example.com', name: 'Bee', subscription: 'both', groups: [], isFriend: true,
        });
        const sea = list.find((u) => u.userJid === c.jid)!;
        assert.equal(sea.name, 'Sea');
        assert.equal(sea.isFriend, false);
        assert.equal(sea.nickName, '');
      });

      it('answers 50 concurrent calls on one session', async () => {
        const [a, b] = await friends();
        await b.sdk.setUserProfile('Fifty');
        const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a.sdk.getUserProfile(b.jid) : a.sdk.getLastSeen(b.jid))));
        assert.equal(answers.length, 50);
        for (const answer of answers) assert.equal(answer.statusCode, 200, answer.message);
      });
    });

    describe('last seen', () => {
      it('is 0 for an online contact, more once it logged out, 403 for a stranger', async () => {
        const [a, b] = await friends();
        const online = await a.sdk.getLastSeen(b.jid);
        assert.deepEqual(online, { statusCode: 200, message: 'Success', data: { fromUserJid: b.jid, seconds: 0 } });
        await b.sdk.logout();
        await wait(1100);
        const offline = await a.sdk.getLastSeen(b.jid);
        assert.equal(offline.statusCode, 200);
        assert.ok(offline.data!.seconds >= 1, `seconds ${offline.data!.seconds}`);
        const stranger = await user('s');
        assert.equal((await stranger.sdk.getLastSeen(a.jid)).statusCode, 403);
      });
    });

    describe('blocking', () => {
      it('blocks and unblocks, lists, and tells the other devices and the blocked user', async () => {
        const [a, b] = await friends();
        const aPhone = await tester();
        await aPhone.sdk.connect(a.username, a.password);
        await wait(200); // the second device's first block list read subscribes it to pushes
        assert.deepEqual(await a.sdk.blockUser(b.jid), { statusCode: 200, message: 'Success' });
        const blocked: BlockEvent = { blockedUserId: b.username, jid: b.jid, type: 'block_user', by: 'me' };
        assert.deepEqual(a.blocks, [blocked]);
        await until(() => aPhone.blocks.length > 0, 8000, 'the other device to hear of the block');
        assert.deepEqual(aPhone.blocks, [blocked]);
        assert.deepEqual(await a.sdk.getUsersIBlocked(), { statusCode: 200, message: 'Success', data: [{ jid: b.jid, userId: b.username }] });
        // Blocking again changes nothing: no second event.
        assert.equal((await a.sdk.blockUser(b.jid)).statusCode, 200);
        if (target.server === 'prosody') {
          await until(() => b.blocks.length > 0, 8000, 'the blocked user to be told');
          assert.deepEqual(b.blocks, [{ blockedUserId: a.username, jid: a.jid, type: 'block_user', by: 'contact' }]);
          assert.deepEqual(await b.sdk.getUsersWhoBlockedMe(), { statusCode: 200, message: 'Success', data: [{ jid: a.jid, userId: a.username }] });
        } else {
          assert.equal((await b.sdk.getUsersWhoBlockedMe()).statusCode, 501);
        }
        assert.deepEqual(await a.sdk.unblockUser(b.jid), { statusCode: 200, message: 'Success' });
        assert.deepEqual(a.blocks.at(-1), { ...blocked, type: 'unblock_user' });
        assert.equal(a.blocks.length, 2);
        await until(() => aPhone.blocks.length === 2, 8000, 'the other device to hear of the unblock');
        assert.deepEqual((await a.sdk.getUsersIBlocked()).data, []);
        if (target.server === 'prosody') {
          await until(() => b.blocks.length === 2, 8000, 'the unblocked user to be told');
          assert.deepEqual(b.blocks[1], { blockedUserId: a.username, jid: a.jid, type: 'unblock_user', by: 'contact' });
          assert.deepEqual((await b.sdk.getUsersWhoBlockedMe()).data, []);
        }
      });
    });

    // One restart per transport is enough; ejabberd restarts take seconds.
    if (target.server === 'prosody') describe('reconnects', () => {
      it('reports RECONNECTING then CONNECTED across a server restart, and works after it', async function () {
        this.timeout(40_000);
        const a = await user('re');
        const b = await user('re');
        await b.sdk.setUserProfile('Still here');
        await restartServer(server, { downMs: 300 });
        await until(() => a.connection.filter((e) => e.status === 'CONNECTED').length >= 2, 20_000, 'CONNECTED again', () => a.connection);
        const statuses = a.connection.map((e) => e.status);
        assert.deepEqual(statuses.slice(0, 1), ['CONNECTED']);
        assert.ok(statuses.indexOf('RECONNECTING') > 0 && statuses.indexOf('RECONNECTING') < statuses.lastIndexOf('CONNECTED'), statuses.join(' '));
        assert.equal(statuses.filter((s) => s === 'RECONNECTING').length, 1, 'once per outage');
        const answer = await a.sdk.getUserProfile(b.jid);
        assert.equal(answer.statusCode, 200, answer.message);
        assert.equal(answer.data?.nickName, 'Still here');
      });

      // Over BOSH the transport's own retries of a request ride out this short outage: it reconnects.
      if (!target.bosh) it('reports CONNECTIONFAILED when reconnecting gives up, then answers 500 and can connect again', async function () {
        this.timeout(40_000);
        const a = await user('gone');
        const t = await tester({ reconnect: { maxAttempts: 2, baseMs: 50, capMs: 100 } });
        await t.sdk.connect(a.username, a.password);
        await restartServer(server, { downMs: 2000 });
        await until(() => t.connection.some((e) => e.status === 'CONNECTIONFAILED'), 20_000, 'CONNECTIONFAILED', () => t.connection);
        const failed = t.connection.find((e) => e.status === 'CONNECTIONFAILED')!;
        assert.equal(failed.statusCode, 500);
        assert.equal((await t.sdk.getFriendsList()).statusCode, 500);
        assert.deepEqual(await t.sdk.connect(a.username, a.password), { statusCode: 200, message: 'Login Success' });
      });
    });

    describe('tokens', () => {
      it('gets a token with the password, and logs in with it', async () => {
        const a = await user('tok');
        const t = await tester();
        const answer = await t.sdk.getUserToken(a.username, a.password);
        assert.equal(answer.statusCode, 200, answer.message);
        assert.equal(answer.message, 'Success');
        assert.ok(answer.userToken && answer.userToken.length > 10);
        assert.deepEqual(await t.sdk.setUserToken(answer.userToken), { statusCode: 200, message: 'Success' });
        assert.deepEqual(await t.sdk.connect(a.username), { statusCode: 200, message: 'Login Success' });
        assert.equal(t.sdk.getCurrentUserJid().userJid, a.jid);
      });

      it('answers 401 for a wrong password and 400 for missing parameters; a bad token fails login with 401', async () => {
        const a = await user('tok');
        const t = await tester();
        assert.equal((await t.sdk.getUserToken(a.username, 'wrong')).statusCode, 401);
        assert.match((await t.sdk.getUserToken(a.username, '')).message, /PASSWORD/);
        assert.match((await t.sdk.setUserToken('')).message, /TOKEN/);
        await t.sdk.setUserToken('not-a-token');
        await assert.rejects(t.sdk.connect(a.username), (error: SdkError) => error.statusCode === 401);
        assert.equal(t.connection.at(-1)?.status, 'AUTHFAIL');
      });
    });
  });
}
