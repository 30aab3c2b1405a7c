// The friends list over a fake exchange: a roster server in memory that answers with real stanzas
// (built by the codecs, or the real servers' fixtures). Covers the join (a fast-check property), roster
// versioning and the store, pushes, bounded pipelined profile fetches, error handling, and the stores.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaError, StanzaParseError, TimeoutError, TransportError, type StanzaErrorCondition, type StanzaErrorType } from '../../lib/errors.js';
import { mapLimit } from '../../lib/profile/concurrency.js';
import type { Exchange } from '../../lib/profile/exchange.js';
import {
  applyRosterPush, createFriendsState, friendsList, joinFriends, loadRoster, updateCachedProfile, type FriendsState,
} from '../../lib/profile/friends.js';
import { emptyProfile, profileOf } from '../../lib/profile/profile-map.js';
import { createMemoryRosterStore, createWebStorageRosterStore, type KeyValueStorage, type RosterStore } from '../../lib/profile/roster-store.js';
import type { Profile, User } from '../../lib/profile/types.js';
import { buildIq } from '../../lib/stanzas/iq.js';
import { NS_ROSTER, NS_VCARD } from '../../lib/stanzas/ns.js';
import { buildRoster, buildRosterPush, type Roster, type RosterItem, type RosterSubscription } from '../../lib/stanzas/roster.js';
import { findStanzaErrorElement, toStanzaError } from '../../lib/stanzas/stanza-error.js';
import { buildVCard, buildVCardGet, parseVCard } from '../../lib/stanzas/vcard.js';
import { xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';

const ALICE = 'alice@example.com';
const item = (jid: string, more: Partial<RosterItem> = {}): RosterItem => ({ jid, name: '', subscription: 'none', ask: '', groups: [], approved: false, ...more });
const profile = (jid: string, nickName: string): Profile => ({ ...emptyProfile(jid), nickName, status: `status of ${nickName}` });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A fake exchange: `answer` gets each request and returns the answer (an IQ error is thrown as a StanzaError). */
function fakeExchange(answer: (request: Element) => Element | Promise<Element>, userJid = ALICE): Exchange & { sent: Element[] } {
  let counter = 0;
  const sent: Element[] = [];
  return {
    sent,
    userJid,
    domain: userJid.slice(userJid.indexOf('@') + 1),
    fetch: globalThis.fetch,
    nextId: () => `f${++counter}`,
    send: (element) => void sent.push(element),
    async iq(build) {
      const request = build(`f${++counter}`);
      sent.push(request);
      const response = await answer(request);
      if (response.attrs.type === 'error') throw toStanzaError(findStanzaErrorElement(response) as Element, response);
      return response;
    },
  };
}

const result = (request: Element, payload?: Element): Element =>
  buildIq(payload ? { type: 'result', id: request.attrs.id as string, payload } : { type: 'result', id: request.attrs.id as string });
const error = (request: Element, condition: StanzaErrorCondition, type: StanzaErrorType = 'cancel'): Element =>
  buildIq({ type: 'error', id: request.attrs.id as string, error: { type, condition, text: '', applicationCondition: '', by: '' } });
const queryOf = (request: Element): Element | undefined => request.getChild('query', NS_ROSTER);

/** A roster server: answers roster gets as RFC 6121 §2.6.3 says (empty result when `ver` is current). */
function rosterServer(roster: { ver?: string; items: RosterItem[] }, options: { versioning?: boolean } = {}) {
  const versioning = options.versioning ?? true;
  const gets: (string | undefined)[] = [];
  const answer = (request: Element): Element => {
    const query = queryOf(request);
    if (!query) throw new Error(`the fake roster server got ${request.toString()}`);
    const ver = query.attrs.ver as string | undefined;
    gets.push(ver);
    if (versioning && ver !== undefined && ver !== '' && ver === roster.ver) return result(request);
    const answered: Roster = versioning && roster.ver !== undefined ? { ver: roster.ver, items: roster.items } : { items: roster.items };
    return result(request, buildRoster(answered));
  };
  return { roster, gets, answer };
}

/** A store that counts its saves and can be made to fail. */
function countingStore(inner: RosterStore = createMemoryRosterStore()) {
  const counts = { loads: 0, saves: 0 };
  const store: RosterStore = {
    load: (jid) => {
      counts.loads++;
      return inner.load(jid);
    },
    save: (jid, roster) => {
      counts.saves++;
      return inner.save(jid, roster);
    },
  };
  return { store, counts, inner };
}

/** vCard answers for contacts (a missing one answers item-not-found, as Prosody does). */
function vcardFetch(exchange: Exchange) {
  return (jid: string): Promise<Profile> =>
    exchange.iq((id) => buildVCardGet(id, jid)).then((answer) => profileOf(jid, parseVCard(answer)));
}

async function loaded(items: RosterItem[], ver = '1'): Promise<{ state: FriendsState; store: RosterStore }> {
  const server = rosterServer({ ver, items });
  const store = createMemoryRosterStore();
  const state = createFriendsState();
  await loadRoster(fakeExchange(server.answer), store, state, { versioning: true });
  return { state, store };
}

/** A fake exchange whose answers wait until `release()` is called: a request in flight, held. */
function heldExchange(server: ReturnType<typeof rosterServer>) {
  let held: () => void = () => undefined;
  const exchange = fakeExchange(async (request) => {
    await new Promise<void>((resolve) => {
      held = resolve;
    });
    return server.answer(request);
  });
  return { exchange, release: () => held() };
}

describe('profile/concurrency mapLimit', () => {
  it('keeps the order, never has more than `limit` calls in flight, and refills as each settles', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.nat({ max: 6 }), { maxLength: 40 }), fc.integer({ min: 1, max: 9 }),
      async (delays, limit) => {
        let inFlight = 0;
        let peak = 0;
        const out = await mapLimit(delays, limit, async (delay, index) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          for (let i = 0; i <= delay; i++) await Promise.resolve();
          inFlight--;
          return index * 2;
        });
        assert.deepEqual(out, delays.map((_, index) => index * 2));
        assert.ok(peak <= limit, `peak ${peak} > limit ${limit}`);
        assert.equal(peak, Math.min(limit, delays.length));
        assert.equal(inFlight, 0);
      },
    ), { numRuns: 150 });
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const failure = new TimeoutError('no answer', 10);
    await assert.rejects(mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 1) throw failure;
      return n;
    }), (e) => e === failure);
    await tick();
    await tick();
    assert.deepEqual(started, [0, 1, 2]); // 0 and 1 in flight; 0's end started 2; 1's failure stopped the rest
  });

  it('turns a synchronous throw into a rejection; an empty list resolves to []', async () => {
    await assert.rejects(mapLimit([1], 4, () => {
      throw new TransportError('TRANSPORT_CLOSED', 'gone');
    }), TransportError);
    assert.deepEqual(await mapLimit([], 3, () => 1), []);
  });

  it('refuses a limit that is not an integer of at least 1', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) await assert.rejects(mapLimit([1], limit, (n) => n), RangeError);
    assert.deepEqual(await mapLimit([1, 2], Infinity, (n) => n + 1), [2, 3]);
  });
});

