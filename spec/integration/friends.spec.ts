// Integration: the friends list against real Prosody (WebSocket and BOSH) and real ejabberd
// (WebSocket). A user with contacts (roster sets; some with vCards set by their own sessions, one
// without, one mutual subscription through subscribe/subscribed), roster pushes applied through the
// session's IQ handler, roster versioning across "sessions" through the store (seen on the wire), a
// push made by another resource of the same account, and 200 contacts' profiles fetched at
// concurrency 32.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { StanzaError } from '../../lib/errors.js';
import { mapLimit } from '../../lib/profile/concurrency.js';
import { exchangeOf, type Exchange } from '../../lib/profile/exchange.js';
import { applyRosterPush, createFriendsState, friendsList, loadRoster, type FriendsState } from '../../lib/profile/friends.js';
import { getProfile } from '../../lib/profile/profile.js';
import { createMemoryRosterStore, type RosterStore } from '../../lib/profile/roster-store.js';
import type { User } from '../../lib/profile/types.js';
import { NS_ROSTER } from '../../lib/stanzas/ns.js';
import { buildPresence, buildSubscribe, buildSubscribed, parsePresence } from '../../lib/stanzas/presence.js';
import { buildRosterSet, type Roster } from '../../lib/stanzas/roster.js';
import { buildVCardSet, type VCardFields } from '../../lib/stanzas/vcard.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { createBoshTransport, createWebSocketTransport, Session } from '../../lib/transport/node.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';
import { until } from '../support/wait.js';

type Kind = 'websocket' | 'bosh';


const vcard = (nickName: string, more: Partial<VCardFields> = {}): VCardFields =>
  ({ nickName, image: '', status: `${nickName}'s status <&>`, mobileNumber: '', email: `${nickName}@mail.test`, ...more });

/** A memory store that remembers every roster saved. */
function recordingStore(): RosterStore & { saved: Roster[] } {
  const inner = createMemoryRosterStore();
  const saved: Roster[] = [];
  return {
    saved,
    load: (jid) => inner.load(jid),
    save: (jid, roster) => {
      saved.push(roster);
      return inner.save(jid, roster);
    },
  };
}

/** 200 accounts with vCards, made once per server (each by its own session) and shared by the describes. */
const crowds = new Map<string, Promise<string[]>>();

