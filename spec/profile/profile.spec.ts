// Profiles over a fake exchange (no server): what setProfile stores (vCard-temp) and publishes
// (vCard4) reads back as the same profile, for arbitrary values; what other clients wrote is read and
// kept; failures of each request; vCard4 pushes; image uploads (size checked before any slot, content
// type sniffed, PUT errors typed); last seen. The fake answers with stanzas built by the codecs or
// taken from the real-server fixtures, and every stanza crosses it as text (serialized and parsed).

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaError, TransportError } from '../../lib/errors.js';
import { getLastSeen } from '../../lib/profile/last-seen.js';
import { extensionOf, sniffImageType, uploadImage } from '../../lib/profile/image-upload.js';
import { emptyProfile, profileOf, type ProfileChanges } from '../../lib/profile/profile-map.js';
import { createProfileState, getProfile, profileFromPush, setProfile, type ProfileState } from '../../lib/profile/profile.js';
import type { Exchange } from '../../lib/profile/exchange.js';
import type { Profile } from '../../lib/profile/types.js';
import { buildBase64 } from '../../lib/stanzas/base64.js';
import { findChild } from '../../lib/stanzas/element.js';
import { buildIqError, buildIqResult, parseIq } from '../../lib/stanzas/iq.js';
import { NS_DISCO_INFO, NS_DISCO_ITEMS, NS_LAST, NS_PUBSUB, NS_UPLOAD, NS_VCARD, NS_VCARD4 } from '../../lib/stanzas/ns.js';
import { findStanzaErrorElement, toStanzaError } from '../../lib/stanzas/stanza-error.js';
import { buildVCard, parseVCard } from '../../lib/stanzas/vcard.js';
import { buildVCard4Event, parseVCard4 } from '../../lib/stanzas/vcard4.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { randomElement } from '../support/fuzz.js';

const ME = 'alice@localhost';
type ServerKind = 'prosody' | 'ejabberd';
type Answer = Element | ((request: Element) => Element);

const through = (element: Element): Element => parseXml(serialize(element));
const errorIq = (request: Element, condition: StanzaError['condition'], type: StanzaError['type'] = 'cancel'): Element =>
  buildIqError(parseIq(request), { type, condition, text: '', applicationCondition: '', by: '' });

/**
 * An in-memory server behind an Exchange: a vCard store, PEP publish, disco, upload slots and HTTP PUT,
 * Last Activity. Each can be told to fail; `hold` keeps answers back until `release()`.
 */
class FakeServer {
  readonly sent: Element[] = [];
  readonly puts: { url: string; init: RequestInit }[] = [];
  stored: Element | undefined;
  kind: ServerKind = 'prosody';
  setError = false;
  publishError = false;
  putStatus = 201;
  uploadKind: ServerKind | 'none' = 'prosody';
  hold = false;
  readonly others = new Map<string, Answer>();
  #held: (() => void)[] = [];
  #id = 0;

  readonly exchange: Exchange = {
    iq: (build) => {
      const request = through(build(this.exchange.nextId()));
      this.sent.push(request);
      return new Promise<Element>((resolve, reject) => {
        const settle = (): void => {
          const answer = through(this.answer(request));
          if (answer.attrs.type !== 'error') return resolve(answer);
          reject(toStanzaError(findStanzaErrorElement(answer) as Element, answer));
        };
        if (this.hold) this.#held.push(settle);
        else queueMicrotask(settle);
      });
    },
    send: () => assert.fail('nothing is sent outside IQs'),
    nextId: () => `f${++this.#id}`,
    userJid: ME,
    domain: 'localhost',
    fetch: (async (url: string, init: RequestInit) => {
      this.puts.push({ url, init });
      return new Response(this.putStatus === 201 ? '' : 'no', { status: this.putStatus });
    }) as typeof fetch,
  };