describe('profile/friends joinFriends', () => {
  const pool = ['a@x', 'b@x', 'c@x', 'd@y', 'e@y', 'f@z'];
  const subscription = fc.constantFrom<RosterSubscription>('none', 'to', 'from', 'both', 'remove');
  const rosterItem = fc.record({
    jid: fc.constantFrom(...pool),
    name: xmlText(8),
    subscription,
    ask: fc.constantFrom<'' | 'subscribe'>('', 'subscribe'),
    groups: fc.uniqueArray(xmlText(6).filter((g) => g !== ''), { maxLength: 3 }),
    approved: fc.boolean(),
  }, { noNullPrototype: true });
  const profileEntry = fc.record({ jid: fc.constantFrom(...pool, 'stranger@x'), nickName: xmlText(8), status: xmlText(8) }, { noNullPrototype: true });

  it('is the join of roster and profiles: every contact exactly once, none lost, removed ones never', () => {
    fc.assert(fc.property(fc.array(rosterItem, { maxLength: 25 }), fc.array(profileEntry, { maxLength: 10 }), (items, entries) => {
      const profiles = new Map<string, Profile>();
      for (const entry of entries) profiles.set(entry.jid, { ...emptyProfile(entry.jid), nickName: entry.nickName, status: entry.status });
      // The model: the last item of each JID decides; `remove` means not a contact.
      const last = new Map<string, RosterItem>();
      for (const i of items) last.set(i.jid, i);
      const contacts = [...last.values()].filter((i) => i.subscription !== 'remove');

      const users = joinFriends(items, profiles);
      assert.equal(new Set(users.map((u) => u.userJid)).size, users.length, 'a contact doubled');
      assert.deepEqual(new Set(users.map((u) => u.userJid)), new Set(contacts.map((i) => i.jid)), 'a contact lost or added');
      for (const user of users) {
        const rosterItem = last.get(user.userJid) as RosterItem;
        const expected: User = {
          ...(profiles.get(user.userJid) ?? emptyProfile(user.userJid)),
          name: rosterItem.name,
          subscription: rosterItem.subscription as User['subscription'],
          groups: rosterItem.groups,
          isFriend: rosterItem.subscription === 'both',
        };
        assert.deepEqual(user, expected);
      }
    }), { numRuns: 300 });
  });

  it('keeps roster order for a roster without duplicates, and gives the empty profile when there is none', () => {
    const users = joinFriends([item('b@x', { name: 'Bee', subscription: 'both', groups: ['Work'] }), item('a@x')], new Map([['b@x', profile('b@x', 'bee')]]));
    assert.deepEqual(users.map((u) => u.userJid), ['b@x', 'a@x']);
    assert.deepEqual(users[1], { ...emptyProfile('a@x'), name: '', subscription: 'none', groups: [], isFriend: false });
    assert.equal(users[0]?.userId, 'b');
    assert.equal(users[0]?.isFriend, true);
  });
});

