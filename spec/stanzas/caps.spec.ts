import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { StanzaParseError } from '../../lib/errors.js';
import { buildCaps, capsHash, capsVerificationString, parseCaps, verifyCaps, type Caps } from '../../lib/stanzas/caps.js';
import type { DataField, DataForm } from '../../lib/stanzas/data-form.js';
import { parseDiscoInfo, type DiscoIdentity, type DiscoInfo } from '../../lib/stanzas/disco.js';
import { NS_CAPS, NS_DATA, NS_DISCO_INFO, NS_STREAM } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';
import { XEP_0115_COMPLEX_INFO } from '../fixtures/xep-0115.js';

// The examples are those of XEP-0115 v1.5 (2008-02-26).

// XEP-0115 §1.2 (How It Works): the presence Juliet receives from Romeo.
const XEP_PRESENCE = `<presence from='romeo@montague.lit/orchard'>
  <c xmlns='http://jabber.org/protocol/caps' 
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`;

// XEP-0115 §6.1, 'Presence with caps': the same <c/>, as the client sends it.
const XEP_PRESENCE_WITH_CAPS = `<presence>
  <c xmlns='http://jabber.org/protocol/caps'
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`;

// XEP-0115 §1.2: the disco#info answer behind that presence (whose S and ver §5.2 computes).
const XEP_SIMPLE_INFO = `<iq from='romeo@montague.lit/orchard' 
    id='disco1'
    to='juliet@capulet.lit/chamber' 
    type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>
    <identity category='client' name='Exodus 0.9.1' type='pc'/>
    <feature var='http://jabber.org/protocol/caps'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
  </query>
</iq>`;


const SIMPLE: DiscoInfo = {
  identities: [{ category: 'client', type: 'pc', name: 'Exodus 0.9.1' }],
  features: ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/muc', 'http://jabber.org/protocol/caps'],
  forms: [],
};

const field = (name: string, values: string[], type?: 'hidden'): DataField =>
  type === undefined ? { var: name, required: false, values, options: [] } : { var: name, type, required: false, values, options: [] };
const form = (...fields: DataField[]): DataForm => ({ type: 'result', instructions: [], fields });

