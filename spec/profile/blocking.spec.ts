// Blocking (lib/profile/blocking.ts) and who blocked me (lib/profile/blocked-by.ts) over a fake server:
// an in-memory account that answers with stanzas built by the codecs (and the real servers' fixtures),
// keeps XEP-0191 and XEP-0016 state, and queues each resource's results and pushes so that a test
// chooses the order they arrive in. Covers the three paths (XEP-0191, privacy list, neither -> 501),
// events exactly once whatever the order of results and pushes (property), spoofed pushes, blocked-by.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { StanzaError, type StanzaErrorCondition } from '../../lib/errors.js';
import { blockedByEvents, usersWhoBlockedMe } from '../../lib/profile/blocked-by.js';
import {
  applyBlockingPush, applyPrivacyPush, blockUser, createBlockingState, listBlocked, loadBlocklist, unblockUser,
  type BlockingState,
} from '../../lib/profile/blocking.js';
import type { Exchange } from '../../lib/profile/exchange.js';
import type { ServerInfo } from '../../lib/profile/server-info.js';
import type { BlockEvent } from '../../lib/profile/types.js';
import { buildBlockedBy, buildBlockedByPush } from '../../lib/stanzas/blocked-by.js';
import { buildBlocklist, buildBlockingPush, parseBlockingPush } from '../../lib/stanzas/blocking.js';
import { buildIqError, buildIqResult, parseIq } from '../../lib/stanzas/iq.js';
import { NS_BLOCKED_BY, NS_BLOCKING, NS_PRIVACY } from '../../lib/stanzas/ns.js';
import {
  blockedJidsOfPrivacyList, blockingPrivacyList, buildPrivacyList, buildPrivacyListPush, buildPrivacyLists,
  parsePrivacyList, type PrivacyList,
} from '../../lib/stanzas/privacy.js';
import { findStanzaErrorElement, toStanzaError } from '../../lib/stanzas/stanza-error.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { realStanza } from '../support/fixtures.js';

const ME = 'me@example.com';
const LIST = 'xmpp-profile-blocked';
const FULL = [NS_BLOCKING, NS_PRIVACY];
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const ev = (jid: string, block: boolean, by: 'me' | 'contact' = 'me'): BlockEvent =>
  ({ blockedUserId: jid.includes('@') ? jid.slice(0, jid.indexOf('@')) : '', jid, type: block ? 'block_user' : 'unblock_user', by });

type Delivery = { readonly kind: 'result'; readonly settle: () => void } | { readonly kind: 'push'; readonly element: Element };

/** One account on a fake server: XEP-0191 block list, XEP-0016 lists, pushes to every resource. */
class FakeServer {
  readonly blocked = new Set<string>();
  readonly lists = new Map<string, PrivacyList>();
  defaultList: string | undefined;
  /** The error the next XEP-0191 change is answered with. */
  refuse: StanzaErrorCondition | undefined;
  readonly resources: FakeResource[] = [];
  /** Changes that altered what the account blocks (the block list, or the JIDs of the project's list). */
  changes = 0;
  #pushes = 0;

  constructor(readonly features: readonly string[], readonly pushFrom?: string) {}

  connect(): FakeResource {
    const resource = new FakeResource(this, `r${this.resources.length + 1}`);
    this.resources.push(resource);
    return resource;
  }

  /** Another client of the account changes the block list. */
  other(action: 'block' | 'unblock', jids: readonly string[]): void {
    this.#block(action, jids);
  }

  /** Another client writes the project's list. */
  otherList(jids: readonly string[]): void {
    this.#setList(blockingPrivacyList(LIST, jids));
  }