describe('profile/friends loadRoster (RFC 6121 §2.1.3, §2.6)', () => {
  it('bootstraps versioning with ver=\'\', then sends the stored ver and takes an empty result as "unchanged"', async () => {
    const server = rosterServer({ ver: '4', items: [item('bob@example.com', { subscription: 'both' }), item('carol@example.com', { name: 'Carol' })] });
    const { store, counts } = countingStore();
    const first = createFriendsState();
    await loadRoster(fakeExchange(server.answer), store, first, { versioning: true });
    assert.deepEqual(server.gets, ['']);
    assert.equal(counts.saves, 1);
    assert.equal(first.ver, '4');
    assert.equal(first.fetched, true);
    assert.deepEqual([...first.items.keys()], ['bob@example.com', 'carol@example.com']);
    assert.deepEqual(await store.load(ALICE), { ver: '4', items: server.roster.items });

    // Next session: the stored version goes out; "unchanged" fills the state from the store, no save.
    const second = createFriendsState();
    await loadRoster(fakeExchange(server.answer), store, second, { versioning: true });
    assert.deepEqual(server.gets, ['', '4']);
    assert.equal(counts.saves, 1);
    assert.deepEqual([...second.items.values()], server.roster.items);
    assert.equal(second.ver, '4');

    // The roster changed on the server: the full roster replaces the stored one and is saved.
    server.roster.ver = '5';
    server.roster.items = [item('dave@example.com', { subscription: 'to' })];
    const third = createFriendsState();
    await loadRoster(fakeExchange(server.answer), store, third, { versioning: true });
    assert.deepEqual(server.gets, ['', '4', '4']);
    assert.equal(counts.saves, 2);
    assert.deepEqual([...third.items.keys()], ['dave@example.com']);
    assert.deepEqual(await store.load(ALICE), { ver: '5', items: server.roster.items });
  });

  it('in the same session, sends the version it holds and keeps its roster on "unchanged"', async () => {
    const server = rosterServer({ ver: '7', items: [item('bob@example.com')] });
    const { store, counts } = countingStore();
    const state = createFriendsState();
    const exchange = fakeExchange(server.answer);
    await loadRoster(exchange, store, state, { versioning: true });
    state.profiles.set('bob@example.com', profile('bob@example.com', 'bob'));
    await loadRoster(exchange, store, state, { versioning: true });
    assert.deepEqual(server.gets, ['', '7']);
    assert.equal(counts.loads, 1); // the second get did not need the store
    assert.equal(counts.saves, 1);
    assert.equal(state.profiles.size, 1);
  });

  it('sends no ver without versioning, and reads a roster without ver (ejabberd)', async () => {
    const server = rosterServer({ items: [item('bob@example.com')] }, { versioning: false });
    const { store, counts } = countingStore();
    await store.save(ALICE, { ver: 'old', items: [] });
    const state = createFriendsState();
    await loadRoster(fakeExchange(server.answer), store, state, { versioning: false });
    assert.deepEqual(server.gets, [undefined]);
    assert.equal(counts.loads, 0);
    assert.equal(state.ver, undefined);
    assert.deepEqual([...state.items.keys()], ['bob@example.com']);
  });

  for (const name of ['prosody', 'ejabberd'] as const) {
    it(`reads ${name}'s real answers: the versioned roster, then "unchanged"`, async () => {
      const answers = [realStanza("roster get (ver='')", name), realStanza('roster get with current ver (unchanged)', name)];
      const store = createMemoryRosterStore();
      const exchange = fakeExchange(() => answers.shift() as Element);
      const first = createFriendsState();
      await loadRoster(exchange, store, first, { versioning: true });
      const ver = first.ver;
      assert.ok(ver !== undefined && ver !== '');
      assert.deepEqual([...first.items.values()].map((i) => i.subscription), ['both']);
      const second = createFriendsState();
      await loadRoster(exchange, store, second, { versioning: true });
      assert.equal(queryOf(exchange.sent[1] as Element)?.attrs.ver, ver);
      assert.deepEqual([...second.items.values()], [...first.items.values()]);
    });
  }

  it('drops items with subscription remove from a roster result, and the profiles of contacts gone', async () => {
    const { state, store } = await loaded([item('bob@x', { subscription: 'both' }), item('gone@x', { subscription: 'remove' })]);
    assert.deepEqual([...state.items.keys()], ['bob@x']);
    state.profiles.set('bob@x', profile('bob@x', 'bob'));
    await loadRoster(fakeExchange(rosterServer({ ver: '2', items: [item('carol@x')] }).answer), store, state, { versioning: true });
    assert.deepEqual([...state.items.keys()], ['carol@x']);
    assert.equal(state.profiles.size, 0);
  });

  it('shares one get between concurrent calls', async () => {
    const server = rosterServer({ ver: '1', items: [item('bob@x')] });
    const exchange = fakeExchange(server.answer);
    const state = createFriendsState();
    const store = createMemoryRosterStore();
    await Promise.all([loadRoster(exchange, store, state, { versioning: true }), loadRoster(exchange, store, state, { versioning: true })]);
    assert.equal(exchange.sent.length, 1);
  });

  it('applies a push that arrives while the get is in flight on top of the answer', async () => {
    const server = rosterServer({ ver: '1', items: [item('bob@x')] });
    const { exchange, release } = heldExchange(server);
    const state = createFriendsState();
    const store = createMemoryRosterStore();
    const load = loadRoster(exchange, store, state, { versioning: true });
    await tick();
    const pushed = applyRosterPush(ALICE, state, store, buildRosterPush('p1', '2', item('carol@x', { subscription: 'to' })));
    assert.equal(pushed?.jid, 'carol@x');
    assert.equal(state.items.size, 0); // not applied before the answer is known
    release();
    await load;
    assert.deepEqual([...state.items.keys()], ['bob@x', 'carol@x']);
    assert.equal(state.ver, '2');
    assert.deepEqual(await store.load(ALICE), { ver: '2', items: [item('bob@x'), item('carol@x', { subscription: 'to' })] });
  });

  it('after "unchanged", applies and saves the pushes that came while the get was in flight', async () => {
    const server = rosterServer({ ver: '5', items: [item('bob@x')] });
    const { store, counts } = countingStore();
    await store.save(ALICE, { ver: '5', items: [item('bob@x')] });
    const { exchange, release } = heldExchange(server);
    const state = createFriendsState();
    const load = loadRoster(exchange, store, state, { versioning: true });
    await tick();
    applyRosterPush(ALICE, state, store, buildRosterPush('p1', '6', item('bob@x', { subscription: 'remove' })));
    release();
    await load;
    assert.deepEqual(server.gets, ['5']);
    assert.equal(state.items.size, 0);
    assert.equal(counts.saves, 2);
    assert.deepEqual(await store.load(ALICE), { ver: '6', items: [] });
  });

  it('rejects with the StanzaError of an error answer, and the state stays unfetched', async () => {
    const state = createFriendsState();
    await assert.rejects(
      loadRoster(fakeExchange((request) => error(request, 'service-unavailable')), createMemoryRosterStore(), state, { versioning: true }),
      (e) => e instanceof StanzaError && e.condition === 'service-unavailable',
    );
    assert.equal(state.fetched, false);
    assert.equal(state.loading, undefined);
  });

  it('treats a store that fails as an empty cache: asks for the whole roster, and a failed save fails nothing', async () => {
    const server = rosterServer({ ver: '3', items: [item('bob@x')] });
    const broken: RosterStore = {
      load: () => Promise.reject(new Error('disk gone')),
      save: () => {
        throw new Error('quota exceeded');
      },
    };
    const state = createFriendsState();
    await loadRoster(fakeExchange(server.answer), broken, state, { versioning: true });
    assert.deepEqual(server.gets, ['']);
    assert.deepEqual([...state.items.keys()], ['bob@x']);
    // A push saves too, and fails nothing either.
    assert.ok(applyRosterPush(ALICE, state, broken, buildRosterPush('p', '4', item('carol@x'))));
    assert.equal(state.items.size, 2);
  });

  it('starts over when the exchange is another account\'s', async () => {
    const { state, store } = await loaded([item('bob@x')]);
    state.profiles.set('bob@x', profile('bob@x', 'bob'));
    const server = rosterServer({ ver: '9', items: [item('zed@x')] });
    await loadRoster(fakeExchange(server.answer, 'other@example.com'), store, state, { versioning: true });
    assert.deepEqual(server.gets, ['']); // the other account has nothing stored
    assert.equal(state.account, 'other@example.com');
    assert.deepEqual([...state.items.keys()], ['zed@x']);
    assert.equal(state.profiles.size, 0);
  });
});

