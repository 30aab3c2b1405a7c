// Integration: the codecs against what real Prosody 0.12 and ejabberd 23.01 answer.
//
// Every request below is made with a `build*` of the library and every answer read with its `parse*`
// (the raw stream itself parses frames with the library's parseXml): stream features, in-band
// registration, SCRAM-free PLAIN login (the SASL state machine comes with the transports), entity caps
// of the server against its disco#info, vCard-temp with a photo and with other clients' fields kept,
// vCard4 over PEP, roster versioning and pushes, presence subscription, blocking and its pushes,
// privacy lists, last activity, HTTP upload (slot, PUT, GET, size limit), stream management.

import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { Element } from 'ltx';
import { StanzaError } from '../../lib/errors.js';
import { buildBlock, buildBlocklistGet, buildUnblock, parseBlockingPush, parseBlocklist } from '../../lib/stanzas/blocking.js';
import { parseCaps, verifyCaps } from '../../lib/stanzas/caps.js';
import { buildDiscoInfoGet, buildDiscoItemsGet, hasFeature, parseDiscoInfo, parseDiscoItems } from '../../lib/stanzas/disco.js';
import { parseIq } from '../../lib/stanzas/iq.js';
import { buildLastActivityGet, parseLastActivity } from '../../lib/stanzas/last-activity.js';
import { NS_BLOCKING, NS_ROSTER, NS_SM, NS_UPLOAD } from '../../lib/stanzas/ns.js';
import { buildPresence, buildSubscribe, parsePresence } from '../../lib/stanzas/presence.js';
import {
  blockedJidsOfPrivacyList, blockingPrivacyList, buildPrivacyListGet, buildPrivacyListSet, buildPrivacyListsGet,
  parsePrivacyList, parsePrivacyLists,
} from '../../lib/stanzas/privacy.js';
import { buildRegisterFormSubmit, buildRegisterGet, buildRegisterSet, parseRegisterForm } from '../../lib/stanzas/register.js';
import { buildRosterGet, buildRosterSet, isRosterUnchanged, parseRoster, parseRosterPush } from '../../lib/stanzas/roster.js';
import { buildSmEnable, buildSmRequest, parseStreamManagement } from '../../lib/stanzas/stream-management.js';
import { parseStreamFeatures } from '../../lib/stanzas/stream-features.js';
import { parseOpen } from '../../lib/stanzas/stream.js';
import { buildUploadSlotRequest, parseFileTooLarge, parseUploadMaxSize, parseUploadSlot } from '../../lib/stanzas/upload.js';
import { buildVCardGet, buildVCardSet, parseVCard, updateVCard, type VCardFields } from '../../lib/stanzas/vcard.js';
import { buildVCard4Get, buildVCard4Publish, parseVCard4Items } from '../../lib/stanzas/vcard4.js';
import { freshName, rawSessions } from '../support/accounts.js';
import { registerUser, useServer, type ServerHandle } from '../support/servers.js';

let ids = 0;
const nextId = (): string => `c${++ids}`;