  answer(resource: FakeResource, request: Element): Element {
    const iq = parseIq(request);
    const payload = iq.payload;
    const fail = (condition: StanzaErrorCondition): Element =>
      buildIqError(iq, { type: 'cancel', condition, text: '', applicationCondition: '', by: '' });
    const ns = payload?.getNS();
    if (ns === NS_BLOCKING && iq.type === 'get') {
      resource.interested = true;
      return buildIqResult(iq, buildBlocklist([...this.blocked]));
    }
    if (ns === NS_BLOCKING && this.refuse) {
      const condition = this.refuse;
      this.refuse = undefined;
      return fail(condition);
    }
    if (ns === NS_BLOCKING) {
      const push = parseBlockingPush(request);
      this.#block(push.action, push.jids);
      return buildIqResult(iq);
    }
    if (ns === NS_BLOCKED_BY) return this.features.includes(NS_BLOCKED_BY) ? buildIqResult(iq, buildBlockedBy(['ann@example.com', 'example.org'])) : fail('service-unavailable');
    if (ns !== NS_PRIVACY || !payload || !this.features.includes(NS_PRIVACY)) return fail('service-unavailable');
    const child = payload.getChildElements()[0];
    const name = child?.attrs.name as string | undefined;
    if (iq.type === 'get' && !child) {
      const names = { lists: [...this.lists.keys()], ...(resource.active ? { active: resource.active } : {}), ...(this.defaultList ? { default: this.defaultList } : {}) };
      return buildIqResult(iq, buildPrivacyLists(names));
    }
    const list = name === undefined ? undefined : this.lists.get(name);
    if (iq.type === 'get') return list ? buildIqResult(iq, new Element('query', { xmlns: NS_PRIVACY }).cnode(buildPrivacyList(list)).root()) : fail('item-not-found');
    if (child?.name === 'list' && name !== undefined) {
      this.#setList(parsePrivacyList(child));
      return buildIqResult(iq);
    }
    if (child?.name === 'active' && name !== undefined) {
      if (!list) return fail('item-not-found');
      resource.active = name;
      return buildIqResult(iq);
    }
    if (child?.name === 'default' && name !== undefined) {
      if (!list) return fail('item-not-found');
      // Prosody's rule (XEP-0016 §2.5): not while another session uses the default list.
      if (this.resources.some((other) => other !== resource && other.active === undefined)) return fail('conflict');
      this.defaultList = name;
      return buildIqResult(iq);
    }
    return fail('bad-request');
  }

  #block(action: 'block' | 'unblock', jids: readonly string[]): void {
    const before = new Set(this.blocked);
    if (action === 'unblock' && jids.length === 0) this.blocked.clear();
    for (const jid of jids) {
      if (action === 'block') this.blocked.add(jid);
      else this.blocked.delete(jid);
    }
    this.changes += symmetricDifference(before, this.blocked);
    const push = buildBlockingPush(`push${++this.#pushes}`, { action, jids });
    if (this.pushFrom !== undefined) push.attrs.from = this.pushFrom;
    for (const resource of this.resources) if (resource.interested) resource.outbox.push({ kind: 'push', element: push });
  }

  #setList(list: PrivacyList): void {
    const jidsOf = (l: PrivacyList | undefined): Set<string> => new Set(l ? blockedJidsOfPrivacyList(l) : []);
    const before = jidsOf(this.lists.get(list.name));
    if (list.items.length === 0) this.lists.delete(list.name);
    else this.lists.set(list.name, list);
    if (list.name === LIST) this.changes += symmetricDifference(before, jidsOf(this.lists.get(list.name)));
    const push = buildPrivacyListPush(`push${++this.#pushes}`, list.name);
    for (const resource of this.resources) resource.outbox.push({ kind: 'push', element: push }); // XEP-0016: to every resource
  }

  get info(): ServerInfo {
    const features = this.features;
    return { info: async () => ({ identities: [], features, forms: [] }), has: async (feature) => features.includes(feature) };
  }

  /** The JIDs the account blocks, as the protocol in use stores them. */
  truth(): string[] {
    if (this.features.includes(NS_BLOCKING)) return [...this.blocked];
    const list = this.lists.get(LIST);
    return list ? blockedJidsOfPrivacyList(list) : [];
  }
}

function symmetricDifference(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let count = 0;
  for (const x of a) if (!b.has(x)) count++;
  for (const x of b) if (!a.has(x)) count++;
  return count;
}