describe('profile/friends applyRosterPush (RFC 6121 §2.1.6)', () => {
  it('accepts a push without from or from the user\'s bare JID; ignores any other', async () => {
    const { state, store } = await loaded([item('bob@x', { subscription: 'both' })]);
    const push = (from: string | undefined, jid: string) => buildRosterPush('p', '2', item(jid, { subscription: 'to' }), from);
    assert.equal(applyRosterPush(ALICE, state, store, push(undefined, 'c1@x'))?.jid, 'c1@x');
    assert.equal(applyRosterPush(ALICE, state, store, push(ALICE, 'c2@x'))?.jid, 'c2@x');
    assert.equal(applyRosterPush(ALICE, state, store, push('ALICE@Example.com', 'c3@x'))?.jid, 'c3@x'); // same JID once normalized
    for (const from of [`${ALICE}/phone`, 'mallory@example.com', 'example.com', 'not a jid@@']) {
      assert.equal(applyRosterPush(ALICE, state, store, push(from, 'evil@x')), undefined, from);
    }
    assert.deepEqual([...state.items.keys()], ['bob@x', 'c1@x', 'c2@x', 'c3@x']);
  });

  it('adds, updates and removes contacts, takes each push\'s ver, drops a removed contact\'s profile, and saves', async () => {
    const { state, store } = await loaded([item('bob@x', { subscription: 'both' })]);
    state.profiles.set('bob@x', profile('bob@x', 'bob'));
    applyRosterPush(ALICE, state, store, buildRosterPush('p1', '2', item('carol@x', { name: 'Carol', groups: ['Friends'] })));
    assert.deepEqual(state.items.get('carol@x'), item('carol@x', { name: 'Carol', groups: ['Friends'] }));
    applyRosterPush(ALICE, state, store, buildRosterPush('p2', '3', item('carol@x', { name: 'C.', subscription: 'both' })));
    assert.equal(state.items.get('carol@x')?.name, 'C.');
    const removed = applyRosterPush(ALICE, state, store, buildRosterPush('p3', '4', item('bob@x', { subscription: 'remove' })));
    assert.equal(removed?.subscription, 'remove');
    assert.deepEqual([...state.items.keys()], ['carol@x']);
    assert.equal(state.profiles.has('bob@x'), false);
    assert.equal(state.ver, '4');
    await state.saving;
    assert.deepEqual(await store.load(ALICE), { ver: '4', items: [item('carol@x', { name: 'C.', subscription: 'both' })] });
    // A push without ver (a server that stopped versioning) leaves none, so the next get asks for all.
    applyRosterPush(ALICE, state, store, buildRosterPush('p4', undefined, item('dave@x')));
    assert.equal(state.ver, undefined);
  });

  it('applies the real pushes of both servers during a subscription', async () => {
    const cases = [['prosody', 'alice_mwzrbr01@localhost', 3], ['ejabberd', 'alice_mwzrbybw@localhost', 4]] as const;
    for (const [name, user, count] of cases) {
      const server = rosterServer({ ver: '0', items: [] });
      const state = createFriendsState();
      const store = createMemoryRosterStore();
      await loadRoster(fakeExchange(server.answer, user), store, state, { versioning: true });
      const subscriptions: string[] = [];
      for (let i = 0; i < count; i++) {
        const pushed = applyRosterPush(user, state, store, realStanza('roster pushes to alice during subscription', name, i));
        subscriptions.push(`${pushed?.subscription}${pushed?.ask ? '+ask' : ''}`);
      }
      assert.equal(subscriptions[0], 'none+ask', name);
      assert.equal(subscriptions.at(-1), 'both', name);
      const [bob] = [...state.items.values()];
      assert.equal(bob?.subscription, 'both', name);
      assert.ok(state.ver !== undefined && state.ver !== '0', name);
    }
  });

  it('before the roster was fetched, returns the item and changes nothing', () => {
    const state = createFriendsState();
    const { store, counts } = countingStore();
    state.account = ALICE;
    assert.equal(applyRosterPush(ALICE, state, store, buildRosterPush('p', '2', item('bob@x')))?.jid, 'bob@x');
    assert.equal(state.items.size, 0);
    assert.equal(counts.saves, 0);
  });

  it('throws StanzaParseError for a malformed push', async () => {
    const { state, store } = await loaded([]);
    const twoItems = buildRosterPush('p', '2', item('bob@x'));
    twoItems.getChild('query', NS_ROSTER)?.c('item', { jid: 'carol@x' });
    assert.throws(() => applyRosterPush(ALICE, state, store, twoItems), StanzaParseError);
  });
});