  release(): void {
    this.hold = false;
    for (const settle of this.#held.splice(0)) settle();
  }

  /** The requests whose payload is `<name xmlns=ns/>`. */
  requests(name: string, ns: string): Element[] {
    return this.sent.filter((iq) => findChild(iq, name, ns) !== undefined);
  }

  answer(request: Element): Element {
    const iq = parseIq(request);
    const payload = iq.payload as Element;
    const ns = payload.getNS();
    const to = iq.to;
    if (ns === NS_VCARD && iq.type === 'get') {
      if (to !== undefined && to !== ME) return this.#other(to, request);
      if (this.stored) return buildIqResult(iq, this.stored);
      return this.kind === 'prosody' ? errorIq(request, 'item-not-found') : buildIqResult(iq, buildVCard({ nickName: '', image: '', status: '', mobileNumber: '', email: '' }));
    }
    if (ns === NS_VCARD) {
      if (this.setError) return errorIq(request, 'not-acceptable', 'modify');
      this.stored = payload;
      return buildIqResult(iq);
    }
    if (ns === NS_PUBSUB) return this.publishError ? errorIq(request, 'conflict') : buildIqResult(iq);
    if (ns === NS_DISCO_ITEMS) {
      if (this.uploadKind === 'none') return realStanza('disco#items server', 'prosody').attr('id', iq.id);
      return realStanza('disco#items server', this.uploadKind).attr('id', iq.id);
    }
    if (ns === NS_DISCO_INFO) {
      if (to === 'upload.localhost' && this.uploadKind !== 'none') return realStanza('upload service disco#info', this.uploadKind).attr('id', iq.id);
      return to === 'sandbox.localhost' ? errorIq(request, 'remote-server-not-found') : realStanza('disco#info server', 'prosody').attr('id', iq.id);
    }
    if (ns === NS_UPLOAD) return realStanza('upload slot', this.uploadKind === 'none' ? 'prosody' : this.uploadKind).attr('id', iq.id);
    if (ns === NS_LAST) return this.#other(to ?? '', request);
    return errorIq(request, 'service-unavailable');
  }

  #other(to: string, request: Element): Element {
    const answer = this.others.get(to);
    if (answer === undefined) return errorIq(request, 'item-not-found');
    return (typeof answer === 'function' ? answer(request) : answer).attr('id', request.attrs.id as string);
  }
}

/** The vCard a vCard-temp set carried. */
const vCardOf = (set: Element): Element => findChild(set, 'vCard', NS_VCARD) as Element;
/** The vCard4 a PEP publish carried. */
const vCard4Of = (publish: Element): Element => {
  const item = findChild(findChild(findChild(publish, 'pubsub', NS_PUBSUB) as Element, 'publish', NS_PUBSUB) as Element, 'item', NS_PUBSUB);
  return findChild(item as Element, 'vcard', NS_VCARD4) as Element;
};
const lastSet = (server: FakeServer): Element => {
  const sets = server.sent.filter((iq) => iq.attrs.type === 'set' && findChild(iq, 'vCard', NS_VCARD));
  return sets[sets.length - 1] ?? assert.fail('no vCard set');
};
const lastPublish = (server: FakeServer): Element => {
  const publishes = server.requests('pubsub', NS_PUBSUB);
  return publishes[publishes.length - 1] ?? assert.fail('no vCard4 publish');
};

const expected = (fields: Required<ProfileChanges>): Profile => ({
  userId: 'alice', userJid: ME, ...fields, thumbImage: fields.image,
});

// Values as apps set them: any XML-safe text (Unicode, XML specials, whitespace, ''), and long ones.
const text = fc.oneof({ weight: 4, arbitrary: xmlText(24) }, { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 4096, unit: 'binary' }).map((s) => s.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd]/gu, '.')) });
const image = fc.oneof(
  fc.constant(''),
  xmlText(16).map((path) => `https://cdn.example.com/a/${encodeURIComponent(path)}?x=1&y=<2>`),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => `data:image/png;base64,${buildBase64(bytes)}`),
  xmlText(16).filter((s) => !s.toLowerCase().startsWith('data:')),
);
const fields = fc.record({ nickName: text, image, status: text, mobileNumber: text, email: text }, { noNullPrototype: true });
const changes = fc.record({ nickName: text, image, status: text, mobileNumber: text, email: text }, { requiredKeys: [], noNullPrototype: true });

