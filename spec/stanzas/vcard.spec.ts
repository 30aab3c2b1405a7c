import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { NS_STANZAS, NS_VCARD } from '../../lib/stanzas/ns.js';
import { buildVCard, buildVCardGet, buildVCardSet, parseVCard, updateVCard, type VCard, type VCardFields } from '../../lib/stanzas/vcard.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { bareJid, stanzaId, xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

// XEP-0054 v1.2, Example 2 (Server Returns vCard), as published.
const XEP_EXAMPLE_2 = `<iq id='v1'
    to='stpeter@jabber.org/roundabout'
    type='result'>
  <vCard xmlns='vcard-temp'>
    <FN>Peter Saint-Andre</FN>
    <N>
      <FAMILY>Saint-Andre</FAMILY>
      <GIVEN>Peter</GIVEN>
      <MIDDLE/>
    </N>
    <NICKNAME>stpeter</NICKNAME>
    <URL>http://www.xmpp.org/xsf/people/stpeter.shtml</URL>
    <BDAY>1966-08-06</BDAY>
    <ORG>
      <ORGNAME>XMPP Standards Foundation</ORGNAME>
      <ORGUNIT/>
    </ORG>
    <TITLE>Executive Director</TITLE>
    <ROLE>Patron Saint</ROLE>
    <TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL>
    <TEL><WORK/><FAX/><NUMBER/></TEL>
    <TEL><WORK/><MSG/><NUMBER/></TEL>
    <ADR>
      <WORK/>
      <EXTADD>Suite 600</EXTADD>
      <STREET>1899 Wynkoop Street</STREET>
      <LOCALITY>Denver</LOCALITY>
      <REGION>CO</REGION>
      <PCODE>80202</PCODE>
      <CTRY>USA</CTRY>
    </ADR>
    <TEL><HOME/><VOICE/><NUMBER>303-555-1212</NUMBER></TEL>
    <TEL><HOME/><FAX/><NUMBER/></TEL>
    <TEL><HOME/><MSG/><NUMBER/></TEL>
    <ADR>
      <HOME/>
      <EXTADD/>
      <STREET/>
      <LOCALITY>Denver</LOCALITY>
      <REGION>CO</REGION>
      <PCODE>80209</PCODE>
      <CTRY>USA</CTRY>
    </ADR>
    <EMAIL><INTERNET/><PREF/><USERID>stpeter@jabber.org</USERID></EMAIL>
    <JABBERID>stpeter@jabber.org</JABBERID>
    <DESC>
      More information about me is located on my 
      personal website: http://www.saint-andre.com/
    </DESC>
  </vCard>
</iq>`;

// XEP-0054 v1.2, Example 5 (vCard Update Request): Example 2 with only DESC changed.
const XEP_EXAMPLE_5 = XEP_EXAMPLE_2
  .replace(`<iq id='v1'
    to='stpeter@jabber.org/roundabout'
    type='result'>`, "<iq xmlns='jabber:client' id='v2' type='set'>")
  .replace(`
      More information about me is located on my 
      personal website: http://www.saint-andre.com/
    `, `
      Check out my blog at https://stpeter.im/
    `);

const EMPTY: VCard = { nickName: '', fullName: '', image: '', status: '', mobileNumber: '', email: '' };
const ALICE: VCard = { ...EMPTY, nickName: 'alice', fullName: 'Alice Example', email: 'alice@example.org' };

const vcard = (inner: string): ReturnType<typeof parseXml> => parseXml(`<vCard xmlns='vcard-temp'>${inner}</vCard>`);