describe('profile/friends friendsList', () => {
  /** A server with a roster and vCards; vCard gets count their concurrency, each answered after a few ticks. */
  function contactsServer(count: number, options: { noVCard?: (jid: string) => StanzaErrorCondition | undefined; delay?: (index: number) => number } = {}) {
    const items = Array.from({ length: count }, (_, i) => item(`c${i}@x`, { name: `Contact ${i}`, subscription: i % 3 === 0 ? 'both' : 'to', groups: i % 2 ? ['Odd'] : [] }));
    const roster = rosterServer({ ver: '1', items });
    const stats = { inFlight: 0, peak: 0, fetched: [] as string[] };
    const answer = async (request: Element): Promise<Element> => {
      if (queryOf(request)) return roster.answer(request);
      const to = request.attrs.to as string;
      stats.fetched.push(to);
      stats.inFlight++;
      stats.peak = Math.max(stats.peak, stats.inFlight);
      try {
        const index = Number(to.slice(1, to.indexOf('@')));
        for (let i = 0; i < (options.delay?.(index) ?? index % 4); i++) await tick();
        if (request.getChild('vCard', NS_VCARD) === undefined) throw new Error('not a vCard get');
        const condition = options.noVCard?.(to);
        if (condition) return error(request, condition);
        return result(request, buildVCard({ nickName: `nick ${index}`, image: '', status: `status ${index}`, mobileNumber: '', email: `c${index}@mail.test` }));
      } finally {
        stats.inFlight--;
      }
    };
    return { items, stats, answer };
  }

  it('fetches every profile once with at most `concurrency` in flight, keeps the pipeline full, then serves from the cache', async () => {
    const server = contactsServer(100);
    const exchange = fakeExchange(server.answer);
    const state = createFriendsState();
    await loadRoster(exchange, createMemoryRosterStore(), state, { versioning: true });
    const users = await friendsList(exchange, state, vcardFetch(exchange), 7);
    assert.equal(server.stats.peak, 7);
    assert.equal(server.stats.inFlight, 0);
    assert.deepEqual([...server.stats.fetched].sort(), server.items.map((i) => i.jid).sort());
    assert.equal(users.length, 100);
    for (const [index, user] of users.entries()) {
      const rosterItem = server.items[index] as RosterItem;
      assert.equal(user.userJid, rosterItem.jid);
      assert.equal(user.userId, `c${index}`);
      assert.equal(user.nickName, `nick ${index}`);
      assert.equal(user.email, `c${index}@mail.test`);
      assert.equal(user.name, `Contact ${index}`);
      assert.deepEqual(user.groups, rosterItem.groups);
      assert.equal(user.isFriend, index % 3 === 0);
    }
    const again = await friendsList(exchange, state, vcardFetch(exchange), 7);
    assert.equal(server.stats.fetched.length, 100); // all from the cache
    assert.deepEqual(again, users);
  });

  it('uses the default concurrency of 32', async () => {
    const server = contactsServer(80, { delay: () => 3 });
    const exchange = fakeExchange(server.answer);
    const state = createFriendsState();
    await loadRoster(exchange, createMemoryRosterStore(), state, { versioning: true });
    await friendsList(exchange, state, vcardFetch(exchange));
    assert.equal(server.stats.peak, 32);
  });

  it('gives a contact without a profile the empty one, cached; a temporary error is asked again next time', async () => {
    const conditions: Record<string, StanzaErrorCondition> = { 'c1@x': 'item-not-found', 'c2@x': 'service-unavailable', 'c3@x': 'forbidden' };
    const server = contactsServer(5, { noVCard: (jid) => conditions[jid] });
    const base = fakeExchange(server.answer);
    let waitOnce = true;
    const fetchProfile = (jid: string): Promise<Profile> => {
      if (jid === 'c4@x' && waitOnce) {
        waitOnce = false;
        return Promise.reject(new StanzaError({ type: 'wait', condition: 'resource-constraint', text: '', applicationCondition: '', by: '' }));
      }
      return vcardFetch(base)(jid);
    };
    const state = createFriendsState();
    await loadRoster(base, createMemoryRosterStore(), state, { versioning: true });
    const users = await friendsList(base, state, fetchProfile);
    for (const jid of ['c1@x', 'c2@x', 'c3@x', 'c4@x']) {
      const user = users.find((u) => u.userJid === jid);
      assert.deepEqual(user && { ...user, name: '', subscription: 'none', groups: [], isFriend: false }, { ...emptyProfile(jid), name: '', subscription: 'none', groups: [], isFriend: false });
    }
    assert.equal(users.find((u) => u.userJid === 'c0@x')?.nickName, 'nick 0');
    assert.equal(state.profiles.has('c4@x'), false);
    const fetchedBefore = server.stats.fetched.length;
    const again = await friendsList(base, state, fetchProfile);
    assert.deepEqual(server.stats.fetched.slice(fetchedBefore), ['c4@x']);
    assert.equal(again.find((u) => u.userJid === 'c4@x')?.nickName, 'nick 4');
  });

  it('gives a contact whose vCard cannot be read the empty profile', async () => {
    const { state } = await loaded([item('bob@x'), item('carol@x')]);
    const exchange = fakeExchange(() => assert.fail('no request expected'));
    const users = await friendsList(exchange, state, (jid) =>
      jid === 'bob@x' ? Promise.reject(new StanzaParseError('STANZA_MISSING_PART', 'junk')) : Promise.resolve(profile(jid, 'carol')));
    assert.deepEqual(users.map((u) => u.nickName), ['', 'carol']);
  });

  for (const failure of [new TimeoutError('no answer in 15000 ms', 15000), new TransportError('TRANSPORT_CLOSED', 'the connection was lost')]) {
    it(`rejects the whole call on a ${failure.name}, never a list with holes`, async () => {
      const { state } = await loaded([item('bob@x'), item('carol@x'), item('dave@x')]);
      const exchange = fakeExchange(() => assert.fail('no request expected'));
      await assert.rejects(friendsList(exchange, state, async (jid) => {
        await tick();
        if (jid === 'carol@x') throw failure;
        return profile(jid, jid);
      }), (e) => e === failure);
    });
  }

  it('includes a contact added by a push during the fetch, and leaves out one removed meanwhile', async () => {
    const { state, store } = await loaded([item('bob@x'), item('carol@x')]);
    const exchange = fakeExchange(() => assert.fail('no request expected'));
    const asked: string[] = [];
    const users = await friendsList(exchange, state, async (jid) => {
      asked.push(jid);
      if (jid === 'bob@x') {
        applyRosterPush(ALICE, state, store, buildRosterPush('p1', '2', item('dave@x', { subscription: 'both' })));
        applyRosterPush(ALICE, state, store, buildRosterPush('p2', '3', item('carol@x', { subscription: 'remove' })));
      }
      await tick();
      return profile(jid, jid.slice(0, jid.indexOf('@')));
    });
    assert.deepEqual(users.map((u) => [u.userJid, u.nickName]), [['bob@x', 'bob'], ['dave@x', 'dave']]);
    assert.deepEqual(asked, ['bob@x', 'carol@x', 'dave@x']);
    assert.equal(state.profiles.has('carol@x'), false);
  });

  it('never shows the roster of another account', async () => {
    const { state } = await loaded([item('bob@x')]);
    const users = await friendsList(fakeExchange(() => assert.fail('no request'), 'other@example.com'), state, () => assert.fail('no fetch'));
    assert.deepEqual(users, []);
  });

  it('takes pushed profiles into the cache: true when the list changes, false for the same profile or a non-contact', async () => {
    const { state } = await loaded([item('bob@x'), item('carol@x')]);
    const exchange = fakeExchange(() => assert.fail('no request expected'));
    await friendsList(exchange, state, async (jid) => profile(jid, 'old'));
    assert.equal(updateCachedProfile(state, profile('bob@x', 'new')), true);
    assert.equal(updateCachedProfile(state, profile('bob@x', 'new')), false);
    assert.equal(updateCachedProfile(state, profile('stranger@x', 'who')), false);
    assert.equal(state.profiles.has('stranger@x'), false);
    const users = await friendsList(exchange, state, () => assert.fail('all cached'));
    assert.deepEqual(users.map((u) => u.nickName), ['new', 'old']);
  });
});