// What another client may have stored first: none, a real server's, a vCard with photo bytes, FN only.
const OTHER_CLIENT = `<vCard xmlns='vcard-temp'><FN>Alice Example</FN><N><FAMILY>Example</FAMILY><GIVEN>Alice</GIVEN></N>
<BDAY>1990-01-02</BDAY><ADR><HOME/><LOCALITY>Lyon</LOCALITY></ADR><TEL><WORK/><VOICE/><NUMBER>+33 1 23</NUMBER></TEL>
<PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0K
GgoAAAA=</BINVAL></PHOTO><DESC>Hi &amp; bye</DESC><EMAIL><INTERNET/><PREF/><USERID>a@example.org</USERID></EMAIL></vCard>`;
// `otherTel`: the number of another client's TEL without CELL, which the mobile number falls back to
// once the CELL one is cleared (the TEL is that client's, so it is kept).
interface Before { readonly make?: () => Element; readonly otherTel: string }
const storedBefore = fc.constantFrom<Before>(
  { otherTel: '' },
  { make: () => findChild(realStanza('vCard get own', 'prosody'), 'vCard', NS_VCARD) as Element, otherTel: '' },
  { make: () => findChild(realStanza('vCard get own', 'ejabberd'), 'vCard', NS_VCARD) as Element, otherTel: '' },
  { make: () => parseXml(OTHER_CLIENT), otherTel: '+33 1 23' },
  { make: () => parseXml(`<vCard xmlns='vcard-temp'><FN>Only Full</FN></vCard>`), otherTel: '' },
);

