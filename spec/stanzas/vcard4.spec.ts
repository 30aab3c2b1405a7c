import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { buildIq } from '../../lib/stanzas/iq.js';
import { NS_DATA, NS_PUBSUB, NS_PUBSUB_EVENT, NS_VCARD4 } from '../../lib/stanzas/ns.js';
import type { VCardFields } from '../../lib/stanzas/vcard.js';
import {
  NODE_VCARD4, buildVCard4, buildVCard4Event, buildVCard4Get, buildVCard4Items, buildVCard4Publish, parseVCard4,
  parseVCard4Event, parseVCard4Items, type VCard4,
} from '../../lib/stanzas/vcard4.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, fullJid, stanzaId, xmlText } from '../support/arbitraries.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

// XEP-0292 v0.9 (2011-10-09), §4.1.1, 'Server Returns vCard'. The latest version, 0.12.0 of 2023-03-14,
// could not be checked; a copy of v0.11 in a fork already differs here (<additional/> for <middle/>, an
// https photo, another home address, a cell tel), so this fixture is the v0.9 text, not the latest.
const XEP_STPETER_IQ = `<iq from='stpeter@jabber.org'
      id='bx81v356'
      to='samizzi@cisco.com/foo'
      type='result'>
    <vcard xmlns="urn:ietf:params:xml:ns:vcard-4.0">
      <fn><text>Peter Saint-Andre</text></fn>
      <n><surname>Saint-Andre</surname><given>Peter</given><middle></middle></n>
      <nickname><text>stpeter</text></nickname>
      <nickname><text>psa</text></nickname>
      <photo><uri>http://me.stpeter.im/images/stpeter_oscon.jpg</uri></photo>
      <bday><date>1966-08-06</date></bday>
      <adr>
        <parameters>
          <type><text>work</text><text>voice</text></type>
          <pref><integer>1</integer></pref>
        </parameters>
        <ext>Suite 600</ext>
        <street>1899 Wynkoop Street</street>
        <locality>Denver</locality>
        <region>CO</region>
        <code>80202</code>
        <country>USA</country>
      </adr>
      <adr>
        <parameters><type><text>home</text></type></parameters>
        <ext></ext>
        <street></street>
        <locality>Denver</locality>
        <region>CO</region>
        <code>80210</code>
        <country>USA</country>
      </adr>
      <tel>
        <parameters>
          <type><text>work</text><text>voice</text></type>
          <pref><integer>1</integer></pref>
        </parameters>
        <uri>tel:+1-303-308-3282</uri>
      </tel>
      <tel>
        <parameters><type><text>work</text><text>fax</text></type></parameters>
        <uri>tel:+1-303-308-3219</uri>
      </tel>
      <tel>
        <parameters><type><text>home</text><text>voice</text></type></parameters>
        <uri>tel:+1-303-555-1212</uri>
      </tel>
      <geo><uri>geo:39.59,-105.01</uri></geo>
      <title><text>Executive Director</text></title>
      <role><text>Patron Saint</text></role>
      <org>
        <parameters><type><text>work</text></type></parameters>
        <text>XMPP Standards Foundation</text>
      </org>
      <url><uri>https://stpeter.im/</uri></url>
      <note>
        <text>
        More information about me is located on my 
        personal website: https://stpeter.im/
        </text>
      </note>
      <gender><sex><text>M</text></sex></gender>
      <lang>
        <parameters><pref>1</pref></parameters>
        <language-tag>en</language-tag>
      </lang>
      <email>
        <parameters><type><text>work</text></type></parameters>
        <text>psaintan@cisco.com</text>
      </email>
      <email>
        <parameters><type><text>home</text></type></parameters>
        <text>stpeter@jabber.org</text>
      </email>
      <impp>
        <parameters><type><text>work</text></type></parameters>
        <uri>xmpp:psaintan@cisco.com</uri>
      </impp>
      <impp>
        <parameters><type><text>home</text></type></parameters>
        <uri>xmpp:stpeter@jabber.org</uri>
      </impp>
      <key>
        <uri>https://stpeter.im/stpeter.asc</uri>
      </key>
    </vcard>
  </iq>`;

/** The <vcard/> of that example, as its text. */
const XEP_STPETER = XEP_STPETER_IQ.slice(XEP_STPETER_IQ.indexOf('<vcard'), XEP_STPETER_IQ.indexOf('</vcard>') + '</vcard>'.length);

