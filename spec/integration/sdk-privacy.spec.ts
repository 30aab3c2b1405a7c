// Integration: blocking on a server that has XEP-0016 privacy lists but no XEP-0191 (Prosody's
// privacy.localhost, where mod_blocklist is off): blockUser, unblockUser and getUsersIBlocked work
// through the SDK's privacy list, the listeners fire once per change on every device of the account,
// the block is effective (a message from the blocked user never arrives at another client of the
// account, through the default list) and lifted by the unblock, and "who blocked me" answers 501.

import { strict as assert } from 'node:assert';
import { Element } from 'ltx';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import type { BlockEvent } from '../../lib/profile/types.js';
import { Session, createWebSocketTransport } from '../../lib/transport/node.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandleOf } from '../support/servers.js';
import { until, wait } from '../support/wait.js';

describe('SDK blocking over privacy lists (Prosody host without XEP-0191)', function () {
  this.timeout(30_000);
  let server: ServerHandleOf<'prosody'>;
  const sdks: ProfileSDK[] = [];
  const sessions: Session[] = [];

  before(async function () {
    this.timeout(60_000);
    server = await useServer('prosody');
  });

  afterEach(async () => {
    await Promise.all([...sdks.splice(0).map((sdk) => sdk.logout()), ...sessions.splice(0).map((session) => session.close())]);
  });

  async function sdkUser(events: BlockEvent[], login?: { username: string; password: string }) {
    const sdk = createSDK();
    sdks.push(sdk);
    await sdk.initializeSDK({
      service: server.websocketUrl, domain: server.privacyDomain, callbackListeners: { blockUserListener: (event) => events.push(event) },
    });
    if (login) {
      await sdk.connect(login.username, login.password);
      return { sdk, ...login, jid: `${login.username}@${server.privacyDomain}` };
    }
    const answer = await sdk.register(freshName('priv'), true);
    assert.equal(answer.statusCode, 200, answer.message);
    return { sdk, username: answer.data!.username, password: answer.data!.password, jid: answer.data!.userJid };
  }

  it('blocks and unblocks through a privacy list, told once per change on every device, and the block holds', async () => {
    const aEvents: BlockEvent[] = [];
    const phoneEvents: BlockEvent[] = [];
    const a = await sdkUser(aEvents);
    const b = await sdkUser([]);
    const phone = await sdkUser(phoneEvents, a);
    await wait(200);

    assert.deepEqual(await a.sdk.blockUser(b.jid), { statusCode: 200, message: 'Success' });
    const blocked: BlockEvent = { blockedUserId: b.username, jid: b.jid, type: 'block_user', by: 'me' };
    assert.deepEqual(aEvents, [blocked]);
    await until(() => phoneEvents.length === 1, 8000, 'the other device to hear of the block', () => phoneEvents);
    assert.deepEqual(phoneEvents, [blocked]);
    assert.deepEqual(await a.sdk.getUsersIBlocked(), { statusCode: 200, message: 'Success', data: [{ jid: b.jid, userId: b.username }] });
    assert.deepEqual((await phone.sdk.getUsersIBlocked()).data, [{ jid: b.jid, userId: b.username }]);

    // Another client of Alice's, which knows nothing of privacy lists, logs in now: the SDK made its
    // list the default (while only SDK sessions, each with the list active, were online), so the block
    // holds there too. Bob's raw session sends the messages.
    const bob = new Session({ transport: () => createWebSocketTransport({ url: server.websocketUrl }), domain: server.privacyDomain });
    sessions.push(bob);
    await bob.login({ username: b.username, password: b.password });
    const received: string[] = [];
    const alice = new Session({ transport: () => createWebSocketTransport({ url: server.websocketUrl }), domain: server.privacyDomain, resource: 'inbox' });
    sessions.push(alice);
    await alice.login({ username: a.username, password: a.password });
    alice.on('stanza', (stanza) => {
      if (stanza.getName() === 'message') received.push(stanza.getChildText('body') ?? '');
    });
    alice.send(new Element('presence', { xmlns: 'jabber:client' }));
    const message = (body: string) => new Element('message', { xmlns: 'jabber:client', to: `${a.jid}/inbox`, type: 'chat' }).c('body').t(body).root();

    bob.send(message('while blocked'));
    await wait(500);
    assert.deepEqual(received, [], 'a message from the blocked user arrived');

    assert.deepEqual(await a.sdk.unblockUser(b.jid), { statusCode: 200, message: 'Success' });
    assert.deepEqual(aEvents, [blocked, { ...blocked, type: 'unblock_user' }]);
    await until(() => phoneEvents.length === 2, 8000, 'the other device to hear of the unblock', () => phoneEvents);
    assert.deepEqual((await a.sdk.getUsersIBlocked()).data, []);
    bob.send(message('after unblock'));
    await until(() => received.length > 0, 8000, 'the message after the unblock');
    assert.deepEqual(received, ['after unblock']);
  });

  it('answers 501 for who blocked me, the host having no XEP-0191', async () => {
    const a = await sdkUser([]);
    const answer = await a.sdk.getUsersWhoBlockedMe();
    assert.equal(answer.statusCode, 501);
  });
});