describe('profile: getProfile, setProfile, profileFromPush', () => {
  it('the vCard set and the vCard4 published map back to the profile set, and that profile is returned (any values, any vCard before)', async () => {
    await fc.assert(fc.asyncProperty(fields, storedBefore, fc.constantFrom<ServerKind>('prosody', 'ejabberd'), async (values, before, kind) => {
      const server = new FakeServer();
      server.kind = kind;
      server.stored = before.make?.();
      const returned = await setProfile(server.exchange, values, createProfileState());
      const want = expected({ ...values, mobileNumber: values.mobileNumber || before.otherTel });
      assert.deepEqual(returned, want);
      assert.deepEqual(profileOf(ME, parseVCard(vCardOf(lastSet(server)))), want);
      assert.deepEqual(profileOf(ME, parseVCard4(vCard4Of(lastPublish(server)))), want);
      assert.deepEqual(await getProfile(server.exchange, ME), want);
    }), { numRuns: 150 });
  });

  it('fields left out keep what is stored (whoever wrote it); the others change', async () => {
    await fc.assert(fc.asyncProperty(storedBefore, changes, async (before, change) => {
      const server = new FakeServer();
      server.stored = before.make?.();
      const was = server.stored ? profileOf(ME, parseVCard(server.stored)) : emptyProfile(ME);
      const returned = await setProfile(server.exchange, change, createProfileState());
      const want = { ...was, ...change, thumbImage: change.image ?? was.image };
      if (change.mobileNumber === '') want.mobileNumber = before.otherTel;
      assert.deepEqual(returned, want);
      assert.deepEqual(await getProfile(server.exchange, ME), want);
      assert.deepEqual(profileOf(ME, parseVCard4(vCard4Of(lastPublish(server)))), want);
    }), { numRuns: 150 });
  });

  it("keeps other clients' elements (N, BDAY, ADR, a work TEL, the BINVAL photo) and their full name when the name is unchanged", async () => {
    const server = new FakeServer();
    server.stored = parseXml(OTHER_CLIENT);
    const profile = await setProfile(server.exchange, { nickName: 'Alice Example', status: 'new' }, createProfileState());
    const vcard = vCardOf(lastSet(server));
    for (const name of ['N', 'BDAY', 'ADR', 'PHOTO']) assert.ok(findChild(vcard, name, NS_VCARD), `${name} kept`);
    assert.equal(vcard.getChildText('FN'), 'Alice Example');
    assert.equal(profile.image, 'data:image/png;base64,iVBORw0KGgoAAAA=');
    assert.equal(profile.status, 'new');
    assert.equal(profile.mobileNumber, '+33 1 23');
    // A new name is written as NICKNAME and FN.
    await setProfile(server.exchange, { nickName: 'Ally' }, createProfileState());
    const renamed = vCardOf(lastSet(server));
    assert.equal(renamed.getChildText('NICKNAME'), 'Ally');
    assert.equal(renamed.getChildText('FN'), 'Ally');
    assert.equal(vCard4Of(lastPublish(server)).getChild('fn')?.getChildText('text'), 'Ally');
  });

  it("reads what other clients and both real servers wrote: BINVAL photo as a data: URL, FN without NICKNAME, the fixtures", async () => {
    const server = new FakeServer();
    server.others.set('bob@localhost', realStanza("vCard get other user's (bob -> alice)", 'prosody'));
    server.others.set('eve@localhost', realStanza("vCard get other user's (bob -> alice)", 'ejabberd'));
    server.others.set('carol@localhost', (request) => buildIqResult(parseIq(request), parseXml(OTHER_CLIENT)));
    server.others.set('dan@localhost', (request) => buildIqResult(parseIq(request), parseXml(`<vCard xmlns='vcard-temp'><FN>Dan &lt;D&gt;</FN><NICKNAME/></vCard>`)));
    const alice = { nickName: 'alice', image: '', thumbImage: '', status: '', mobileNumber: '', email: 'alice@example.org' };
    assert.deepEqual(await getProfile(server.exchange, 'bob@localhost/phone'), { userId: 'bob', userJid: 'bob@localhost', ...alice });
    assert.deepEqual(await getProfile(server.exchange, 'eve@localhost'), { userId: 'eve', userJid: 'eve@localhost', ...alice });
    assert.equal(server.requests('vCard', NS_VCARD)[0]?.attrs.to, 'bob@localhost', 'asked of the bare JID');
    const carol = await getProfile(server.exchange, 'carol@localhost');
    assert.deepEqual(carol, {
      userId: 'carol', userJid: 'carol@localhost', nickName: 'Alice Example', image: 'data:image/png;base64,iVBORw0KGgoAAAA=',
      thumbImage: 'data:image/png;base64,iVBORw0KGgoAAAA=', status: 'Hi & bye', mobileNumber: '+33 1 23', email: 'a@example.org',
    });
    assert.equal((await getProfile(server.exchange, 'dan@localhost')).nickName, 'Dan <D>');
  });

  it('a user without vCard: Prosody item-not-found passes through as a StanzaError (404), ejabberd an empty vCard (all fields empty)', async () => {
    const server = new FakeServer();
    server.others.set('carol@localhost', realStanza('vCard get user with no vCard (alice -> carol)', 'prosody'));
    server.others.set('dave@localhost', realStanza('vCard get user with no vCard (alice -> carol)', 'ejabberd'));
    await assert.rejects(getProfile(server.exchange, 'carol@localhost'), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
    assert.deepEqual(await getProfile(server.exchange, 'dave@localhost'), emptyProfile('dave@localhost'));
    // The user's own: asked without 'to'.
    await assert.rejects(getProfile(server.exchange, ME), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
    assert.equal(server.sent[server.sent.length - 1]?.attrs.to, undefined);
  });

  it('userId is the local part as it is (escaped), userJid the bare JID', () => {
    const profile = emptyProfile('a\\20b@example.com/res');
    assert.equal(profile.userId, 'a\\20b');
    assert.equal(profile.userJid, 'a\\20b@example.com');
    assert.equal(emptyProfile('example.com').userId, '');
  });

  it('sends the vCard set and the vCard4 publish at once, before either is answered', async () => {
    const server = new FakeServer();
    const state = createProfileState();
    state.ownVCard = null; // known: no vCard
    server.hold = true;
    const pending = setProfile(server.exchange, { nickName: 'A' }, state);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(server.sent.map((iq) => iq.getChildren('vCard').length + iq.getChildren('pubsub').length * 10), [1, 10]);
    server.release();
    assert.equal((await pending).nickName, 'A');
  });

  it('keeps the own vCard in the state: a second update reads nothing; a failed set forgets it', async () => {
    const server = new FakeServer();
    const state = createProfileState();
    await setProfile(server.exchange, { nickName: 'one' }, state);
    assert.equal(server.sent.filter((iq) => iq.attrs.type === 'get').length, 1);
    await setProfile(server.exchange, { status: 'two' }, state);
    assert.equal(server.sent.filter((iq) => iq.attrs.type === 'get').length, 1, 'no second read');
    assert.deepEqual([server.stored?.getChildText('NICKNAME'), server.stored?.getChildText('DESC')], ['one', 'two']);
    server.setError = true;
    await assert.rejects(setProfile(server.exchange, { status: 'three' }, state), (e: unknown) => e instanceof StanzaError && e.condition === 'not-acceptable');
    assert.equal(state.ownVCard, undefined);
    server.setError = false;
    await setProfile(server.exchange, { email: 'e@x' }, state);
    assert.equal(server.sent.filter((iq) => iq.attrs.type === 'get').length, 2, 'read again after the failure');
    // getProfile of oneself with the state fills it too.
    const fresh: ProfileState = createProfileState();
    await getProfile(server.exchange, ME, fresh);
    assert.ok(fresh.ownVCard);
  });

  it('concurrent updates run one after the other, so neither loses the other', async () => {
    const server = new FakeServer();
    const state = createProfileState();
    await Promise.all([setProfile(server.exchange, { nickName: 'N' }, state), setProfile(server.exchange, { status: 'S' }, state)]);
    assert.deepEqual([server.stored?.getChildText('NICKNAME'), server.stored?.getChildText('DESC')], ['N', 'S']);
  });

  it('a vCard4 publish error still resolves; a vCard set error rejects', async () => {
    const server = new FakeServer();
    server.publishError = true;
    assert.equal((await setProfile(server.exchange, { nickName: 'x' }, createProfileState())).nickName, 'x');
    server.publishError = false;
    server.setError = true;
    await assert.rejects(setProfile(server.exchange, { nickName: 'y' }, createProfileState()), StanzaError);
  });

  it('a vCard read error other than item-not-found rejects the update, and nothing is set', async () => {
    const server = new FakeServer();
    const unavailable = new StanzaError({ type: 'cancel', condition: 'service-unavailable', text: '', applicationCondition: '', by: '' });
    const exchange: Exchange = {
      ...server.exchange,
      iq: (build) => {
        const request = build(server.exchange.nextId());
        server.sent.push(request);
        return request.attrs.type === 'get' ? Promise.reject(unavailable) : server.exchange.iq(() => request);
      },
    };
    await assert.rejects(setProfile(exchange, { nickName: 'z' }, createProfileState()), (e: unknown) => e === unavailable);
    assert.deepEqual(server.sent.map((iq) => iq.attrs.type), ['get'], 'no set and no publish');
  });

  it('profileFromPush reads a vCard4 PEP event of any profile', () => {
    fc.assert(fc.property(fields, (values) => {
      const pushed = profileFromPush(through(buildVCard4Event('bob@localhost', `${ME}/r`, 'e1', values)));
      assert.deepEqual(pushed, { jid: 'bob@localhost', profile: { ...expected(values), userId: 'bob', userJid: 'bob@localhost' } });
    }));
  });

  it('profileFromPush: undefined for other stanzas, payload-less notifications and junk; never throws', () => {
    const pure = parseXml(`<message from='bob@localhost' to='${ME}'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:vcard4'><item id='current'/></items></event></message>`);
    const otherNode = parseXml(`<message from='bob@localhost'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:avatar:metadata'><item id='x'/></items></event></message>`);
    for (const stanza of [pure, otherNode, realStanza('subscribe presence as received by bob', 'prosody'), realStanza('message from blocked user bounced (carol -> alice)', 'ejabberd')]) {
      assert.equal(profileFromPush(stanza), undefined);
    }
    fc.assert(fc.property(randomElement(['message', 'event', 'items', 'item', 'vcard', 'fn', 'text', 'tel', 'uri', 'nickname'],
      ['http://jabber.org/protocol/pubsub#event', NS_VCARD4, 'jabber:client'], ['node', 'from', 'id']), (element) => {
      const pushed = profileFromPush(element);
      if (pushed) assert.equal(typeof pushed.profile.nickName, 'string');
    }));
  });
});

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
const GIF = new TextEncoder().encode('GIF89a\x01\x00');
const WEBP = new TextEncoder().encode('RIFF\x00\x00\x00\x00WEBPVP8 ');

describe('profile: uploadImage', () => {
  it('sniffs PNG, JPEG, GIF and WebP, and falls back to application/octet-stream', () => {
    assert.equal(sniffImageType(PNG), 'image/png');
    assert.equal(sniffImageType(JPEG), 'image/jpeg');
    assert.equal(sniffImageType(GIF), 'image/gif');
    assert.equal(sniffImageType(new TextEncoder().encode('GIF87a')), 'image/gif');
    assert.equal(sniffImageType(WEBP), 'image/webp');
    assert.equal(sniffImageType(new TextEncoder().encode('RIFF\x00\x00\x00\x00WAVE')), 'application/octet-stream');
    assert.equal(sniffImageType(PNG.subarray(0, 7)), 'application/octet-stream');
    assert.equal(sniffImageType(new Uint8Array(0)), 'application/octet-stream');
    assert.deepEqual(['image/png', 'image/jpeg', 'IMAGE/GIF; x=1', 'image/webp', 'text/plain'].map(extensionOf), ['png', 'jpg', 'gif', 'webp', 'bin']);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
      assert.ok(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/octet-stream'].includes(sniffImageType(bytes)));
    }));
  });

  for (const kind of ['prosody', 'ejabberd'] as const) {
    it(`finds the upload service (${kind} disco), asks a slot with the sniffed type and PUTs the bytes with the slot's headers`, async () => {
      const server = new FakeServer();
      server.uploadKind = kind;
      const state = createProfileState();
      const url = await uploadImage(server.exchange, PNG.buffer.slice(0), state);
      const slot = realStanza('upload slot', kind).getChild('slot', NS_UPLOAD) as Element;
      assert.equal(url, slot.getChild('get')?.attrs.url);
      const [request] = server.requests('request', NS_UPLOAD);
      assert.equal(request?.attrs.to, 'upload.localhost');
      assert.deepEqual({ ...request?.getChild('request')?.attrs }, { xmlns: NS_UPLOAD, filename: 'image.png', size: '12', 'content-type': 'image/png' });
      const put = server.puts[0] ?? assert.fail('no PUT');
      assert.equal(put.url, slot.getChild('put')?.attrs.url);
      assert.equal(put.init.method, 'PUT');
      const headers = put.init.headers as Record<string, string>;
      assert.equal(headers['Content-Type'], 'image/png');
      assert.equal(headers.Authorization, slot.getChild('put')?.getChildText('header') ?? undefined);
      assert.deepEqual([...(put.init.body as Uint8Array)], [...PNG]);
      // The service is kept: a second upload asks no disco.
      const discoCount = server.requests('query', NS_DISCO_INFO).length + server.requests('query', NS_DISCO_ITEMS).length;
      await uploadImage(server.exchange, JPEG, state);
      assert.equal(server.requests('query', NS_DISCO_INFO).length + server.requests('query', NS_DISCO_ITEMS).length, discoCount);
      assert.equal(server.requests('request', NS_UPLOAD)[1]?.getChild('request')?.attrs['content-type'], 'image/jpeg');
    });
  }

  it('takes the name and type of a File (Blob), reading its bytes', async () => {
    const server = new FakeServer();
    const file = new File([GIF], 'folder/me & you.gif', { type: 'image/gif' });
    await uploadImage(server.exchange, file, createProfileState());
    const request = server.requests('request', NS_UPLOAD)[0]?.getChild('request');
    assert.equal(request?.attrs.filename, 'me & you.gif');
    assert.equal(request?.attrs['content-type'], 'image/gif');
    assert.deepEqual([...(server.puts[0]?.init.body as Uint8Array)], [...GIF]);
    await uploadImage(server.exchange, new Blob([WEBP]), createProfileState());
    assert.deepEqual(server.requests('request', NS_UPLOAD)[1]?.getChild('request')?.attrs.filename, 'image.webp');
  });

  it('checks the size against the service limit before asking for any slot (400 naming IMAGE)', async () => {
    for (const kind of ['prosody', 'ejabberd'] as const) {
      const server = new FakeServer();
      server.uploadKind = kind;
      const big = { size: 10_485_761, type: 'image/png', arrayBuffer: () => assert.fail('bytes over the limit are not read') } as unknown as Blob;
      await assert.rejects(uploadImage(server.exchange, big, createProfileState()), (e: unknown) =>
        e instanceof StanzaError && e.condition === 'not-acceptable' && e.message.includes('IMAGE is 10485761 bytes; the server accepts at most 10485760'));
      assert.equal(server.requests('request', NS_UPLOAD).length, 0);
      assert.equal(server.puts.length, 0);
    }
    const server = new FakeServer();
    await assert.rejects(uploadImage(server.exchange, new Uint8Array(0), createProfileState()), (e: unknown) =>
      e instanceof StanzaError && e.condition === 'not-acceptable' && e.message.includes('IMAGE'));
    assert.equal(server.sent.length, 0, 'empty bytes: nothing asked');
  });

  it('no upload service: feature-not-implemented (501); a failed disco#items is not kept', async () => {
    const server = new FakeServer();
    server.uploadKind = 'none';
    const state = createProfileState();
    await assert.rejects(uploadImage(server.exchange, PNG, state), (e: unknown) => e instanceof StanzaError && e.condition === 'feature-not-implemented');
    assert.equal(server.requests('request', NS_UPLOAD).length, 0);
    const failing: Exchange = { ...server.exchange, iq: () => Promise.reject(new TransportError('TRANSPORT_CLOSED', 'gone')) };
    const other = createProfileState();
    await assert.rejects(uploadImage(failing, PNG, other), TransportError);
    assert.equal(other.uploadService, undefined);
  });

  it('a PUT answered 413 is not-acceptable; another non-2xx a TransportError with its status; a network failure too', async () => {
    const server = new FakeServer();
    server.putStatus = 413;
    await assert.rejects(uploadImage(server.exchange, PNG, createProfileState()), (e: unknown) =>
      e instanceof StanzaError && e.condition === 'not-acceptable' && e.text.startsWith('IMAGE is 12 bytes'));
    server.putStatus = 500;
    await assert.rejects(uploadImage(server.exchange, PNG, createProfileState()), (e: unknown) => e instanceof TransportError && e.status === 500);
    const offline: Exchange = { ...server.exchange, fetch: (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch };
    await assert.rejects(uploadImage(offline, PNG, createProfileState()), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE' && e.status === 0);
  });
});

describe('profile: getLastSeen', () => {
  it('asks the bare JID and answers its seconds (both servers, online and offline)', async () => {
    for (const kind of ['prosody', 'ejabberd'] as const) {
      const server = new FakeServer();
      server.others.set('bob@localhost', realStanza('last activity of OFFLINE subscribed contact', kind));
      server.others.set('carl@localhost', realStanza('last activity of ONLINE subscribed contact (bare JID)', kind));
      assert.deepEqual(await getLastSeen(server.exchange, 'bob@localhost/phone'), { fromUserJid: 'bob@localhost', seconds: 2 });
      assert.equal(server.sent[0]?.attrs.to, 'bob@localhost');
      assert.deepEqual(await getLastSeen(server.exchange, 'carl@localhost'), { fromUserJid: 'carl@localhost', seconds: 0 });
    }
  });

  it('a non-contact: Prosody forbidden, ejabberd subscription-required, as StanzaErrors', async () => {
    for (const [kind, condition] of [['prosody', 'forbidden'], ['ejabberd', 'subscription-required']] as const) {
      const server = new FakeServer();
      server.others.set('bob@localhost', realStanza('last activity of OFFLINE NON-contact (carol -> bob)', kind));
      await assert.rejects(getLastSeen(server.exchange, 'bob@localhost'), (e: unknown) => e instanceof StanzaError && e.condition === condition);
    }
  });
});