describe('stanzas/caps (XEP-0115)', () => {
  describe('golden fixtures', () => {
    it('computes the §5.2 simple example: S and ver QgayPKawpkPSDYmwT/WM94uAlu0=', () => {
      assert.equal(capsVerificationString(SIMPLE),
        'client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<');
      assert.equal(capsHash(SIMPLE), 'QgayPKawpkPSDYmwT/WM94uAlu0=');
      const info = parseDiscoInfo(parseXml(XEP_SIMPLE_INFO));
      assert.equal(capsHash(info), 'QgayPKawpkPSDYmwT/WM94uAlu0=');
      assert.equal(verifyCaps(info, parseCaps(parseXml(XEP_PRESENCE)).ver), true);
    });

    it('computes the §5.3 complex example: S and ver q07IKJEyjvHSyhy//CH0CxmKi8w=', () => {
      const info = parseDiscoInfo(parseXml(XEP_0115_COMPLEX_INFO));
      assert.equal(capsVerificationString(info),
        'client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<'
        + 'http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<'
        + 'ip_version<ipv4<ipv6<os<Mac<os_version<10.5.1<software<Psi<software_version<0.11<');
      assert.equal(capsHash(info), 'q07IKJEyjvHSyhy//CH0CxmKi8w=');
      assert.equal(verifyCaps(info, 'q07IKJEyjvHSyhy//CH0CxmKi8w='), true);
      assert.equal(verifyCaps(info, 'QgayPKawpkPSDYmwT/WM94uAlu0='), false);
    });

    it('builds and reads the <c/> of XEP-0115 §6.1 (and of §1.2)', () => {
      const presence = parseXml(XEP_PRESENCE_WITH_CAPS);
      const caps = parseCaps(presence);
      assert.deepEqual(caps, { hash: 'sha-1', node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' });
      assert.deepEqual(parseCaps(presence.getChild('c', NS_CAPS)!), caps);
      assert.deepEqual(parseCaps(parseXml(XEP_PRESENCE)), caps);
      assertXmlEqual(buildCaps({ node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' }), presence.getChild('c', NS_CAPS)!);
    });

    it("reads the servers' <c/> in the stream features after auth, and it verifies against their disco#info", () => {
      const expected = {
        prosody: { hash: 'sha-1', node: 'http://prosody.im', ver: 'dv5B9lPWEYaYPEnEKiItAStyo+8=' },
        ejabberd: { hash: 'sha-1', node: 'http://www.process-one.net/en/ejabberd/', ver: 'dXlIXuqHloFtqhu8DUF+Gq+1Y3w=' },
      };
      for (const server of ['prosody', 'ejabberd'] as const) {
        const features = realStanza('stream features after auth', server);
        const caps = parseCaps(features);
        assert.deepEqual(caps, expected[server]);
        assert.deepEqual(parseCaps(features.getChild('c', NS_CAPS)!), caps);
        // The same server's disco#info hashes to that ver (ejabberd's with its serverinfo form, and
        // its identities without the stanza's xml:lang).
        assert.equal(capsHash(parseDiscoInfo(realStanza('disco#info server', server))), caps.ver, server);
      }
    });

    it('refuses a <c/> without hash (legacy format), node or ver, and other elements', () => {
      for (const bad of [`<c xmlns='${NS_CAPS}' node='n' ver='0.9'/>`, `<c xmlns='${NS_CAPS}' hash='sha-1' ver='v'/>`, `<c xmlns='${NS_CAPS}' hash='sha-1' node='n'/>`,
        '<presence/>', `<stream:features xmlns:stream='${NS_STREAM}'/>`]) {
        assert.throws(() => parseCaps(parseXml(bad)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART', bad);
      }
      for (const bad of ["<c xmlns='urn:other' hash='a' node='b' ver='c'/>", `<message><c xmlns='${NS_CAPS}' hash='a' node='b' ver='c'/></message>`]) {
        assert.throws(() => parseCaps(parseXml(bad)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED', bad);
      }
    });

    it('§5.4: duplicate identities, features or FORM_TYPEs, or a FORM_TYPE with two values, give no hash', () => {
      const invalid = (e: unknown): boolean => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE';
      const typed = (type: string): DataForm => form(field('FORM_TYPE', [type], 'hidden'), field('a', ['1']));
      const bad: DiscoInfo[] = [
        { ...SIMPLE, identities: [...SIMPLE.identities, { category: 'client', type: 'pc', name: 'Exodus 0.9.1' }] },
        { ...SIMPLE, features: [...SIMPLE.features, 'http://jabber.org/protocol/muc'] },
        { ...SIMPLE, forms: [typed('urn:x'), typed('urn:y'), typed('urn:x')] },
        { ...SIMPLE, forms: [form(field('FORM_TYPE', ['urn:x', 'urn:y'], 'hidden'))] },
      ];
      for (const info of bad) {
        assert.throws(() => capsVerificationString(info), invalid);
        assert.throws(() => capsHash(info), invalid);
        assert.equal(verifyCaps(info, capsHash(SIMPLE)), false);
      }
      // Not duplicates: the same category/type in another language, or with another name; a repeated
      // identical FORM_TYPE value.
      capsHash({ ...SIMPLE, identities: [...SIMPLE.identities, { category: 'client', type: 'pc', name: 'Exodus 0.9.1', lang: 'en' }] });
      capsHash({ ...SIMPLE, identities: [...SIMPLE.identities, { category: 'client', type: 'pc', name: 'Exodus' }] });
      assert.equal(capsVerificationString({ ...SIMPLE, forms: [form(field('FORM_TYPE', ['urn:x', 'urn:x'], 'hidden'))] }), capsVerificationString(SIMPLE) + 'urn:x<');
    });

    it('§5.4: a form without FORM_TYPE, or whose FORM_TYPE is not hidden, is left out', () => {
      const base = capsVerificationString(SIMPLE);
      assert.equal(capsVerificationString({ ...SIMPLE, forms: [form(field('os', ['Mac']))] }), base);
      assert.equal(capsVerificationString({ ...SIMPLE, forms: [form(field('FORM_TYPE', ['urn:x']), field('os', ['Mac']))] }), base);
      assert.equal(capsVerificationString({ ...SIMPLE, forms: [form(field('FORM_TYPE', [], 'hidden'))] }), base);
      assert.equal(capsVerificationString({ ...SIMPLE, forms: [form(field('os', ['Mac'])), form(field('FORM_TYPE', ['urn:x'], 'hidden'), field('os', ['Mac']))] }),
        base + 'urn:x<os<Mac<');
    });

    it('sorts by UTF-8 octets ("i;octet"), not by UTF-16 code units, and keeps "&lt;" literal', () => {
      // U+FF21 (EF BC A1) sorts before U+1F4AC (F0 9F 92 AC) in UTF-8, after it in UTF-16.
      const info: DiscoInfo = { identities: [], features: ['\u{1F4AC}', '\uFF21', 'a', 'B'], forms: [] };
      assert.equal(capsVerificationString(info), 'B<a<\uFF21<\u{1F4AC}<');
      const identities: DiscoIdentity[] = [{ category: 'client', type: 'pc', lang: 'é' }, { category: 'client', type: 'pc', lang: 'z' }, { category: 'client', type: 'bot' }, { category: 'account', type: 'registered' }];
      assert.equal(capsVerificationString({ identities, features: [], forms: [] }), 'account/registered//<client/bot//<client/pc/z/<client/pc/é/<');
      assert.equal(capsVerificationString({ identities: [{ category: 'client', type: 'pc', name: 'SomeClient&lt;' }], features: ['a&lt;b'], forms: [] }),
        'client/pc//SomeClient&lt;<a&lt;b<');
    });
  });

  describe('round trip', () => {
    it('parseCaps(buildCaps(v)) deep-equals v, through text', () => {
      const caps: fc.Arbitrary<Caps> = fc.record({ hash: fc.oneof(fc.constant('sha-1'), xmlText()), node: xmlText(), ver: xmlText() }, { noNullPrototype: true });
      fc.assert(fc.property(caps, (v) => {
        assert.deepEqual(parseCaps(throughText(buildCaps(v))), v);
      }));
    });

    it('buildCaps defaults hash to sha-1', () => {
      fc.assert(fc.property(xmlText(), xmlText(), (node, ver) => {
        assert.deepEqual(parseCaps(throughText(buildCaps({ node, ver }))), { hash: 'sha-1', node, ver });
      }));
    });

    const info: fc.Arbitrary<DiscoInfo> = fc.record({
      identities: fc.uniqueArray(fc.record({ category: xmlTextNonEmpty(6), type: xmlTextNonEmpty(6), name: xmlText(6), lang: fc.constantFrom('en', 'el', 'de') },
        { requiredKeys: ['category', 'type'], noNullPrototype: true }), { maxLength: 4, selector: (i) => `${i.category}\0${i.type}\0${i.lang ?? ''}\0${i.name ?? ''}` }),
      features: fc.uniqueArray(xmlTextNonEmpty(12), { maxLength: 6 }),
      forms: fc.uniqueArray(fc.tuple(xmlTextNonEmpty(8), fc.uniqueArray(fc.tuple(xmlTextNonEmpty(6).filter((v) => v !== 'FORM_TYPE'), fc.array(xmlText(6), { maxLength: 3 })), { maxLength: 3, selector: ([name]) => name })),
        { maxLength: 3, selector: ([type]) => type }).map((forms) => forms.map(([type, fields]) => form(field('FORM_TYPE', [type], 'hidden'), ...fields.map(([name, values]) => field(name, values))))),
    }, { noNullPrototype: true });

    it('the hash does not depend on the order of identities, features, forms, fields or values', () => {
      fc.assert(fc.property(info, fc.integer(), (v, seed) => {
        const shuffle = <T>(items: readonly T[]): T[] => items.map((item, i) => [((i + 1) * 2654435761 + seed) % 1009, item] as const).sort((a, b) => a[0] - b[0]).map(([, item]) => item);
        const shuffled: DiscoInfo = {
          identities: shuffle(v.identities),
          features: shuffle(v.features),
          forms: shuffle(v.forms).map((f) => ({ ...f, fields: shuffle(f.fields).map((x) => ({ ...x, values: shuffle(x.values) })) })),
        };
        assert.equal(capsHash(shuffled), capsHash(v));
        assert.equal(verifyCaps(shuffled, capsHash(v)), true);
      }), { numRuns: 150 });
    });

    it('capsHash is the base64 SHA-1 of the UTF-8 verification string (node:crypto)', () => {
      fc.assert(fc.property(info, (v) => {
        assert.equal(capsHash(v), createHash('sha1').update(capsVerificationString(v), 'utf8').digest('base64'));
      }), { numRuns: 100 });
    });
  });

  describe('random and mutated input', () => {
    it('parseCaps only returns or throws StanzaParseError', () => {
      fuzzParser(parseCaps, {
        names: ['c', 'presence', 'features'],
        namespaces: [NS_CAPS, NS_STREAM, 'jabber:client'],
        attrs: ['hash', 'node', 'ver', 'ext'],
        seeds: [XEP_PRESENCE],
      });
    });

    it('hashing any disco#info only returns or throws StanzaParseError', () => {
      fuzzParser((element) => capsHash(parseDiscoInfo(element)), {
        names: ['iq', 'query', 'identity', 'feature', 'x', 'field', 'value'],
        namespaces: [NS_DISCO_INFO, NS_DATA, 'jabber:client'],
        attrs: ['category', 'type', 'name', 'xml:lang', 'var'],
        seeds: [XEP_SIMPLE_INFO, XEP_0115_COMPLEX_INFO],
      });
    });
  });
});