const EMPTY: VCard4 = { nickName: '', fullName: '', image: '', status: '', mobileNumber: '', email: '' };
const BOB: VCardFields = { nickName: 'bob', fullName: 'Bob Builder', image: 'https://example.org/bob.png', status: 'Can we fix it?', mobileNumber: '+1 555 0100', email: 'bob@example.org' };
const BOB_XML = `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>
  <fn><text>Bob Builder</text></fn>
  <nickname><text>bob</text></nickname>
  <photo><uri>https://example.org/bob.png</uri></photo>
  <tel><parameters><type><text>cell</text></type></parameters><uri>tel:+1%20555%200100</uri></tel>
  <email><text>bob@example.org</text></email>
  <note><text>Can we fix it?</text></note>
</vcard>`;

const v4 = (inner: string): ReturnType<typeof parseXml> => parseXml(`<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'>${inner}</vcard>`);

describe('stanzas/vcard4 (XEP-0292 over PEP)', () => {
  describe('golden fixtures', () => {
    it("reads the XEP-0292 example vCard (first nickname, no cell: first tel, first email)", () => {
      const expected = {
        nickName: 'stpeter',
        fullName: 'Peter Saint-Andre',
        image: 'http://me.stpeter.im/images/stpeter_oscon.jpg',
        status: '\n        More information about me is located on my \n        personal website: https://stpeter.im/\n        ',
        mobileNumber: '+1-303-308-3282',
        email: 'psaintan@cisco.com',
      };
      assert.deepEqual(parseVCard4(parseXml(XEP_STPETER_IQ)), expected);
      assert.deepEqual(parseVCard4(parseXml(XEP_STPETER)), expected);
    });

    it('reads the XEP-0292 §5.1 contact example, and §4.1.1 "No vCard (empty element)"', () => {
      const contact = parseXml(`<vcard xmlns="urn:ietf:params:xml:ns:vcard-4.0">
  <fn><text>Samantha Mizzi</text></fn>
  <n>
    <surname>Mizzi</surname>
    <given>Samantha</given>
    <middle></middle>
  </n>
  <nickname><text>Sam</text></nickname>
  <nickname><text>samizzi</text></nickname>
  <geo><uri>geo:39.59,-105.01</uri></geo>
  <org>
    <parameters><type><text>work</text></type></parameters>
    <text>Cisco</text>
  </org>
  <note>
    <text>
      My co-author on XEP-0292. She's cool!
    </text>
  </note>
  <impp>
    <parameters><type><text>work</text></type></parameters>
    <uri>xmpp:samizzi@cisco.com</uri>
  </impp>
</vcard>`);
      assert.deepEqual(parseVCard4(contact), { ...EMPTY, nickName: 'Sam', fullName: 'Samantha Mizzi', status: "\n      My co-author on XEP-0292. She's cool!\n    " });
      assert.deepEqual(parseVCard4(parseXml(`<iq from='stpeter@jabber.org'
      id='bx81v356'
      to='samizzi@cisco.com/foo'
      type='result'>
    <vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>
  </iq>`)), EMPTY);
    });

    it('prefers a tel of type cell; reads text tels, other URIs, and percent-escapes', () => {
      const tels = v4(`<tel><parameters><type><text>work</text></type></parameters><uri>tel:+1-303-308-3282</uri></tel>
        <tel><parameters><type><text>CELL</text><text>voice</text></type></parameters><uri>TEL:+1-720-256-6756</uri></tel>`);
      assert.equal(parseVCard4(tels).mobileNumber, '+1-720-256-6756');
      assert.equal(parseVCard4(v4('<tel><text>+33 6 12 34</text></tel>')).mobileNumber, '+33 6 12 34');
      assert.equal(parseVCard4(v4('<tel><uri>sip:bob@example.org</uri></tel>')).mobileNumber, 'sip:bob@example.org');
      assert.equal(parseVCard4(v4('<tel><uri>tel:+1%20555%ZZ</uri></tel>')).mobileNumber, '+1%20555%ZZ', 'a malformed escape is kept as written');
      assert.equal(parseVCard4(v4('<tel><parameters/></tel><tel><uri>tel:1</uri></tel>')).mobileNumber, '1', 'a tel without value is skipped');
    });

    it('reads prefixed and redeclared namespaces as XML namespaces work', () => {
      const vcard = parseXml(`<v:vcard xmlns:v='urn:ietf:params:xml:ns:vcard-4.0'><v:fn><v:text>F</v:text></v:fn>
        <nickname><text>not vcard4</text></nickname><v:nickname><text>not vcard4 either</text><v:text>N</v:text></v:nickname>
        <v:tel><v:parameters><v:type><v:text>cell</v:text></v:type></v:parameters><v:uri>tel:1</v:uri></v:tel>
        <email xmlns='urn:ietf:params:xml:ns:vcard-4.0'><text>e@x</text></email></v:vcard>`);
      assert.deepEqual(parseVCard4(vcard), { ...EMPTY, fullName: 'F', nickName: 'N', mobileNumber: '1', email: 'e@x' });
    });

    it('falls back to fn for the nickname', () => {
      assert.deepEqual(parseVCard4(v4('<fn><text>Juliet</text></fn><nickname><text></text></nickname>')), { ...EMPTY, nickName: 'Juliet', fullName: 'Juliet' });
    });

    it('builds every profile field (fn first, as RFC 6350 requires it), and an empty fn when unknown', () => {
      assertXmlEqual(buildVCard4(BOB), BOB_XML);
      assertXmlEqual(buildVCard4({ nickName: 'n', image: '', status: '', mobileNumber: '', email: '' }),
        "<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'><fn><text/></fn><nickname><text>n</text></nickname></vcard>");
    });

    it('builds the PEP publish with publish-options (XEP-0060 §7.1.5: access model presence)', () => {
      assertXmlEqual(buildVCard4Publish('pub1', BOB), `<iq xmlns='jabber:client' type='set' id='pub1'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='urn:xmpp:vcard4'>
      <item id='current'>${BOB_XML}</item>
    </publish>
    <publish-options>
      <x xmlns='jabber:x:data' type='submit'>
        <field var='FORM_TYPE' type='hidden'>
          <value>http://jabber.org/protocol/pubsub#publish-options</value>
        </field>
        <field var='pubsub#access_model'>
          <value>presence</value>
        </field>
      </x>
    </publish-options>
  </pubsub>
</iq>`);
    });

    it('builds the items request of XEP-0060 §6.5.2 for the XEP-0292 node (without the from the server stamps)', () => {
      assertXmlEqual(buildVCard4Get('bx81v356', 'stpeter@jabber.org'), `<iq xmlns='jabber:client' id='bx81v356' to='stpeter@jabber.org' type='get'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'/></pubsub>
</iq>`);
    });

    it('reads an items result (XEP-0060 §6.5.3), an empty node, and the errors', () => {
      const result = parseXml(`<iq from='stpeter@jabber.org' id='bx81v356' to='samizzi@cisco.com/foo' type='result'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <items node='urn:xmpp:vcard4'><item id='current'>${XEP_STPETER}</item></items>
  </pubsub>
</iq>`);
      const items = parseVCard4Items(result);
      assert.equal(items.length, 1);
      assert.equal(items[0]?.itemId, 'current');
      assert.equal(items[0]?.vcard.fullName, 'Peter Saint-Andre');
      assert.deepEqual(parseVCard4Items(parseXml("<iq type='result' id='a'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'/></pubsub></iq>")), []);
      assert.throws(() => parseVCard4Items(parseXml(`<iq type='error' id='a'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`)),
        (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
      assert.throws(() => parseVCard4Items(parseXml("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:data'/></pubsub>")),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
      assert.throws(() => parseVCard4Items(parseXml("<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:vcard4'><item id='x'/></items></pubsub>")),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => parseVCard4Items(parseXml("<pubsub xmlns='http://jabber.org/protocol/pubsub'/>")),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
    });

    it('reads the pure notification of XEP-0292 §4.2.3 ("Receiving a vCard publication/update", no payload)', () => {
      const message = parseXml(`<message from='romeo@montague.lit' to='juliet@capulet.lit' type='headline'>
    <event xmlns='http://jabber.org/protocol/pubsub#event'>
      <items node='urn:xmpp:vcard4'>
        <item id='current'/>
      </items>
    </event>
  </message>`);
      assert.deepEqual(parseVCard4Event(message), { from: 'romeo@montague.lit', itemId: 'current' });
    });

    it('reads a notification with payload among other children (XEP-0163 §4.3 shape), the last of several items', () => {
      const message = parseXml(`<message from='juliet@capulet.lit' to='romeo@montague.lit/home' type='headline' id='foo'>
  <body>vCard updated</body>
  <event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='urn:xmpp:vcard4'>
      <item id='old'>${buildVCard4({ ...BOB, nickName: 'old' }).toString()}</item>
      <item id='current'>${BOB_XML}</item>
    </items>
  </event>
  <addresses xmlns='http://jabber.org/protocol/address'><address type='replyto' jid='juliet@capulet.lit/balcony'/></addresses>
  <delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/>
</message>`);
      assert.deepEqual(parseVCard4Event(message), { from: 'juliet@capulet.lit', itemId: 'current', vcard: { ...BOB } });
    });

    it('rejects a message that is not a vcard4 event (STANZA_UNEXPECTED), and an event without item or from', () => {
      const unexpected = [
        "<message from='a@b' type='chat'><body>hi</body></message>",
        "<message from='a@b'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='http://jabber.org/protocol/tune'><item id='1'/></items></event></message>",
        "<message from='a@b'><event xmlns='urn:other'><items node='urn:xmpp:vcard4'><item id='1'/></items></event></message>",
        "<iq from='a@b' type='set' id='x'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:vcard4'><item/></items></event></iq>",
      ];
      for (const text of unexpected) {
        assert.throws(() => parseVCard4Event(parseXml(text)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED', text);
      }
      assert.throws(() => parseVCard4Event(parseXml("<message from='a@b'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:vcard4'><retract id='current'/></items></event></message>")),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => parseVCard4Event(parseXml("<message><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:vcard4'><item id='current'/></items></event></message>")),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
    });

    it('builds the notification a server sends', () => {
      assertXmlEqual(buildVCard4Event('bob@example.org', 'alice@example.org/web', 'n1', BOB),
        `<message xmlns='jabber:client' from='bob@example.org' to='alice@example.org/web' id='n1' type='headline'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:vcard4'><item id='current'>${BOB_XML}</item></items></event>
        </message>`);
    });
  });

  describe('round trip', () => {
    const fields: fc.Arbitrary<VCardFields> = fc.record({
      nickName: xmlText(), fullName: xmlText(), image: xmlText(), status: xmlText(), mobileNumber: xmlText(), email: xmlText(),
    }, { requiredKeys: ['nickName', 'image', 'status', 'mobileNumber', 'email'], noNullPrototype: true });
    /** What parseVCard4 reads back: the nickname falls back to fn. */
    const expected = (v: VCardFields): VCard4 => ({
      nickName: v.nickName || (v.fullName ?? ''), fullName: v.fullName ?? '', image: v.image, status: v.status, mobileNumber: v.mobileNumber, email: v.email,
    });

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(fields, (v) => {
        assert.deepEqual(parseVCard4(throughText(buildVCard4(v))), expected(v));
      }));
    });

    it('items: parse(build(items)) deep-equals the items, inside an IQ result', () => {
      const item = fc.record({ itemId: stanzaId, vcard: fields }, { requiredKeys: ['vcard'], noNullPrototype: true });
      fc.assert(fc.property(stanzaId, fc.array(item, { maxLength: 3 }), (id, items) => {
        const iq = throughText(buildIq({ type: 'result', id, payload: buildVCard4Items(items) }));
        assert.deepEqual(parseVCard4Items(iq), items.map((i) => (i.itemId === undefined ? { vcard: expected(i.vcard) } : { itemId: i.itemId, vcard: expected(i.vcard) })));
      }), { numRuns: 50 });
    });

    it('event: parse(build(from, to, id, v)) gives the publisher, the item and v', () => {
      fc.assert(fc.property(bareJid, fullJid, stanzaId, fields, (from, to, id, v) => {
        assert.deepEqual(parseVCard4Event(throughText(buildVCard4Event(from, to, id, v))), { from, itemId: 'current', vcard: expected(v) });
      }), { numRuns: 50 });
    });

    it('the publish carries the vCard and the requests carry id and addressee', () => {
      fc.assert(fc.property(stanzaId, bareJid, fields, (id, to, v) => {
        const publish = throughText(buildVCard4Publish(id, v));
        assert.equal(publish.attrs.id, id);
        assert.equal(publish.attrs.to, undefined);
        const item = publish.getChild('pubsub', NS_PUBSUB)?.getChild('publish')?.getChild('item');
        assert.equal(item?.attrs.id, 'current');
        assert.deepEqual(parseVCard4(item?.getChild('vcard', NS_VCARD4) ?? publish), expected(v));
        const get = throughText(buildVCard4Get(id, to));
        assert.equal(get.attrs.to, to);
        assert.equal(get.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.attrs.node, NODE_VCARD4);
      }), { numRuns: 50 });
    });
  });

  describe('random and mutated input', () => {
    const names = ['iq', 'message', 'vcard', 'fn', 'nickname', 'photo', 'note', 'tel', 'email', 'text', 'uri', 'parameters', 'type', 'pubsub', 'event', 'items', 'item', 'error'];
    const namespaces = [NS_VCARD4, NS_PUBSUB, NS_PUBSUB_EVENT, 'jabber:client', NS_DATA];
    const attrs = ['node', 'id', 'type', 'from'];
    const seeds = [buildVCard4Publish('p', BOB).toString(), buildVCard4Event('a@b', 'c@d', 'e', BOB).toString(), BOB_XML];

    it('parseVCard4 only returns or throws StanzaParseError', () => {
      fuzzParser(parseVCard4, { names, namespaces, attrs, seeds }, 200);
    });

    it('parseVCard4Items only returns or throws StanzaParseError', () => {
      fuzzParser(parseVCard4Items, { names, namespaces, attrs, seeds }, 200);
    });

    it('parseVCard4Event only returns or throws StanzaParseError', () => {
      fuzzParser(parseVCard4Event, { names, namespaces, attrs, seeds }, 200);
    });
  });
});