/** A resource (session) of the account: its exchange, its blocking state, what it was sent, the events fired. */
class FakeResource {
  interested = false;
  active: string | undefined;
  readonly outbox: Delivery[] = [];
  readonly sent: Element[] = [];
  readonly events: BlockEvent[] = [];
  readonly state: BlockingState = createBlockingState();
  readonly exchange: Exchange;
  #work = 0;
  #id = 0;

  constructor(readonly server: FakeServer, readonly name: string) {
    this.exchange = {
      userJid: ME,
      domain: 'example.com',
      fetch: globalThis.fetch,
      nextId: () => `id${++this.#id}`,
      send: () => undefined,
      iq: (build) => {
        const request = build(`q${++this.#id}`);
        this.sent.push(request);
        let answer: Element | undefined;
        // The answer goes out before the pushes the request causes, as Prosody and ejabberd send them.
        const result = new Promise<Element>((resolve, reject) => {
          this.outbox.push({
            kind: 'result',
            settle: () => {
              const element = answer as Element;
              if (element.attrs.type === 'error') reject(toStanzaError(findStanzaErrorElement(element) as Element, element));
              else resolve(element);
            },
          });
        });
        answer = server.answer(this, request);
        return result;
      },
    };
  }

  /** Starts an operation; its events (and failure, if any) are recorded when it settles. */
  track(operation: Promise<BlockEvent | BlockEvent[] | undefined>): Promise<BlockEvent | BlockEvent[] | undefined> {
    this.#work++;
    return operation.then(
      (result) => {
        this.#work--;
        if (Array.isArray(result)) this.events.push(...result);
        else if (result) this.events.push(result);
        return result;
      },
      (error: unknown) => {
        this.#work--;
        throw error;
      },
    );
  }

  block(jid: string): Promise<BlockEvent | BlockEvent[] | undefined> {
    return this.track(blockUser(this.exchange, this.server.info, this.state, jid));
  }

  unblock(jid: string): Promise<BlockEvent | BlockEvent[] | undefined> {
    return this.track(unblockUser(this.exchange, this.server.info, this.state, jid));
  }

  deliver(delivery: Delivery): void {
    this.outbox.splice(this.outbox.indexOf(delivery), 1);
    if (delivery.kind === 'result') delivery.settle();
    else if (delivery.element.getChild('query', NS_PRIVACY)) void this.track(applyPrivacyPush(this.exchange, this.state, delivery.element)).catch(() => undefined);
    else this.events.push(...applyBlockingPush(ME, this.state, delivery.element));
  }

