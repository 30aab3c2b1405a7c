// Integration: blocking against real Prosody (WebSocket and BOSH) and real ejabberd (WebSocket).
// XEP-0191 block, unblock and list, each change fired once (the call's result and its push); a second
// session of the same account told by push; the XEP-0016 fallback on Prosody's real privacy lists
// (forced by a ServerInfo whose disco#info lacks urn:xmpp:blocking, the one fake here), with the
// block checked to work (a message from the blocked user bounces; after the unblock it arrives);
// who blocked me: the project's module on Prosody (query and pushes), 501 on ejabberd.

import { strict as assert } from 'node:assert';
import { Element } from 'ltx';
import WebSocket from 'ws';
import { StanzaError } from '../../lib/errors.js';
import { blockedByEvents, usersWhoBlockedMe } from '../../lib/profile/blocked-by.js';
import {
  applyBlockingPush, applyPrivacyPush, blockUser, createBlockingState, listBlocked, loadBlocklist, unblockUser,
  type BlockingState,
} from '../../lib/profile/blocking.js';
import { exchangeOf, type Exchange } from '../../lib/profile/exchange.js';
import { createServerInfo, type ServerInfo } from '../../lib/profile/server-info.js';
import type { BlockEvent } from '../../lib/profile/types.js';
import { buildBlocklistGet, parseBlocklist } from '../../lib/stanzas/blocking.js';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { NS_BLOCKED_BY, NS_BLOCKING, NS_PING, NS_PRIVACY } from '../../lib/stanzas/ns.js';
import { buildPrivacyListGet, buildPrivacyListsGet, parsePrivacyList, parsePrivacyLists } from '../../lib/stanzas/privacy.js';
import { findStanzaErrorElement, parseStanzaError } from '../../lib/stanzas/stanza-error.js';
import { createBoshTransport } from '../../lib/transport/bosh.js';
import { Session } from '../../lib/transport/session.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../../lib/transport/websocket.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';
import { until, wait } from '../support/wait.js';

const ev = (jid: string, block: boolean, by: 'me' | 'contact' = 'me'): BlockEvent =>
  ({ blockedUserId: jid.slice(0, jid.indexOf('@')), jid, type: block ? 'block_user' : 'unblock_user', by });


/** A logged-in session with its blocking state, the pushes wired as the facade wires them. */
interface Device {
  readonly session: Session;
  readonly exchange: Exchange;
  readonly server: ServerInfo;
  readonly state: BlockingState;
  readonly bare: string;
  readonly full: string;
  /** Every event fired: the calls' results and the pushes'. */
  readonly events: BlockEvent[];
  /** The chat messages and message errors received. */
  readonly messages: Element[];
}