for (const [name, kind] of [['prosody', 'websocket'], ['prosody', 'bosh'], ['ejabberd', 'websocket']] as const) {
  describe(`friends list over ${kind} against real ${name}`, function () {
    this.timeout(30_000);
    let server: ServerHandle;
    const sessions: Session[] = [];

    before(async function () {
      this.timeout(45_000);
      server = await useServer(name);
    });

    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    });

    /** A new account, registered in-band and logged in, over `over` (default: the kind under test). */
    const account = async (prefix: string, options: { over?: Kind; resource?: string; traces?: Element[] } = {}) => {
      const username = freshName(prefix);
      const password = `pw-${username}`;
      const session = open(options);
      await session.register({ username, password }, { login: true });
      return { session, username, password, bare: `${username}@${server.domain}` };
    };

    /** A session of an existing account. */
    const login = async (username: string, password: string, options: { over?: Kind; resource?: string; traces?: Element[] } = {}) => {
      const session = open(options);
      await session.login({ username, password });
      return session;
    };

    const open = (options: { over?: Kind; resource?: string; traces?: Element[] }): Session => {
      const over = options.over ?? kind;
      const traces = options.traces;
      const session = new Session({
        transport: () => over === 'bosh' ? createBoshTransport({ url: server.boshUrl }) : createWebSocketTransport({ url: server.websocketUrl }),
        domain: server.domain,
        reconnect: false,
        ...(options.resource !== undefined ? { resource: options.resource } : {}),
        ...(traces ? { onTrace: (entry) => void traces.push(parseXml(entry.xml)) } : {}),
      });
      sessions.push(session);
      return session;
    };

    /** Roster pushes to `session` go through applyRosterPush into `state`; spoofed ones are refused. */
    const wirePushes = (session: Session, bare: string, state: FriendsState, store: RosterStore): void => {
      session.iqHandlers.register('set', 'query', NS_ROSTER, (_request, element) => {
        if (applyRosterPush(bare, state, store, element)) return undefined;
        throw new StanzaError({ type: 'cancel', condition: 'service-unavailable', text: '', applicationCondition: '', by: '' });
      });
    };

    const exchange = (session: Session, bare: string): Exchange => exchangeOf(session, bare, server.domain);
    const versioning = (session: Session): boolean => session.features?.rosterVersioning ?? false;

    it('lists every contact once with its roster fields and profile; the next load sends the ver and gets "unchanged"; a push from another resource is applied', async () => {
      const traces: Element[] = [];
      const me = await account('me', { resource: 'first', traces });
      const [c1, c2, c3, c4] = await Promise.all(['one', 'two', 'three', 'four'].map((prefix) => account(prefix, { over: 'websocket' })));
      if (!c1 || !c2 || !c3 || !c4) assert.fail('four contacts');
      // c1, c2 and c4 write their vCards in their own sessions; c3 never does.
      await Promise.all([
        c1.session.iq((id) => buildVCardSet(id, vcard('Uno', { mobileNumber: '+33 6 12 34 56 78' }))),
        c2.session.iq((id) => buildVCardSet(id, vcard('Dos 中文'))),
        c4.session.iq((id) => buildVCardSet(id, vcard('Quatre', { image: 'https://example.com/q.png' }))),
      ]);

      // The live state: fetched once (Prosody pushes only to resources that did), then kept by pushes.
      const store = recordingStore();
      const live = createFriendsState();
      const meExchange = exchange(me.session, me.bare);
      wirePushes(me.session, me.bare, live, store);
      await loadRoster(meExchange, store, live, { versioning: versioning(me.session) });
      assert.equal(live.items.size, 0);

      await Promise.all([
        me.session.iq((id) => buildRosterSet(id, { jid: c1.bare, name: 'One', groups: ['Work'] })),
        me.session.iq((id) => buildRosterSet(id, { jid: c2.bare })),
        me.session.iq((id) => buildRosterSet(id, { jid: c3.bare, name: 'Three', groups: ['A', 'B'] })),
        me.session.iq((id) => buildRosterSet(id, { jid: c4.bare, name: 'Four' })),
      ]);
      // The mutual subscription with c4 (RFC 6121 §3.1): both online, each approves the other's request.
      c4.session.on('stanza', (stanza) => {
        if (stanza.name === 'presence' && parsePresence(stanza).type === 'subscribe') {
          c4.session.send(buildSubscribed(me.bare));
          c4.session.send(buildSubscribe(me.bare));
        }
      });
      me.session.on('stanza', (stanza) => {
        if (stanza.name === 'presence' && parsePresence(stanza).type === 'subscribe') me.session.send(buildSubscribed(c4.bare));
      });
      c4.session.send(buildPresence());
      me.session.send(buildPresence());
      me.session.send(buildSubscribe(c4.bare));
      await until(() => live.items.size === 4 && live.items.get(c4.bare)?.subscription === 'both', 10_000, 'the pushes of four contacts, c4 mutual');

      // "Next session": a fresh state over the same store sends the version the pushes left.
      const gets = traces.length;
      const next = createFriendsState();
      const saves = store.saved.length;
      await loadRoster(meExchange, store, next, { versioning: versioning(me.session) });
      const started = Date.now();
      const users = await friendsList(meExchange, next, (jid) => getProfile(meExchange, jid));
      const fetchMs = Date.now() - started;

      const get = traces.slice(gets).find((t) => t.attrs.type === 'get' && t.getChild('query', NS_ROSTER));
      const sentVer = get?.getChild('query', NS_ROSTER)?.attrs.ver as string | undefined;
      assert.equal(sentVer, live.ver, 'the get carries the stored version');
      assert.ok(sentVer !== undefined && sentVer !== '');
      const answer = traces.slice(gets).find((t) => t.attrs.id === get?.attrs.id && t.attrs.type === 'result');
      assert.ok(answer, 'the roster get was answered');
      assert.equal(answer.getChild('query', NS_ROSTER), undefined, `"unchanged" is an empty result: ${answer.toString()}`);
      assert.equal(store.saved.length, saves, 'nothing to save on "unchanged"');
      assert.deepEqual([...next.items.values()], [...live.items.values()]);

      // Every contact exactly once, with its roster fields and profile.
      assert.deepEqual(users.map((u) => u.userJid).sort(), [c1.bare, c2.bare, c3.bare, c4.bare].sort());
      const of = (jid: string): User => users.find((u) => u.userJid === jid) ?? assert.fail(`no ${jid}`);
      const fields = (u: User) => ({ name: u.name, subscription: u.subscription, groups: [...u.groups].sort(), isFriend: u.isFriend });
      assert.deepEqual(fields(of(c1.bare)), { name: 'One', subscription: 'none', groups: ['Work'], isFriend: false });
      assert.deepEqual(fields(of(c2.bare)), { name: '', subscription: 'none', groups: [], isFriend: false });
      assert.deepEqual(fields(of(c3.bare)), { name: 'Three', subscription: 'none', groups: ['A', 'B'], isFriend: false });
      assert.deepEqual(fields(of(c4.bare)), { name: 'Four', subscription: 'both', groups: [], isFriend: true });
      assert.deepEqual({ ...of(c1.bare) }, {
        userId: c1.username, userJid: c1.bare, nickName: 'Uno', image: '', thumbImage: '', status: "Uno's status <&>",
        mobileNumber: '+33 6 12 34 56 78', email: 'Uno@mail.test', ...fields(of(c1.bare)),
      });
      assert.equal(of(c2.bare).nickName, 'Dos 中文');
      assert.equal(of(c4.bare).image, 'https://example.com/q.png');
      assert.equal(of(c4.bare).thumbImage, 'https://example.com/q.png');
      // c3 has no vCard (Prosody: item-not-found; ejabberd: an empty one): the empty profile.
      assert.deepEqual({ ...of(c3.bare), ...fields(of(c3.bare)) }, {
        userId: c3.username, userJid: c3.bare, nickName: '', image: '', thumbImage: '', status: '', mobileNumber: '', email: '', ...fields(of(c3.bare)),
      });
      console.log(`      ${name}/${kind}: 4 profiles in ${fetchMs} ms, roster ver ${sentVer}`);

      // Another resource of the same account adds a contact: the push reaches the first one.
      const second = await login(me.username, me.password, { over: 'websocket', resource: 'second' });
      const c5 = `${freshName('five')}@${server.domain}`;
      await second.iq((id) => buildRosterSet(id, { jid: c5, name: 'Five', groups: ['New'] }));
      await until(() => live.items.has(c5), 5_000, 'the push of the fifth contact');
      assert.deepEqual(live.items.get(c5), { jid: c5, name: 'Five', subscription: 'none', ask: '', groups: ['New'], approved: false });
      await live.saving;
      const stored = await store.load(me.bare);
      assert.equal(stored?.ver, live.ver);
      assert.ok(stored?.items.some((i) => i.jid === c5));
      // And a load from that store is current again.
      const third = createFriendsState();
      await loadRoster(meExchange, store, third, { versioning: versioning(me.session) });
      assert.deepEqual([...third.items.keys()].sort(), [...live.items.keys()].sort());
      const withFive = await friendsList(meExchange, third, (jid) => getProfile(meExchange, jid));
      assert.equal(withFive.length, 5);
      assert.equal(withFive.filter((u) => u.userJid === c5).length, 1);
    });

    it('fetches 200 contacts\' profiles at concurrency 32, every one answered', async function () {
      this.timeout(60_000);
      let crowd = crowds.get(name);
      if (!crowd) {
        crowd = makeCrowd();
        crowds.set(name, crowd);
      }
      const contacts = await crowd;
      // The roster is written by helper sessions of the same account, one after the other, 50 items
      // each: ejabberd's c2s shaper (3,000 B/s after a 20 KB burst) would otherwise slow the sets and
      // the answers to their pushes down, and the session measured below starts with a full budget.
      const owner = freshName('many');
      const password = `pw-${owner}`;
      const bare = `${owner}@${server.domain}`;
      for (let from = 0; from < contacts.length; from += 50) {
        const helper = open({ over: 'websocket' });
        if (from === 0) await helper.register({ username: owner, password }, { login: true });
        else await helper.login({ username: owner, password });
        await Promise.all(contacts.slice(from, from + 50).map((jid) => helper.iq((id) => buildRosterSet(id, { jid, name: `n-${jid}` }))));
        await helper.close();
      }
      const me = { session: await login(owner, password), bare };
      const meExchange = exchange(me.session, me.bare);
      const state = createFriendsState();
      const started = Date.now();
      await loadRoster(meExchange, createMemoryRosterStore(), state, { versioning: versioning(me.session) });
      const rosterMs = Date.now() - started;
      let inFlight = 0;
      let peak = 0;
      const users = await friendsList(meExchange, state, async (jid) => {
        peak = Math.max(peak, ++inFlight);
        try {
          return await getProfile(meExchange, jid);
        } finally {
          inFlight--;
        }
      }, 32);
      const totalMs = Date.now() - started;
      assert.equal(users.length, 200);
      assert.equal(peak, 32);
      for (const user of users) {
        assert.equal(user.nickName, `nick ${user.userId}`, user.userJid);
        assert.equal(user.name, `n-${user.userJid}`);
      }
      console.log(`      ${name}/${kind}: roster of 200 in ${rosterMs} ms, with 200 profiles at concurrency 32 in ${totalMs} ms${name === 'ejabberd' ? ' (c2s shaper: 3,000 B/s after 20 KB)' : ''}`);
    });

    /** 200 accounts, each registered in-band and writing its vCard in its own WebSocket session. */
    async function makeCrowd(): Promise<string[]> {
      const started = Date.now();
      const jids = await mapLimit(Array.from({ length: 200 }, (_, i) => i), 16, async () => {
        const username = freshName('crowd');
        const session = new Session({ transport: () => createWebSocketTransport({ url: server.websocketUrl }), domain: server.domain, reconnect: false });
        try {
          await session.register({ username, password: `pw-${username}` }, { login: true });
          await session.iq((id) => buildVCardSet(id, vcard(`nick ${username}`)));
        } finally {
          await session.close();
        }
        return `${username}@${server.domain}`;
      });
      console.log(`      ${name}: 200 accounts with vCards made in ${Date.now() - started} ms`);
      return jids;
    }
  });
}