  /** Delivers everything in the order the server sent it until nothing is left or pending. */
  async drain(): Promise<void> {
    for (let rounds = 0; rounds < 1000; rounds++) {
      await tick();
      const next = this.outbox[0];
      if (next) this.deliver(next);
      else if (this.#work === 0) return;
    }
    assert.fail('the fake exchange did not settle');
  }

  /** Runs an operation to its end, delivering results and pushes in order. */
  async run<T>(operation: Promise<T>): Promise<T> {
    let done = false;
    const settled = operation.finally(() => {
      done = true;
    });
    while (!done) {
      await tick();
      const next = this.outbox[0];
      if (next) this.deliver(next);
    }
    return settled;
  }
}

describe('profile/blocking', () => {
  describe('XEP-0191', () => {
    it('loads, blocks, unblocks and lists; the pushes of its own changes add no event', async () => {
      const server = new FakeServer(FULL);
      server.blocked.add('old@example.com');
      const me = server.connect();
      assert.deepEqual(await me.run(loadBlocklist(me.exchange, server.info, me.state)), []);
      assert.equal(me.state.protocol, 'blocking');
      assert.deepEqual(await me.run(me.block('Bob@Example.COM')), ev('bob@example.com', true));
      assert.deepEqual(await me.run(me.block('bob@example.com')), undefined, 'blocking a blocked JID: no event');
      await me.drain();
      assert.deepEqual(await me.run(listBlocked(me.exchange, server.info, me.state)), [
        { jid: 'old@example.com', userId: 'old' }, { jid: 'bob@example.com', userId: 'bob' },
      ]);
      assert.deepEqual(await me.run(me.unblock('bob@example.com')), ev('bob@example.com', false));
      assert.equal(await me.run(me.unblock('nobody@example.com')), undefined, 'unblocking a JID not blocked: no event');
      await me.run(me.block('example.org'));
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true), ev('bob@example.com', false), ev('example.org', true)]);
      assert.deepEqual(await listBlocked(me.exchange, server.info, me.state), [
        { jid: 'old@example.com', userId: 'old' }, { jid: 'example.org', userId: '' },
      ]);
    });

    it('reads the list on the round trip of the first change when not loaded, the list first', async () => {
      const server = new FakeServer(FULL);
      server.blocked.add('bob@example.com');
      const me = server.connect();
      assert.equal(await me.run(me.block('bob@example.com')), undefined);
      assert.deepEqual(me.sent.map((iq) => iq.getChildElements()[0]?.name), ['blocklist', 'block']);
      assert.equal(me.state.loaded, true);
    });

    it('fires one event when the push of its own change comes before the result', async () => {
      const server = new FakeServer(FULL);
      const me = server.connect();
      await me.run(loadBlocklist(me.exchange, server.info, me.state));
      const call = me.block('bob@example.com');
      await tick();
      const [result, push] = me.outbox;
      assert.ok(result?.kind === 'result' && push?.kind === 'push');
      me.deliver(push);
      me.deliver(result);
      assert.equal(await call, undefined, 'the push told the change');
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true)]);
    });

    it("tells another resource's changes and an unblock-all through pushes, one event per known JID", async () => {
      const server = new FakeServer(FULL, ME);
      const me = server.connect();
      const phone = server.connect();
      await me.run(loadBlocklist(me.exchange, server.info, me.state));
      await phone.run(loadBlocklist(phone.exchange, server.info, phone.state));
      await phone.run(phone.block('a@example.com'));
      await phone.run(phone.block('b@example.com'));
      await me.drain();
      assert.deepEqual(me.events, [ev('a@example.com', true), ev('b@example.com', true)]);
      server.other('unblock', []);
      await me.drain();
      assert.deepEqual(me.events.slice(2), [ev('a@example.com', false), ev('b@example.com', false)]);
      assert.deepEqual(me.state.blocked.size, 0);
    });

    it('a later read (a stream not resumed: pushes lost) returns the changes it finds', async () => {
      const server = new FakeServer(FULL);
      server.blocked.add('a@example.com');
      const me = server.connect();
      await me.run(loadBlocklist(me.exchange, server.info, me.state));
      me.interested = false; // the stream is gone, and the pushes with it
      server.other('unblock', ['a@example.com']);
      server.other('block', ['b@example.com']);
      assert.deepEqual(await me.run(loadBlocklist(me.exchange, server.info, me.state)), [ev('a@example.com', false), ev('b@example.com', true)]);
      assert.deepEqual([...me.state.blocked], ['b@example.com']);
    });

    it('a refused change throws the StanzaError and changes nothing; a later push about the JID counts', async () => {
      const server = new FakeServer(FULL);
      const me = server.connect();
      await me.run(loadBlocklist(me.exchange, server.info, me.state));
      server.refuse = 'not-acceptable';
      await assert.rejects(me.run(me.block('bob@example.com')), (error: unknown) => error instanceof StanzaError && error.condition === 'not-acceptable');
      assert.equal(me.state.blocked.size, 0);
      assert.equal(me.state.log.own.size, 0, 'no push of it is awaited');
      server.other('block', ['bob@example.com']);
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true)]);
    });

    it('reads the real servers\' pushes (Prosody without from, ejabberd from the bare JID)', () => {
      for (const [name, user, carol] of [['prosody', 'alice_mwzrbr01@localhost', 'carol_mwzrbr01@localhost'], ['ejabberd', 'alice_mwzrbybw@localhost', 'carol_mwzrbybw@localhost']] as const) {
        const state = createBlockingState();
        assert.deepEqual(applyBlockingPush(user, state, realStanza('block push', name)), [ev(carol, true)], name);
        assert.deepEqual(applyBlockingPush(user, state, realStanza('block push', name)), [], `${name}: twice, one event`);
        assert.deepEqual(applyBlockingPush(user, state, realStanza('unblock-all push', name)), [ev(carol, false)], name);
      }
    });

    it('ignores pushes from anyone but the account, and pushes it cannot read', () => {
      const state = createBlockingState();
      const push = (from: string | undefined, payload = '<block xmlns="urn:xmpp:blocking"><item jid="x@example.com"/></block>'): Element =>
        parseXml(`<iq xmlns="jabber:client" type="set" id="p"${from === undefined ? '' : ` from="${from}"`}>${payload}</iq>`);
      for (const from of ['mallory@example.com', `${ME}/phone`, 'example.com', '']) assert.deepEqual(applyBlockingPush(ME, state, push(from)), [], from);
      assert.deepEqual(applyBlockingPush(ME, state, push(undefined, '<block xmlns="urn:xmpp:blocking"/>')), []);
      assert.deepEqual(applyBlockingPush(ME, state, new Element('message')), []);
      assert.equal(state.blocked.size, 0);
      assert.deepEqual(applyBlockingPush(ME, state, push('ME@Example.com')), [ev('x@example.com', true)], 'the bare JID, any case');
    });

    it('property: over random interleavings of its calls, other resources\' changes and pushes, each change of the known list fires once', async () => {
      await fc.assert(fc.asyncProperty(scenario(), fc.boolean(), async (steps, withFrom) => {
        await checkScenario(new FakeServer(FULL, withFrom ? ME : undefined), steps);
      }), { numRuns: 500 });
    });
  });

  describe('XEP-0016 fallback', () => {
    const PRIVACY_ONLY = [NS_PRIVACY];

    it('writes its list (deny all stanzas), makes it active and default, reads it first; item-not-found is empty', async () => {
      const server = new FakeServer(PRIVACY_ONLY);
      const me = server.connect();
      assert.deepEqual(await me.run(me.block('bob@example.com')), ev('bob@example.com', true));
      assert.equal(me.state.protocol, 'privacy');
      assert.deepEqual(server.lists.get(LIST), blockingPrivacyList(LIST, ['bob@example.com']));
      assert.equal(me.active, LIST);
      assert.equal(server.defaultList, LIST);
      // Read (list and names on one round trip), then the list, active and default written on one.
      assert.deepEqual(me.sent.slice(0, 5).map((iq) => iq.getChildElements()[0]?.getChildElements()[0]?.name ?? 'names'), ['list', 'names', 'list', 'active', 'default']);
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true)], 'the push of its own change adds no event');
      assert.equal(await me.run(me.block('bob@example.com')), undefined);
      assert.deepEqual(await me.run(listBlocked(me.exchange, server.info, me.state)), [{ jid: 'bob@example.com', userId: 'bob' }]);
    });

    it('unblocking the last JID leaves the list with its fall-through allow, still active and default', async () => {
      const server = new FakeServer(PRIVACY_ONLY);
      const me = server.connect();
      await me.run(me.block('bob@example.com'));
      assert.deepEqual(await me.run(me.unblock('bob@example.com')), ev('bob@example.com', false));
      assert.deepEqual(server.lists.get(LIST)?.items, [{ action: 'allow', order: 1, stanzas: { message: true, iq: true, presenceIn: true, presenceOut: true } }]);
      assert.equal(server.defaultList, LIST);
      assert.equal(await me.run(me.unblock('bob@example.com')), undefined);
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true), ev('bob@example.com', false)]);
      assert.deepEqual(await listBlocked(me.exchange, server.info, me.state), []);
    });

    it("reads its list again on a push naming it, and makes it active there; other lists' pushes are ignored", async () => {
      const server = new FakeServer(PRIVACY_ONLY);
      const me = server.connect();
      const phone = server.connect();
      assert.deepEqual(await me.run(loadBlocklist(me.exchange, server.info, me.state)), []);
      await phone.run(phone.block('bob@example.com'));
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true)]);
      assert.equal(me.active, LIST, 'each session makes the list active, so that the default may change');
      const foreign = buildPrivacyListPush('x', 'other-list');
      assert.deepEqual(await applyPrivacyPush(me.exchange, me.state, foreign), []);
      const spoofed = buildPrivacyListPush('x', LIST);
      spoofed.attrs.from = 'mallory@example.com';
      assert.deepEqual(await applyPrivacyPush(me.exchange, me.state, spoofed), []);
      server.otherList([]);
      await me.drain();
      assert.deepEqual(me.events, [ev('bob@example.com', true), ev('bob@example.com', false)]);
    });

    it('keeps the block when the server refuses to change the default list (conflict), and sets it at a later change', async () => {
      const server = new FakeServer(PRIVACY_ONLY);
      const me = server.connect();
      const other = server.connect(); // another session with no active list: Prosody refuses a new default
      assert.deepEqual(await me.run(me.block('bob@example.com')), ev('bob@example.com', true));
      assert.equal(server.defaultList, undefined);
      assert.equal(me.active, LIST);
      other.active = 'theirs';
      await me.run(me.block('carol@example.com'));
      assert.equal(server.defaultList, LIST);
    });

    it('property: over random interleavings, each change of the known list fires once', async () => {
      await fc.assert(fc.asyncProperty(scenario(), async (steps) => {
        await checkScenario(new FakeServer(PRIVACY_ONLY), steps);
      }), { numRuns: 400 });
    });
  });

  describe('neither', () => {
    it('answers feature-not-implemented (501) without sending anything', async () => {
      const server = new FakeServer(['vcard-temp']);
      const me = server.connect();
      for (const operation of [
        () => me.block('bob@example.com'), () => me.unblock('bob@example.com'),
        () => listBlocked(me.exchange, server.info, me.state), () => loadBlocklist(me.exchange, server.info, me.state),
      ]) {
        await assert.rejects(operation(), (error: unknown) => error instanceof StanzaError && error.condition === 'feature-not-implemented');
      }
      assert.equal(me.sent.length, 0);
    });
  });
});