for (const name of ['prosody', 'ejabberd'] as const) {
  describe(`codecs against real ${name}`, function () {
    this.timeout(20_000);
    let server: ServerHandle;
    const { open, login, closeAll } = rawSessions(() => server);

    before(async function () {
      this.timeout(45_000);
      server = await useServer(name);
    });

    afterEach(closeAll);

    it("reads the server's <open/> and the stream features before and after authentication", async () => {
      const stream = await open();
      const opened = parseOpen(stream.opened());
      assert.equal(opened.from, server.domain);
      assert.equal(opened.version, '1.0');
      assert.ok(opened.id && opened.id.length > 0);
      const before = parseStreamFeatures(stream.features());
      assert.equal(before.register, true);
      assert.ok(before.mechanisms.includes('SCRAM-SHA-1') && before.mechanisms.includes('PLAIN'), before.mechanisms.join(' '));
      if (name === 'ejabberd') assert.ok(before.mechanisms.includes('SCRAM-SHA-256'));
      assert.equal(before.bind, false);

      const user = freshName('f');
      await registerUser(server, user, 'pw');
      await stream.authPlain(user, 'pw');
      const after = parseStreamFeatures(stream.features());
      assert.equal(after.bind, true);
      assert.equal(after.rosterVersioning, true);
      assert.ok(after.sm.includes(3), `sm: ${after.sm.join(',')}`);
      assert.deepEqual(after.mechanisms, []);
    });

    it("the server's entity caps hash matches the hash of its disco#info", async () => {
      const { stream } = await login();
      const caps = parseCaps(stream.features());
      const info = parseDiscoInfo(await stream.iq(buildDiscoInfoGet(nextId(), server.domain)));
      assert.ok(hasFeature(info, 'jabber:iq:last') && hasFeature(info, NS_BLOCKING), info.features.join(' '));
      assert.equal(caps.hash, 'sha-1');
      assert.ok(verifyCaps(info, caps.ver), `advertised ${caps.ver}`);
    });

    it('registers in-band with the form the server sends (data form or legacy fields); a duplicate is a conflict', async () => {
      for (const domain of [server.domain, server.sandboxDomain]) {
        const username = freshName('r');
        const stream = await open(domain);
        const form = parseRegisterForm(await stream.iq(buildRegisterGet(nextId())));
        assert.equal(form.registered, false);
        assert.ok(form.fields.includes('username') && form.fields.includes('password'), form.fields.join(' '));
        assert.equal(form.form !== undefined, name === 'prosody', 'Prosody sends a data form, ejabberd only legacy fields');
        const request = form.form
          ? buildRegisterFormSubmit(nextId(), form.form, { username, password: 'secret-1' })
          : buildRegisterSet(nextId(), { username, password: 'secret-1' });
        assert.equal(parseIq(await stream.iq(request)).type, 'result');

        const again = parseIq(await (await open(domain)).iq(buildRegisterSet(nextId(), { username, password: 'secret-2' })));
        assert.equal(again.type, 'error');
        assert.equal(again.error?.condition, 'conflict');
      }
    });

    it('stores a vCard with an inline photo and reads it back exactly; updating keeps what other clients wrote', async () => {
      const { stream, bare } = await login();
      const photo = randomBytes(3000).toString('base64');
      const fields: VCardFields = {
        nickName: 'Ålice <&> "A"', fullName: 'Alice Example', image: `data:image/png;base64,${photo}`,
        status: 'Out for lunch 🍜', mobileNumber: '+1 555 0100', email: 'alice@example.org',
      };
      assert.equal(parseIq(await stream.iq(buildVCardSet(nextId(), fields))).type, 'result');
      const got = parseVCard(await stream.iq(buildVCardGet(nextId())));
      assert.deepEqual(got, { ...fields, photo: { type: 'image/png', binval: photo } });

      // Another client adds a birthday; setting the profile again must keep it.
      const stored = await stream.iq(buildVCardGet(nextId()));
      const withBirthday = updateVCard(stored, fields);
      withBirthday.c('BDAY').t('1990-01-01');
      assert.equal(parseIq(await stream.iq(buildVCardSet(nextId(), withBirthday))).type, 'result');
      const current = await stream.iq(buildVCardGet(nextId()));
      const updated = updateVCard(current, { ...fields, image: 'http://127.0.0.1/a.png', status: 'back' });
      assert.equal(parseIq(await stream.iq(buildVCardSet(nextId(), updated))).type, 'result');
      const final = await stream.iq(buildVCardGet(nextId(), bare));
      assert.equal(parseVCard(final).status, 'back');
      assert.equal(parseVCard(final).image, 'http://127.0.0.1/a.png');
      assert.equal(final.getChild('vCard', 'vcard-temp')?.getChildText('BDAY'), '1990-01-01');
    });

    it('reads "no vCard" as each server says it: empty (ejabberd) or item-not-found (Prosody)', async () => {
      const { stream } = await login();
      const other = freshName('nobody');
      await registerUser(server, other, 'pw');
      const answer = await stream.iq(buildVCardGet(nextId(), `${other}@${server.domain}`));
      if (name === 'ejabberd') assert.equal(parseVCard(answer).nickName, '');
      else assert.throws(() => parseVCard(answer), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
    });

    it('publishes a vCard4 over PEP and reads it from the node', async () => {
      const { stream, bare } = await login();
      const fields: VCardFields = { nickName: 'bob', fullName: 'Bob Example', image: 'http://127.0.0.1/b.png', status: 'hi', mobileNumber: '+15550101', email: 'bob@example.org' };
      assert.equal(parseIq(await stream.iq(buildVCard4Publish(nextId(), fields))).type, 'result');
      const items = parseVCard4Items(await stream.iq(buildVCard4Get(nextId(), bare)));
      assert.equal(items.length, 1);
      assert.equal(items[0]?.itemId, 'current');
      assert.equal(items[0]?.vcard.nickName, 'bob');
      assert.equal(items[0]?.vcard.email, 'bob@example.org');
      assert.equal(items[0]?.vcard.mobileNumber, '+15550101');
    });

    it('roster: set is pushed, get is versioned, an unchanged version answers empty; subscription presence arrives', async () => {
      const alice = await login();
      const bob = await login();
      const first = parseRoster(await alice.stream.iq(buildRosterGet(nextId(), '')));
      assert.deepEqual(first.items, []);
      assert.ok(first.ver !== undefined);

      await alice.stream.iq(buildRosterSet(nextId(), { jid: bob.bare, name: 'Bob 🙂', groups: ['Friends', 'Work'] }));
      const push = parseRosterPush(await alice.stream.next((el) => el.name === 'iq' && el.attrs.type === 'set' && !!el.getChild('query', NS_ROSTER)));
      assert.equal(push.item.jid, bob.bare);
      assert.equal(push.item.name, 'Bob 🙂');

      const roster = parseRoster(await alice.stream.iq(buildRosterGet(nextId(), '')));
      assert.equal(roster.items.length, 1);
      assert.deepEqual({ ...roster.items[0], groups: [...(roster.items[0]?.groups ?? [])].sort() },
        { jid: bob.bare, name: 'Bob 🙂', subscription: 'none', ask: '', groups: ['Friends', 'Work'], approved: false });
      assert.ok(roster.ver);
      assert.ok(isRosterUnchanged(await alice.stream.iq(buildRosterGet(nextId(), roster.ver))));

      // RFC 6121 §3.1.3: the request goes to the contact's available resources (bob sends initial presence).
      bob.stream.send(buildPresence());
      await bob.stream.next((el) => el.name === 'presence' && String(el.attrs.from).startsWith(bob.bare));
      alice.stream.send(buildSubscribe(bob.bare));
      const request = parsePresence(await bob.stream.next((el) => el.name === 'presence'));
      assert.equal(request.type, 'subscribe');
      assert.equal(request.from?.split('/')[0], alice.bare);
    });

    it('blocking: block is pushed and listed, unblock-all is pushed and empties the list', async () => {
      const { stream } = await login();
      const carol = `${freshName('carol')}@${server.domain}`;
      assert.deepEqual(parseBlocklist(await stream.iq(buildBlocklistGet(nextId()))).jids, []);
      assert.equal(parseIq(await stream.iq(buildBlock(nextId(), [carol]))).type, 'result');
      const pushed = parseBlockingPush(await stream.next((el) => el.name === 'iq' && !!el.getChild('block', NS_BLOCKING)));
      assert.deepEqual(pushed, { action: 'block', jids: [carol] });
      assert.deepEqual(parseBlocklist(await stream.iq(buildBlocklistGet(nextId()))).jids, [carol]);
      assert.equal(parseIq(await stream.iq(buildUnblock(nextId(), []))).type, 'result');
      const unpushed = parseBlockingPush(await stream.next((el) => el.name === 'iq' && !!el.getChild('unblock', NS_BLOCKING)));
      assert.deepEqual(unpushed, { action: 'unblock', jids: [] });
      assert.deepEqual(parseBlocklist(await stream.iq(buildBlocklistGet(nextId()))).jids, []);
    });

    it('privacy lists: a blocking list is stored, listed and read back', async () => {
      const { stream } = await login();
      const carol = `${freshName('carol')}@${server.domain}`;
      const list = blockingPrivacyList('profile-blocked', [carol]);
      assert.equal(parseIq(await stream.iq(buildPrivacyListSet(nextId(), list))).type, 'result');
      const names = parsePrivacyLists(await stream.iq(buildPrivacyListsGet(nextId())));
      assert.ok(names.lists.includes('profile-blocked'), names.lists.join(' '));
      const back = parsePrivacyList(await stream.iq(buildPrivacyListGet(nextId(), 'profile-blocked')));
      assert.deepEqual(back, list);
      assert.deepEqual(blockedJidsOfPrivacyList(back), [carol]);
    });

    it("last activity: the server's uptime; a non-contact is refused with the server's condition", async () => {
      const { stream } = await login();
      assert.ok(parseLastActivity(await stream.iq(buildLastActivityGet(nextId(), server.domain))).seconds >= 0);
      const stranger = freshName('s');
      await registerUser(server, stranger, 'pw');
      const answer = await stream.iq(buildLastActivityGet(nextId(), `${stranger}@${server.domain}`));
      assert.throws(() => parseLastActivity(answer),
        (e: unknown) => e instanceof StanzaError && (name === 'prosody' ? e.condition === 'forbidden' : e.condition === 'subscription-required'));
    });

    it('HTTP upload: found by disco, limit read, slot used for PUT and GET of exactly the bytes; too large is refused with the limit', async () => {
      const { stream } = await login();
      const items = parseDiscoItems(await stream.iq(buildDiscoItemsGet(nextId(), server.domain)));
      const upload = items.items.find((item) => item.jid === server.uploadHost);
      assert.ok(upload, items.items.map((item) => item.jid).join(' '));
      const info = parseDiscoInfo(await stream.iq(buildDiscoInfoGet(nextId(), upload.jid)));
      assert.ok(hasFeature(info, NS_UPLOAD));
      const limit = parseUploadMaxSize(info);
      assert.equal(limit, 10_485_760);

      const bytes = randomBytes(5000);
      const slot = parseUploadSlot(await stream.iq(buildUploadSlotRequest(nextId(), upload.jid, { filename: 'avatar.png', size: bytes.length, contentType: 'image/png' })));
      const headers = Object.fromEntries([['content-type', 'image/png'], ...slot.put.headers.map((h) => [h.name, h.value])]);
      const put = await fetch(slot.put.url, { method: 'PUT', headers, body: bytes });
      assert.ok(put.status === 200 || put.status === 201, `PUT ${put.status}`);
      const get = await fetch(slot.get.url);
      assert.equal(get.status, 200);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), bytes);

      const tooLarge = await stream.iq(buildUploadSlotRequest(nextId(), upload.jid, { filename: 'big.bin', size: (limit ?? 0) + 1 }));
      assert.equal(parseFileTooLarge(tooLarge), limit);
      assert.equal(parseIq(tooLarge).error?.condition, 'not-acceptable');
    });

    it('stream management: enable with resumption, then an ack request is answered with h', async () => {
      const { stream } = await login();
      stream.send(buildSmEnable({ resume: true }));
      const enabled = parseStreamManagement(await stream.next((el) => el.getNS() === NS_SM && el.name === 'enabled'));
      assert.equal(enabled.kind, 'enabled');
      if (enabled.kind === 'enabled') {
        assert.equal(enabled.resume, true);
        assert.ok(enabled.id && enabled.id.length > 0);
      }
      stream.send(buildSmRequest());
      const ack = parseStreamManagement(await stream.next((el: Element) => el.getNS() === NS_SM && el.name === 'a'));
      assert.equal(ack.kind, 'a');
      if (ack.kind === 'a') assert.equal(ack.h, 0);
    });
  });
}