describe('profile/roster-store', () => {
  /** A Web Storage in memory. */
  function fakeStorage(): KeyValueStorage & { entries: Map<string, string> } {
    const entries = new Map<string, string>();
    return { entries, getItem: (key) => entries.get(key) ?? null, setItem: (key, value) => void entries.set(key, value) };
  }
  const rosterItem = fc.record({
    jid: fc.string({ minLength: 1, maxLength: 10 }),
    name: xmlText(8),
    subscription: fc.constantFrom<RosterSubscription>('none', 'to', 'from', 'both'),
    ask: fc.constantFrom<'' | 'subscribe'>('', 'subscribe'),
    groups: fc.array(xmlText(6), { maxLength: 3 }),
    approved: fc.boolean(),
  }, { noNullPrototype: true });
  const roster = fc.record({ ver: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), items: fc.array(rosterItem, { maxLength: 8 }) }, { noNullPrototype: true })
    .map(({ ver, items }): Roster => (ver === undefined ? { items } : { ver, items }));

  it('web storage: what is saved loads back equal, per account, under the prefix', () => {
    fc.assert(fc.property(roster, roster, (a, b) => {
      const storage = fakeStorage();
      const store = createWebStorageRosterStore(storage, 'p:');
      store.save('a@x', a);
      store.save('b@x', b);
      assert.deepEqual(store.load('a@x'), a);
      assert.deepEqual(store.load('b@x'), b);
      assert.equal(store.load('c@x'), undefined);
      assert.deepEqual([...storage.entries.keys()].sort(), ['p:a@x', 'p:b@x']);
    }), { numRuns: 100 });
  });

  it('web storage: a corrupt or foreign entry reads as no roster, never throws', () => {
    const storage = fakeStorage();
    const store = createWebStorageRosterStore(storage);
    const key = 'xmpp-profile:roster:a@x';
    const good = { jid: 'b@x', name: '', subscription: 'both', ask: '', groups: [], approved: false };
    for (const text of [
      '{"ver":"1","items":[', 'null', '42', '"text"', '[]', '{}', '{"items":{}}', '{"ver":1,"items":[]}',
      JSON.stringify({ items: [{ ...good, subscription: 'friends' }] }),
      JSON.stringify({ items: [{ ...good, jid: 7 }] }),
      JSON.stringify({ items: [{ ...good, groups: [1] }] }),
      JSON.stringify({ items: [{ ...good, ask: 'maybe' }] }),
      JSON.stringify({ items: [null] }),
    ]) {
      storage.entries.set(key, text);
      assert.equal(store.load('a@x'), undefined, text);
    }
    storage.entries.set(key, JSON.stringify({ ver: '1', items: [good] }));
    assert.deepEqual(store.load('a@x'), { ver: '1', items: [good] });
    const denied = createWebStorageRosterStore({
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
    });
    assert.equal(denied.load('a@x'), undefined);
  });

  it('web storage: a corrupt entry costs one full roster, which then replaces it', async () => {
    const storage = fakeStorage();
    storage.entries.set(`xmpp-profile:roster:${ALICE}`, '{"ver":"4","items":[{"jid":');
    const server = rosterServer({ ver: '4', items: [item('bob@x')] });
    const store = createWebStorageRosterStore(storage);
    await loadRoster(fakeExchange(server.answer), store, createFriendsState(), { versioning: true });
    assert.deepEqual(server.gets, ['']);
    assert.deepEqual(store.load(ALICE), { ver: '4', items: [item('bob@x')] });
  });

  it('memory: keeps one roster per account', async () => {
    const store = createMemoryRosterStore();
    assert.equal(await store.load('a@x'), undefined);
    const saved: Roster = { ver: '1', items: [item('b@x')] };
    await store.save('a@x', saved);
    assert.equal(await store.load('a@x'), saved);
    assert.equal(await store.load('b@x'), undefined);
  });
});