describe('profile/blocked-by', () => {
  it('lists who blocked me where the server offers the namespace, else 501', async () => {
    const server = new FakeServer([...FULL, NS_BLOCKED_BY]);
    const me = server.connect();
    assert.deepEqual(await me.run(usersWhoBlockedMe(me.exchange, server.info)), [
      { jid: 'ann@example.com', userId: 'ann' }, { jid: 'example.org', userId: '' },
    ]);
    const plain = new FakeServer(FULL).connect();
    await assert.rejects(usersWhoBlockedMe(plain.exchange, plain.server.info), (error: unknown) => error instanceof StanzaError && error.condition === 'feature-not-implemented');
    assert.equal(plain.sent.length, 0);
  });

  it('turns pushes from the own account into contact events', () => {
    const block = buildBlockedByPush('m1', ME, `${ME}/r1`, { action: 'block', jids: ['ann@example.com', 'bob@example.com'] });
    assert.deepEqual(blockedByEvents(ME, block), [ev('ann@example.com', true, 'contact'), ev('bob@example.com', true, 'contact')]);
    const unblock = buildBlockedByPush('m2', ME, `${ME}/r1`, { action: 'unblock', jids: ['ann@example.com'] });
    delete unblock.attrs.from;
    assert.deepEqual(blockedByEvents(ME, unblock), [ev('ann@example.com', false, 'contact')]);
  });

  it('ignores spoofed pushes, other messages and junk, never throwing', () => {
    for (const from of ['ann@example.com', `${ME}/phone`, 'example.com']) {
      assert.deepEqual(blockedByEvents(ME, buildBlockedByPush('m', from, ME, { action: 'block', jids: ['ann@example.com'] })), [], from);
    }
    const empty = new Element('message', { from: ME }).c('block', { xmlns: NS_BLOCKED_BY }).root();
    const emptyJid = new Element('message', { from: ME }).c('unblock', { xmlns: NS_BLOCKED_BY }).c('item', { jid: '' }).root();
    for (const junk of [empty, emptyJid, new Element('message', { from: ME }).c('body').t('hi').root(), new Element('presence'), new Element('iq', { type: 'set' })]) {
      assert.deepEqual(blockedByEvents(ME, junk), []);
    }
    fc.assert(fc.property(fc.string(), fc.string(), fc.constantFrom('block', 'unblock', 'item', 'x'), (from, jid, name) => {
      const message = new Element('message', { from }).c(name, { xmlns: NS_BLOCKED_BY }).c('item', { jid }).root();
      assert.ok(Array.isArray(blockedByEvents(ME, message)));
    }));
  });
});