describe('stanzas/vcard (XEP-0054)', () => {
  describe('golden fixtures', () => {
    it('builds the requests of XEP-0054 Examples 1 and 8 (without the from the server stamps)', () => {
      assertXmlEqual(buildVCardGet('v1'), "<iq xmlns='jabber:client' id='v1' type='get'><vCard xmlns='vcard-temp'/></iq>");
      assertXmlEqual(buildVCardGet('v3', 'jer@jabber.org'),
        "<iq xmlns='jabber:client' id='v3' to='jer@jabber.org' type='get'><vCard xmlns='vcard-temp'/></iq>");
    });

    it("reads XEP-0054 Example 2 (Peter Saint-Andre's vCard)", () => {
      assert.deepEqual(parseVCard(parseXml(XEP_EXAMPLE_2)), {
        nickName: 'stpeter',
        fullName: 'Peter Saint-Andre',
        image: '',
        status: '\n      More information about me is located on my \n      personal website: http://www.saint-andre.com/\n    ',
        mobileNumber: '303-308-3282', // no TEL with CELL: the first TEL with a number
        email: 'stpeter@jabber.org',
      });
    });

    it("reads XEP-0054 Example 9 (another user's vCard)", () => {
      const iq = parseXml(`<iq from='jer@jabber.org' to='stpeter@jabber.org/roundabout' type='result' id='v3'>
  <vCard xmlns='vcard-temp'>
    <FN>JeremieMiller</FN>
    <N><GIVEN>Jeremie</GIVEN><FAMILY>Miller</FAMILY><MIDDLE/></N>
    <NICKNAME>jer</NICKNAME>
    <EMAIL><INTERNET/><PREF/><USERID>jeremie@jabber.org</USERID></EMAIL>
    <JABBERID>jer@jabber.org</JABBERID>
  </vCard>
</iq>`);
      assert.deepEqual(parseVCard(iq), { ...EMPTY, nickName: 'jer', fullName: 'JeremieMiller', email: 'jeremie@jabber.org' });
    });

    it('reads "no vCard" as XEP-0054 §3.1 and §3.3 allow: an error (Examples 3 and 10) or an empty vCard (Example 4)', () => {
      assert.throws(() => parseVCard(parseXml(`<iq id='v1' to='stpeter@jabber.org/roundabout' type='error'>
  <vCard xmlns='vcard-temp'/>
  <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
</iq>`)), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found' && e.type === 'cancel');
      assert.throws(() => parseVCard(parseXml(`<iq id='v3' to='stpeter@jabber.org/roundabout' type='error'>
  <vCard xmlns='vcard-temp'/>
  <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
</iq>`)), (e: unknown) => e instanceof StanzaError && e.condition === 'service-unavailable');
      assert.deepEqual(parseVCard(parseXml("<iq id='v1' to='stpeter@jabber.org/roundabout' type='result'><vCard xmlns='vcard-temp'/></iq>")), EMPTY);
    });

    it('builds XEP-0054 Example 5 (update of DESC only) from Example 2 with updateVCard, keeping everything else', () => {
      const existing = parseXml(XEP_EXAMPLE_2);
      const now = parseVCard(existing);
      const updated = updateVCard(existing, { ...now, status: '\n      Check out my blog at https://stpeter.im/\n    ' });
      assertXmlEqual(buildVCardSet('v2', updated), XEP_EXAMPLE_5);
    });

    for (const server of ['prosody', 'ejabberd'] as const) {
      it(`reads ${server}'s answers: own vCard, another user's, a user without vCard`, () => {
        assert.deepEqual(parseVCard(realStanza('vCard get own', server)), ALICE);
        assert.deepEqual(parseVCard(realStanza("vCard get other user's (bob -> alice)", server)), ALICE);
      });
    }

    it("throws Prosody's item-not-found for a user without vCard, and reads ejabberd's empty vCard as all ''", () => {
      assert.throws(() => parseVCard(realStanza('vCard get user with no vCard (alice -> carol)', 'prosody')),
        (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found' && e.type === 'cancel');
      assert.deepEqual(parseVCard(realStanza('vCard get user with no vCard (alice -> carol)', 'ejabberd')), EMPTY);
    });

    it('builds the vCard the fixtures were recorded with (FN, NICKNAME, EMAIL/INTERNET/USERID)', () => {
      assertXmlEqual(buildVCard({ ...ALICE, fullName: 'Alice Example' }),
        "<vCard xmlns='vcard-temp'><FN>Alice Example</FN><NICKNAME>alice</NICKNAME><EMAIL><INTERNET/><USERID>alice@example.org</USERID></EMAIL></vCard>");
      assertXmlEqual(buildVCardSet('t2', { ...ALICE, fullName: 'Alice Example' }),
        "<iq xmlns='jabber:client' type='set' id='t2'><vCard xmlns='vcard-temp'><FN>Alice Example</FN><NICKNAME>alice</NICKNAME><EMAIL><INTERNET/><USERID>alice@example.org</USERID></EMAIL></vCard></iq>");
    });

    it('builds every profile field: PHOTO/EXTVAL for a URL, TEL with VOICE and CELL, DESC; no FN without a full name', () => {
      assertXmlEqual(buildVCard({ nickName: 'bob', image: 'https://example.org/b.png', status: 'Hi & <bye>', mobileNumber: '+1 555 0100', email: 'bob@example.org' }),
        `<vCard xmlns='vcard-temp'><NICKNAME>bob</NICKNAME><PHOTO><EXTVAL>https://example.org/b.png</EXTVAL></PHOTO>
          <TEL><VOICE/><CELL/><NUMBER>+1 555 0100</NUMBER></TEL><EMAIL><INTERNET/><USERID>bob@example.org</USERID></EMAIL>
          <DESC>Hi &amp; &lt;bye&gt;</DESC></vCard>`);
    });

    it('builds a data: image as PHOTO/TYPE+BINVAL, and a data: URL that is not base64 as EXTVAL', () => {
      assertXmlEqual(buildVCard({ ...EMPTY, image: 'data:image/png;base64,iVBORw0KGgo=' }),
        "<vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0KGgo=</BINVAL></PHOTO></vCard>");
      assertXmlEqual(buildVCard({ ...EMPTY, image: 'data:text/plain,hello' }),
        "<vCard xmlns='vcard-temp'><PHOTO><EXTVAL>data:text/plain,hello</EXTVAL></PHOTO></vCard>");
    });

    it('reads a BINVAL photo written with line breaks as a data: URL without whitespace, and the raw photo', () => {
      const parsed = parseVCard(vcard("<PHOTO><TYPE>image/jpeg</TYPE><BINVAL>\n/9j/4AAQSkZJRgABAQ\r\n  EASABIAAD/\n4QBYRXhpZgAA\n</BINVAL></PHOTO>"));
      assert.deepEqual(parsed, {
        ...EMPTY,
        image: 'data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/4QBYRXhpZgAA',
        photo: { type: 'image/jpeg', binval: '/9j/4AAQSkZJRgABAQEASABIAAD/4QBYRXhpZgAA' },
      });
    });

    it('prefers EXTVAL for the image when a PHOTO has both, and still gives the raw photo', () => {
      assert.deepEqual(parseVCard(vcard('<PHOTO><EXTVAL>https://x.example/p.png</EXTVAL><TYPE>image/png</TYPE><BINVAL>AAAA</BINVAL></PHOTO>')),
        { ...EMPTY, image: 'https://x.example/p.png', photo: { type: 'image/png', binval: 'AAAA' } });
    });

    it('falls back to FN for the nickname when there is no NICKNAME, or an empty one', () => {
      assert.deepEqual(parseVCard(vcard('<FN>Juliet Capulet</FN>')), { ...EMPTY, nickName: 'Juliet Capulet', fullName: 'Juliet Capulet' });
      assert.deepEqual(parseVCard(vcard('<NICKNAME/><FN>Juliet Capulet</FN>')), { ...EMPTY, nickName: 'Juliet Capulet', fullName: 'Juliet Capulet' });
      assert.deepEqual(parseVCard(vcard('<NICKNAME>jc</NICKNAME><FN>Juliet Capulet</FN>')), { ...EMPTY, nickName: 'jc', fullName: 'Juliet Capulet' });
    });

    it('prefers a TEL with CELL, else the first TEL with a number', () => {
      const both = vcard('<TEL><WORK/><VOICE/><NUMBER>111</NUMBER></TEL><TEL><HOME/><CELL/><NUMBER/></TEL><TEL><HOME/><CELL/><NUMBER>222</NUMBER></TEL><TEL><CELL/><NUMBER>333</NUMBER></TEL>');
      assert.equal(parseVCard(both).mobileNumber, '222');
      assert.equal(parseVCard(vcard('<TEL><FAX/><NUMBER/></TEL><TEL><WORK/><NUMBER>111</NUMBER></TEL>')).mobileNumber, '111');
      assert.equal(parseVCard(vcard('<TEL><CELL/> +33 6 12 </TEL>')).mobileNumber, '+33 6 12', 'the legacy form without NUMBER');
    });

    it('prefers an EMAIL with INTERNET and PREF, else the first; reads the old <EMAIL>text</EMAIL> form', () => {
      assert.equal(parseVCard(vcard('<EMAIL><WORK/><INTERNET/><USERID>w@x</USERID></EMAIL><EMAIL><INTERNET/><PREF/><USERID>p@x</USERID></EMAIL>')).email, 'p@x');
      assert.equal(parseVCard(vcard('<EMAIL><INTERNET/><USERID/></EMAIL><EMAIL><HOME/><USERID>h@x</USERID></EMAIL><EMAIL><USERID>o@x</USERID></EMAIL>')).email, 'h@x');
      assert.equal(parseVCard(vcard('<EMAIL>old@example.org</EMAIL>')).email, 'old@example.org');
      assert.equal(parseVCard(vcard('<EMAIL>\n  <INTERNET/>\n  <USERID>n@x</USERID>\n</EMAIL>')).email, 'n@x');
    });

    it('ignores children of other namespaces and unknown elements', () => {
      assert.deepEqual(parseVCard(vcard("<NICKNAME xmlns='urn:other'>no</NICKNAME><X-FOO>bar</X-FOO><NICKNAME>yes</NICKNAME>")), { ...EMPTY, nickName: 'yes' });
    });

    it('refuses another element, and an IQ that carries something else', () => {
      assert.throws(() => parseVCard(parseXml("<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>")), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
      assert.throws(() => parseVCard(parseXml("<iq type='result' id='x'><query xmlns='jabber:iq:roster'/></iq>")), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => parseVCard(parseXml("<iq type='get' id='x'/>")), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.deepEqual(parseVCard(realStanza('vCard set result', 'prosody')), EMPTY, 'an empty IQ result is no vCard');
    });
  });

  describe('updateVCard', () => {
    const OTHERS = `<N><FAMILY>Capulet</FAMILY><GIVEN>Juliet</GIVEN></N><BDAY>1996-07-31</BDAY>
      <ADR><HOME/><LOCALITY>Verona</LOCALITY></ADR><ORG><ORGNAME>Capulet</ORGNAME></ORG>
      <TEL><WORK/><VOICE/><NUMBER>+39 045 1</NUMBER></TEL><EMAIL><WORK/><USERID>j@work.example</USERID></EMAIL>
      <x xmlns='urn:example:ext'>keep me</x>`;

    it('keeps every child the profile does not own, replaces the owned ones in place and appends the missing', () => {
      const existing = vcard(`<FN>Juliet</FN>${OTHERS}<NICKNAME>jul</NICKNAME><EMAIL><INTERNET/><PREF/><USERID>old@x</USERID></EMAIL><DESC>old</DESC>`);
      const updated = updateVCard(existing, { nickName: 'juliet', fullName: 'Juliet Capulet', image: 'https://x/j.png', status: 'new', mobileNumber: '+39 333', email: 'new@x' });
      assertXmlEqual(updated, `<vCard xmlns='vcard-temp'><FN>Juliet Capulet</FN>${OTHERS}<NICKNAME>juliet</NICKNAME>
        <EMAIL><INTERNET/><PREF/><USERID>new@x</USERID></EMAIL><DESC>new</DESC>
        <PHOTO><EXTVAL>https://x/j.png</EXTVAL></PHOTO><TEL><VOICE/><CELL/><NUMBER>+39 333</NUMBER></TEL></vCard>`);
      assert.deepEqual(parseVCard(updated), { nickName: 'juliet', fullName: 'Juliet Capulet', image: 'https://x/j.png', status: 'new', mobileNumber: '+39 333', email: 'new@x' });
    });

    it("replaces the CELL TEL it reads from, removes owned elements set to '', keeps FN when no full name is given", () => {
      const existing = vcard(`<FN>Juliet</FN><TEL><HOME/><CELL/><NUMBER>1</NUMBER></TEL><TEL><WORK/><NUMBER>2</NUMBER></TEL>
        <NICKNAME>a</NICKNAME><NICKNAME>b</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>AAAA</BINVAL></PHOTO><DESC>d</DESC>`);
      const updated = updateVCard(existing, { nickName: 'c', image: '', status: '', mobileNumber: '3', email: '' });
      assertXmlEqual(updated, `<vCard xmlns='vcard-temp'><FN>Juliet</FN><TEL><VOICE/><CELL/><NUMBER>3</NUMBER></TEL>
        <TEL><WORK/><NUMBER>2</NUMBER></TEL><NICKNAME>c</NICKNAME></vCard>`);
    });

    it("the fields read now leave the vCard as it is (no duplicate TEL for a work phone read as the mobile)", () => {
      for (const text of [XEP_EXAMPLE_2, "<vCard xmlns='vcard-temp'><TEL><WORK/><NUMBER>2</NUMBER></TEL><EMAIL>legacy@x</EMAIL><FN>F</FN></vCard>"]) {
        const existing = parseXml(text);
        assertXmlEqual(updateVCard(existing, parseVCard(existing)), existing.getName() === 'iq' ? (existing.getChild('vCard', NS_VCARD) ?? existing) : existing);
      }
    });

    it('does not modify its input, and builds a fresh vCard from nothing', () => {
      const existing = parseXml(XEP_EXAMPLE_2);
      const before = serialize(existing);
      updateVCard(existing, { ...EMPTY, nickName: 'x', mobileNumber: '9' });
      assert.equal(serialize(existing), before);
      const fields: VCardFields = { ...ALICE, image: 'data:image/gif;base64,R0lGOD==' };
      assertXmlEqual(updateVCard(undefined, fields), buildVCard(fields));
      assertXmlEqual(updateVCard(parseXml("<iq type='result' id='e'/>"), fields), buildVCard(fields));
    });

    it('throws the StanzaError of an IQ error given as the existing vCard', () => {
      assert.throws(() => updateVCard(realStanza('vCard get user with no vCard (alice -> carol)', 'prosody'), ALICE), StanzaError);
    });
  });

  describe('round trip', () => {
    const base64 = fc.stringMatching(/^[A-Za-z0-9+/]{0,40}={0,2}$/);
    const image = fc.oneof(
      fc.constant(''),
      xmlText().filter((s) => !s.toLowerCase().startsWith('data:')),
      fc.tuple(fc.constantFrom('image/png', 'image/jpeg', 'image/webp', ''), base64).map(([type, data]) => `data:${type};base64,${data}`),
    );
    const fields: fc.Arbitrary<VCardFields> = fc.record({
      nickName: xmlText(), fullName: xmlText(), image, status: xmlText(), mobileNumber: xmlText(), email: xmlText(),
    }, { requiredKeys: ['nickName', 'image', 'status', 'mobileNumber', 'email'], noNullPrototype: true });

    /** What parseVCard reads back: the nickname falls back to FN, a data: image also gives the raw photo. */
    const expected = (v: VCardFields): VCard => {
      const fullName = v.fullName ?? '';
      const out = { nickName: v.nickName || fullName, fullName, image: v.image, status: v.status, mobileNumber: v.mobileNumber, email: v.email };
      const marker = v.image.indexOf(';base64,');
      return v.image.startsWith('data:') ? { ...out, photo: { type: v.image.slice(5, marker), binval: v.image.slice(marker + 8) } } : out;
    };

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(fields, (v) => {
        assert.deepEqual(parseVCard(throughText(buildVCard(v))), expected(v));
        assert.deepEqual(parseVCard(throughText(buildVCardSet('id', v))), expected(v));
      }));
    });

    it('parse(updateVCard(existing, v)) reads v and keeps the children the profile does not own', () => {
      const foreign = fc.array(fc.tuple(fc.constantFrom('BDAY', 'ORG', 'ADR', 'JABBERID', 'N', 'URL', 'TITLE'), xmlText(8)), { maxLength: 4 });
      fc.assert(fc.property(fields, fields, foreign, (before, after, extra) => {
        const existing = buildVCard(before);
        for (const [name, text] of extra) existing.c(name).t(text);
        const next = { ...after, fullName: after.fullName ?? '' };
        const updated = throughText(updateVCard(throughText(existing), next));
        assert.deepEqual(parseVCard(updated), expected(next));
        const kept = updated.children.filter((c) => typeof c !== 'string' && extra.some(([name]) => name === c.getName()));
        assert.deepEqual(kept.map((c) => typeof c === 'string' ? c : [c.getName(), c.getText()]), extra);
      }), { numRuns: 200 });
    });

    it('the request carries the id and the addressee', () => {
      fc.assert(fc.property(stanzaId, fc.option(bareJid, { nil: undefined }), (id, to) => {
        const iq = throughText(buildVCardGet(id, to));
        assert.equal(iq.attrs.id, id);
        assert.equal(iq.attrs.to, to);
        assert.equal(iq.attrs.type, 'get');
        assert.equal(iq.getChild('vCard', NS_VCARD)?.children.length, 0);
      }));
    });
  });

  describe('random and mutated input', () => {
    const vocabulary = {
      names: ['iq', 'vCard', 'FN', 'NICKNAME', 'PHOTO', 'TYPE', 'BINVAL', 'EXTVAL', 'TEL', 'CELL', 'NUMBER', 'EMAIL', 'INTERNET', 'PREF', 'USERID', 'DESC', 'error', 'item-not-found'],
      namespaces: [NS_VCARD, 'jabber:client', NS_STANZAS],
      attrs: ['type', 'id', 'xmlns'],
    };

    it('parseVCard only returns or throws StanzaParseError', () => {
      fuzzParser(parseVCard, vocabulary);
    });

    it('updateVCard only returns or throws StanzaParseError', () => {
      fuzzParser((element) => updateVCard(element, { ...ALICE, mobileNumber: '1', image: 'data:image/png;base64,AA' }), vocabulary, 150);
    });
  });
});
