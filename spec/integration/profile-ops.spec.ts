// Integration: the profile operations against real Prosody (WebSocket and BOSH) and ejabberd
// (WebSocket): a profile set then read back (every field, Unicode and XML specials) by the user and a
// contact, and its vCard4 on the PEP node; other clients' vCard elements kept; a user without vCard;
// image bytes uploaded and served back over HTTP byte for byte; bytes over the server's limit refused
// before any upload; last seen of an online contact, an offline one and a non-contact.

import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { StanzaError } from '../../lib/errors.js';
import { exchangeOf, type Exchange } from '../../lib/profile/exchange.js';
import { findUploadService, uploadImage } from '../../lib/profile/image-upload.js';
import { getLastSeen } from '../../lib/profile/last-seen.js';
import { emptyProfile, profileOf } from '../../lib/profile/profile-map.js';
import { createProfileState, getProfile, setProfile } from '../../lib/profile/profile.js';
import type { Profile } from '../../lib/profile/types.js';
import { parseBase64 } from '../../lib/stanzas/base64.js';
import { findChild } from '../../lib/stanzas/element.js';
import { NS_ROSTER, NS_UPLOAD, NS_VCARD } from '../../lib/stanzas/ns.js';
import { buildPresence, buildSubscribe, buildSubscribed, buildUnavailable, parsePresence } from '../../lib/stanzas/presence.js';
import { buildRosterGet, buildRosterSet, parseRosterPush } from '../../lib/stanzas/roster.js';
import { buildVCardGet, buildVCardSet } from '../../lib/stanzas/vcard.js';
import { buildVCard4Get, parseVCard4Items } from '../../lib/stanzas/vcard4.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { Session, createBoshTransport, createWebSocketTransport } from '../../lib/transport/node.js';
import { freshName } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';
import { until, wait } from '../support/wait.js';



// A real 1x1 PNG (a red pixel).
const PNG = parseBase64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==');

const PROFILE_VALUES = {
  nickName: 'Zoë <Ω> & "friends" \'quoted\' 💬 中文',
  image: 'https://cdn.example.com/a b/ç.png?x=1&y=<2>',
  status: 'Line one\nline two\ttabbed ]]> &amp; <b>not bold</b> ',
  mobileNumber: '+33 (0)6 12-34.56',
  email: 'zoë+tag@exämple.org',
};

interface User {
  readonly session: Session;
  readonly exchange: Exchange;
  readonly jid: string;
}

const CASES = [['prosody', 'websocket'], ['prosody', 'bosh'], ['ejabberd', 'websocket']] as const;