// ---- the property: random interleavings -------------------------------------------------------------

type Step =
  | { readonly op: 'block' | 'unblock'; readonly jid: number }
  | { readonly op: 'other'; readonly jids: readonly number[]; readonly block: boolean }
  | { readonly op: 'deliver'; readonly push: boolean };

const JIDS = ['a@example.com', 'b@example.com', 'example.net'];

function scenario(): fc.Arbitrary<Step[]> {
  const jid = fc.nat({ max: JIDS.length - 1 });
  return fc.array(fc.oneof(
    fc.record({ op: fc.constantFrom('block' as const, 'unblock' as const), jid }, { noNullPrototype: true }),
    fc.record({ op: fc.constant('other' as const), jids: fc.uniqueArray(jid, { maxLength: 2 }), block: fc.boolean() }, { noNullPrototype: true }),
    { arbitrary: fc.record({ op: fc.constant('deliver' as const), push: fc.boolean() }, { noNullPrototype: true }), weight: 4 },
  ), { maxLength: 40 });
}

/**
 * Runs the steps on one resource (results in order, pushes in order, the two streams interleaved as the
 * steps say), then delivers the rest. Checks: each event is a change of the list the events tell
 * (replayed from the loaded list), the known list ends equal to the server's and to that replay, and
 * there are no more events than changes on the server.
 */