for (const [name, kind] of [['prosody', 'websocket'], ['prosody', 'bosh'], ['ejabberd', 'websocket']] as const) {
  describe(`blocking over ${kind} against real ${name}`, function () {
    this.timeout(30_000);
    let handle: ServerHandle;
    const sessions: Session[] = [];

    before(async function () {
      this.timeout(45_000);
      handle = await useServer(name);
    });

    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((s) => s.close()));
    });

    const open = (): Session => {
      const session = new Session({
        transport: () => kind === 'bosh'
          ? createBoshTransport({ url: handle.boshUrl })
          : createWebSocketTransport({ url: handle.websocketUrl, WebSocket: WebSocket as unknown as WebSocketConstructor }),
        domain: handle.domain,
        reconnect: false,
      });
      sessions.push(session);
      return session;
    };

    /** A session of a new account (`username` absent) or of an existing one. */
    const device = async (account: { username?: string; info?: (real: ServerInfo) => ServerInfo } = {}): Promise<Device> => {
      const session = open();
      const username = account.username ?? freshName('blk');
      const password = `pw-${username}`;
      const full = account.username === undefined
        ? (await session.register({ username, password }, { login: true }), session.jid)
        : await session.login({ username, password });
      const bare = `${username}@${handle.domain}`;
      const exchange = exchangeOf(session, bare, handle.domain);
      const real = createServerInfo(exchange);
      const server = account.info ? account.info(real) : real;
      const state = createBlockingState();
      const events: BlockEvent[] = [];
      const messages: Element[] = [];
      const onBlockingPush = (_request: unknown, element: Element): undefined => {
        events.push(...applyBlockingPush(bare, state, element));
        return undefined;
      };
      session.iqHandlers.register('set', 'block', NS_BLOCKING, onBlockingPush);
      session.iqHandlers.register('set', 'unblock', NS_BLOCKING, onBlockingPush);
      session.iqHandlers.register('set', 'query', NS_PRIVACY, (_request, element) => {
        void applyPrivacyPush(exchange, state, element).then((found) => events.push(...found), () => undefined);
        return undefined;
      });
      session.on('stanza', (element) => {
        events.push(...blockedByEvents(bare, element));
        if (element.getName() === 'message' && (element.getChild('body') || element.attrs.type === 'error')) messages.push(element);
      });
      return { session, exchange, server, state, bare, full, events, messages };
    };

    /** One round trip: every push the server sent before its answer has been handled (and re-read). */
    const settle = async (d: Device): Promise<void> => {
      await d.exchange.iq((id) => buildIqGet(id, handle.domain, new Element('ping', { xmlns: NS_PING })));
      await d.state.queue;
      await wait(10); // the listener's own continuation
    };

    const block = (d: Device, jid: string) => blockUser(d.exchange, d.server, d.state, jid).then((event) => (event && d.events.push(event), event));
    const unblock = (d: Device, jid: string) => unblockUser(d.exchange, d.server, d.state, jid).then((event) => (event && d.events.push(event), event));
    const chat = (from: Device, to: string, body: string): void =>
      from.session.send(new Element('message', { xmlns: 'jabber:client', to, type: 'chat', id: freshName('m') }).c('body').t(body).root());

    it('blocks, lists and unblocks with XEP-0191; each change fires once (result and push)', async () => {
      const [me, bob] = await Promise.all([device(), device()]);
      assert.deepEqual(await loadBlocklist(me.exchange, me.server, me.state), []);
      assert.equal(me.state.protocol, 'blocking');
      // The result and the push of a change often come in one frame: the push tells it first, and the
      // call then resolves without an event. Either way it fires once.
      await block(me, bob.bare);
      await settle(me);
      assert.deepEqual(me.events, [ev(bob.bare, true)]);
      assert.equal(await block(me, bob.bare), undefined, 'blocking a blocked user changes nothing');
      assert.deepEqual(await listBlocked(me.exchange, me.server, me.state), [{ jid: bob.bare, userId: bob.bare.split('@')[0] }]);
      assert.deepEqual(parseBlocklist(await me.exchange.iq((id) => buildBlocklistGet(id))).jids, [bob.bare], 'the server has it');
      await unblock(me, bob.bare);
      assert.equal(await unblock(me, bob.bare), undefined, 'unblocking a user not blocked changes nothing');
      await settle(me);
      assert.deepEqual(me.events, [ev(bob.bare, true), ev(bob.bare, false)]);
      assert.deepEqual(await listBlocked(me.exchange, me.server, me.state), []);
    });

    it("a second session of the account is told of the first one's changes by push, once each", async () => {
      const first = await device();
      const second = await device({ username: first.bare.split('@')[0] as string });
      const bob = `${freshName('bob')}@${handle.domain}`;
      await Promise.all([loadBlocklist(first.exchange, first.server, first.state), loadBlocklist(second.exchange, second.server, second.state)]);
      await block(first, bob);
      await until(() => second.events.length > 0, 5000, 'the push to the second session');
      assert.deepEqual(await listBlocked(second.exchange, second.server, second.state), [{ jid: bob, userId: bob.split('@')[0] }]);
      await unblock(first, bob);
      await settle(first);
      await settle(second);
      assert.deepEqual(second.events, [ev(bob, true), ev(bob, false)]);
      assert.deepEqual(first.events, [ev(bob, true), ev(bob, false)], 'the pushes of its own changes add nothing');
    });

    if (name === 'prosody') {
      /** The server's disco#info without XEP-0191: the privacy-list fallback. */
      const withoutBlocking = (real: ServerInfo): ServerInfo => ({
        info: async () => {
          const info = await real.info();
          return { ...info, features: info.features.filter((feature) => feature !== NS_BLOCKING) };
        },
        has: async (feature) => feature !== NS_BLOCKING && (await real.has(feature)),
      });

      it("falls back to a privacy list on Prosody's real XEP-0016: the block works, another session is told, unblocking lets messages through", async () => {
        const me = await device({ info: withoutBlocking });
        const phone = await device({ username: me.bare.split('@')[0] as string, info: withoutBlocking });
        const bob = await device();
        assert.deepEqual(await loadBlocklist(me.exchange, me.server, me.state), []);
        assert.deepEqual(await loadBlocklist(phone.exchange, phone.server, phone.state), []);
        assert.equal(me.state.protocol, 'privacy');

        await block(me, bob.bare);
        const list = parsePrivacyList(await me.exchange.iq((id) => buildPrivacyListGet(id, me.state.listName)));
        assert.deepEqual(list.items.map((item) => [item.type, item.value, item.action]), [['jid', bob.bare, 'deny'], [undefined, undefined, 'allow']]);
        const first = parsePrivacyLists(await me.exchange.iq((id) => buildPrivacyListsGet(id)));
        assert.equal(first.active, me.state.listName);
        // The other session, online without an active list, uses the default: Prosody refused to change
        // it (conflict, XEP-0016 §2.5), which the block survives.
        assert.notEqual(first.default, me.state.listName);
        assert.deepEqual(parseBlocklist(await me.exchange.iq((id) => buildBlocklistGet(id))).jids, [], 'XEP-0191 untouched');

        // The block works: bob's message bounces (service-unavailable) and never reaches this session.
        chat(bob, me.full, 'while blocked');
        await until(() => bob.messages.length > 0, 5000, "bob's bounce");
        const bounce = bob.messages[0] as Element;
        assert.equal(bounce.attrs.type, 'error');
        assert.equal(parseStanzaError(findStanzaErrorElement(bounce) as Element).condition, 'service-unavailable');
        await until(() => phone.events.length > 0, 5000, 'the privacy push to the other session', () => phone.events);
        assert.deepEqual(phone.events, [ev(bob.bare, true)]);

        // The other session made the list active when told (so the default could change: Prosody refuses
        // a new default while a session uses the default list); the next change makes it the default.
        await unblock(me, bob.bare);
        const names = parsePrivacyLists(await me.exchange.iq((id) => buildPrivacyListsGet(id)));
        assert.equal(names.default, me.state.listName);
        chat(bob, me.full, 'after the unblock');
        await until(() => me.messages.length > 0, 5000, 'the message after the unblock');
        assert.equal(me.messages[0]?.getChildText('body'), 'after the unblock', 'the message sent while blocked never came');
        await settle(me);
        await settle(phone);
        assert.deepEqual(me.events, [ev(bob.bare, true), ev(bob.bare, false)]);
        assert.deepEqual(phone.events, [ev(bob.bare, true), ev(bob.bare, false)]);
        assert.deepEqual(await listBlocked(me.exchange, me.server, me.state), []);
      });

      it("who blocked me: the project's module answers and pushes each change to the blocked user", async () => {
        const [me, bob] = await Promise.all([device(), device()]);
        assert.equal(await me.server.has(NS_BLOCKED_BY), true, 'the module is loaded');
        assert.deepEqual(await usersWhoBlockedMe(me.exchange, me.server), []);
        await block(bob, me.bare);
        await until(() => me.events.length > 0, 5000, 'the blocked-by push');
        assert.deepEqual(me.events, [ev(bob.bare, true, 'contact')]);
        assert.deepEqual(await usersWhoBlockedMe(me.exchange, me.server), [{ jid: bob.bare, userId: bob.bare.split('@')[0] }]);
        await unblock(bob, me.bare);
        await until(() => me.events.length > 1, 5000, 'the unblock push');
        assert.deepEqual(me.events, [ev(bob.bare, true, 'contact'), ev(bob.bare, false, 'contact')]);
        assert.deepEqual(await usersWhoBlockedMe(me.exchange, me.server), []);
      });
    } else {
      it('who blocked me answers feature-not-implemented (501): no module on ejabberd', async () => {
        const me = await device();
        await assert.rejects(usersWhoBlockedMe(me.exchange, me.server), (error: unknown) => error instanceof StanzaError && error.condition === 'feature-not-implemented');
      });
    }
  });
}