for (const [name, kind] of CASES) {
  describe(`profile operations over ${kind} against real ${name}`, function () {
    this.timeout(30_000);
    let server: ServerHandle;
    const sessions: Session[] = [];

    const users = async (count: number): Promise<User[]> => {
      const names = Array.from({ length: count }, () => freshName('prof'));
      await Promise.all(names.map((username) => registerUser(server, username, `pw-${username}`)));
      return Promise.all(names.map(async (username) => {
        const session = new Session({
          transport: () => (kind === 'bosh'
            ? createBoshTransport({ url: server.boshUrl, wait: 10 })
            : createWebSocketTransport({ url: server.websocketUrl })),
          domain: server.domain,
          reconnect: false,
        });
        sessions.push(session);
        await session.login({ username, password: `pw-${username}` });
        const jid = `${username}@${server.domain}`;
        return { session, exchange: exchangeOf(session, jid, server.domain), jid };
      }));
    };

    before(async function () {
      this.timeout(45_000);
      server = await useServer(name);
    });

    afterEach(async () => {
      await Promise.all(sessions.splice(0).map((session) => session.close()));
    });

    it('sets every field (Unicode, XML specials) and reads it back: the user, a contact, and the vCard4 on PEP', async () => {
      const [alice, bob] = (await users(2)) as [User, User];
      const want: Profile = { userId: alice.jid.split('@')[0] as string, userJid: alice.jid, ...PROFILE_VALUES, thumbImage: PROFILE_VALUES.image };
      // A fresh account: on Prosody the read before the set is answered item-not-found.
      assert.deepEqual(await setProfile(alice.exchange, PROFILE_VALUES, createProfileState()), want);
      assert.deepEqual(await getProfile(alice.exchange, alice.jid), want);
      assert.deepEqual(await getProfile(bob.exchange, alice.jid), want);
      const [item] = parseVCard4Items(await alice.session.iq((id) => buildVCard4Get(id, alice.jid)));
      assert.ok(item, 'the vCard4 was published');
      assert.deepEqual(profileOf(alice.jid, item.vcard), want);
      // Clearing a field, leaving the others out.
      const cleared = await setProfile(alice.exchange, { status: '' }, createProfileState());
      assert.deepEqual(cleared, { ...want, status: '' });
      assert.deepEqual(await getProfile(bob.exchange, alice.jid), { ...want, status: '' });
    });

    it("keeps what other clients wrote (ADR, BDAY, N, their FN) when the profile changes", async () => {
      const [alice] = (await users(1)) as [User];
      const other = parseXml(`<vCard xmlns='vcard-temp'><FN>Alice Example</FN><N><FAMILY>Example</FAMILY><GIVEN>Alice</GIVEN></N>
        <NICKNAME>alice</NICKNAME><BDAY>1990-01-02</BDAY><ADR><HOME/><STREET>1 rue &amp; co</STREET><LOCALITY>Lyon</LOCALITY></ADR></vCard>`);
      await alice.session.iq((id) => buildVCardSet(id, other));
      const profile = await setProfile(alice.exchange, { status: 'busy', email: 'a@example.org' }, createProfileState());
      assert.deepEqual([profile.nickName, profile.status, profile.email], ['alice', 'busy', 'a@example.org']);
      const stored = findChild(await alice.session.iq((id) => buildVCardGet(id)), 'vCard', NS_VCARD) ?? assert.fail('no vCard');
      assert.equal(stored.getChild('BDAY')?.getText(), '1990-01-02');
      assert.equal(stored.getChild('ADR')?.getChildText('STREET'), '1 rue & co');
      assert.equal(stored.getChild('N')?.getChildText('GIVEN'), 'Alice');
      assert.equal(stored.getChildText('FN'), 'Alice Example', 'an unchanged name leaves FN');
      assert.equal(stored.getChildText('DESC'), 'busy');
      // A new name is written as NICKNAME and FN; the rest stays.
      await setProfile(alice.exchange, { nickName: 'Ally' }, createProfileState());
      const renamed = findChild(await alice.session.iq((id) => buildVCardGet(id)), 'vCard', NS_VCARD) ?? assert.fail('no vCard');
      assert.deepEqual([renamed.getChildText('NICKNAME'), renamed.getChildText('FN'), renamed.getChild('BDAY')?.getText()], ['Ally', 'Ally', '1990-01-02']);
    });

    it(`a user without vCard: ${name === 'prosody' ? 'item-not-found (404)' : 'an empty profile'}`, async () => {
      const [alice, carol] = (await users(2)) as [User, User];
      if (name === 'prosody') {
        await assert.rejects(getProfile(alice.exchange, carol.jid), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
      } else {
        assert.deepEqual(await getProfile(alice.exchange, carol.jid), emptyProfile(carol.jid));
      }
    });

    it('uploads image bytes; the URL serves exactly those bytes and is stored as the image', async () => {
      const [alice, bob] = (await users(2)) as [User, User];
      const state = createProfileState();
      const url = await uploadImage(alice.exchange, PNG, state);
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/.+\.png$/);
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), PNG);
      const profile = await setProfile(alice.exchange, { image: url }, state);
      assert.deepEqual([profile.image, profile.thumbImage], [url, url]);
      assert.equal((await getProfile(bob.exchange, alice.jid)).image, url);
    });

    it("refuses bytes over the server's limit before any slot is asked or anything uploaded", async () => {
      const [alice] = (await users(1)) as [User];
      const state = createProfileState();
      const service = await findUploadService(alice.exchange, state);
      assert.deepEqual(service, { jid: server.uploadHost, maxSize: 10_485_760 }); // both configs: 10 MiB
      const requests: Element[] = [];
      let fetches = 0;
      const watched: Exchange = {
        ...alice.exchange,
        iq: (build) => alice.exchange.iq((id) => {
          const iq = build(id);
          requests.push(iq);
          return iq;
        }),
        fetch: ((...args: Parameters<typeof fetch>) => {
          fetches++;
          return fetch(...args);
        }) as typeof fetch,
      };
      const big = new Blob([new Uint8Array(10_485_761)], { type: 'image/png' });
      await assert.rejects(uploadImage(watched, big, state), (e: unknown) =>
        e instanceof StanzaError && e.condition === 'not-acceptable' && e.message.includes('IMAGE is 10485761 bytes; the server accepts at most 10485760'));
      assert.equal(requests.filter((iq) => findChild(iq, 'request', NS_UPLOAD)).length, 0);
      assert.equal(fetches, 0);
    });

    it('last seen: 0 for an online contact, > 0 once it went offline; a non-contact is refused', async function () {
      const [alice, bob, carol] = (await users(3)) as [User, User, User];
      await befriend(alice, bob);
      assert.deepEqual(await getLastSeen(alice.exchange, bob.jid), { fromUserJid: bob.jid, seconds: 0 });
      const refused = name === 'prosody' ? 'forbidden' : 'subscription-required';
      await assert.rejects(getLastSeen(carol.exchange, bob.jid), (e: unknown) => e instanceof StanzaError && e.condition === refused);
      bob.session.send(buildUnavailable('gone'));
      await bob.session.close();
      await wait(1500);
      const seen = await getLastSeen(alice.exchange, bob.jid);
      assert.equal(seen.fromUserJid, bob.jid);
      assert.ok(seen.seconds >= 1 && seen.seconds < 30, `seconds: ${seen.seconds}`);
    });
  });
}

/**
 * Makes two users mutual contacts: each fetches its roster (Prosody pushes only after that) and is
 * available; `a` adds `b` (roster set) and asks to subscribe; `b` approves and asks back; `a`
 * approves. Resolves once both got the roster push with subscription 'both'.
 */
async function befriend(a: User, b: User): Promise<void> {
  const both = new Set<string>();
  for (const [self, other] of [[a, b], [b, a]] as const) {
    self.session.iqHandlers.register('set', 'query', NS_ROSTER, (_request, element) => {
      const push = parseRosterPush(element);
      if (push.item.jid === other.jid && push.item.subscription === 'both') both.add(self.jid);
      return undefined;
    });
    self.session.on('stanza', (stanza) => {
      if (stanza.getName() !== 'presence') return;
      const presence = parsePresence(stanza);
      if (presence.type !== 'subscribe' || presence.from?.split('/')[0] !== other.jid) return;
      self.session.send(buildSubscribed(other.jid));
      if (self === b) self.session.send(buildSubscribe(other.jid));
    });
  }
  await Promise.all([a, b].map(async (user) => {
    await user.session.iq((id) => buildRosterGet(id));
    user.session.send(buildPresence());
  }));
  await a.session.iq((id) => buildRosterSet(id, { jid: b.jid, name: 'Bob' }));
  a.session.send(buildSubscribe(b.jid));
  await until(() => both.size === 2, 10_000, 'both roster pushes with subscription both');
}