async function checkScenario(server: FakeServer, steps: readonly Step[]): Promise<void> {
  server.blocked.add(JIDS[0] as string);
  if (!server.features.includes(NS_BLOCKING)) server.otherList([JIDS[0] as string]);
  const me = server.connect();
  await me.run(loadBlocklist(me.exchange, server.info, me.state));
  await me.drain();
  server.changes = 0;
  const replay = new Set(me.state.blocked);
  const calls: Promise<unknown>[] = [];
  for (const step of steps) {
    if (step.op === 'block' || step.op === 'unblock') {
      const jid = JIDS[step.jid] as string;
      calls.push(step.op === 'block' ? me.block(jid) : me.unblock(jid));
    } else if (step.op === 'other') {
      const jids = step.jids.map((i) => JIDS[i] as string);
      if (server.features.includes(NS_BLOCKING)) {
        if (step.block && jids.length === 0) continue;
        server.other(step.block ? 'block' : 'unblock', jids);
      } else {
        server.otherList(step.block ? [...new Set([...server.truth(), ...jids])] : server.truth().filter((j) => !jids.includes(j)));
      }
    } else if (step.op === 'deliver') {
      const next = me.outbox.find((d) => d.kind === (step.push ? 'push' : 'result'));
      if (next) me.deliver(next);
    }
    await tick();
  }
  await me.drain();
  await Promise.all(calls);
  for (const event of me.events) {
    const block = event.type === 'block_user';
    assert.equal(replay.has(event.jid), !block, `event ${event.type} ${event.jid} changes nothing: ${JSON.stringify(me.events)}`);
    if (block) replay.add(event.jid);
    else replay.delete(event.jid);
  }
  assert.deepEqual([...me.state.blocked].sort(), server.truth().sort(), 'the known list is the server\'s');
  assert.deepEqual([...replay].sort(), server.truth().sort(), 'the events tell the list');
  assert.ok(me.events.length <= server.changes, `${me.events.length} events for ${server.changes} changes`);
}
