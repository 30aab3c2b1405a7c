/**
 * What the fuzz campaign found in lib/stanzas, one case per finding, so that each stays fixed:
 *
 * 1. `parseXml` took time quadratic in the input on text after the last tag, an unterminated attribute
 *    value or a `!` inside a tag name (ltx's tokenizer searched again at every character): 1 MiB of
 *    it took about 6 s. Checked with the campaign's hang detector (three runs over its time bound).
 * 2. `parseXml` let through characters XML cannot carry, so what it returned could not be written
 *    back (`serialize` and `updateVCard` then threw `XML_INVALID_CHAR`).
 * 3. `parseXml` accepted what is not XML: text or a cut tag after the root, empty or invalid names, a
 *    processing instruction hidden in a tag name, attributes without white space, quotes, or
 *    repeated, `<` in attribute values, a bare `&`.
 * 4. `parseJid` normalized 50 MB of text before finding it too long.
 * 5. `buildStreamFeatures` split an `other` feature `{namespace}name` at the first `}`, so a namespace
 *    holding `}` gave a broken element name, which `serialize` wrote as it was: what it wrote did not
 *    read back. Names are now checked on both sides: qualified XML names only.
 */
import { strict as assert } from 'node:assert';
import { JidError, StanzaParseError } from '../../lib/errors.js';
import { Element } from 'ltx';
import { XmppError } from '../../lib/errors.js';
import { parseJid } from '../../lib/stanzas/jid.js';
import { buildStreamFeatures, parseStreamFeatures, type StreamFeatures } from '../../lib/stanzas/stream-features.js';
import { updateVCard } from '../../lib/stanzas/vcard.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { DEFAULT_BOUND_MS, runInput } from '../../fuzz/engine.js';
import { corpusOf } from '../../fuzz/corpus.js';
import { codeIf, type Target } from '../../fuzz/target.js';

const MiB = 1_048_576;
const isCode = (code: string) => (error: unknown): boolean => error instanceof StanzaParseError && error.code === code;

/** Runs `parse` on `text` through the campaign's engine: the outcome, and whether it was a hang. */
async function outcome(parse: (text: string) => unknown, text: string): Promise<{ kind: string; code: string }> {
  const target: Target = {
    name: 'regression', parses: 'regression', corpus: () => corpusOf([], { ownOnly: true }), generate: () => ({ generator: 'fixed', text }),
    run: (input) => parse(input.text), allowed: (error) => codeIf(error, [StanzaParseError, JidError]),
  };
  const { kind, code } = await runInput(target, { generator: 'fixed', text }, DEFAULT_BOUND_MS);
  return { kind, code };
}

describe('fuzz findings, fixed', function () {
  this.timeout(30_000);

  describe('1. parseXml reads in linear time', () => {
    const cases: readonly [string, string, string][] = [
      ['text after the root', '<a/>' + 'x'.repeat(MiB - 8), 'XML_MALFORMED'],
      ['white space after the root', '<a/>' + ' '.repeat(MiB - 8), 'ok'],
      ['an unclosed root and its text', '<a>' + 'x'.repeat(MiB - 8), 'XML_MALFORMED'],
      ['text ending in >', '<a>' + 'x'.repeat(MiB - 8) + '>', 'XML_MALFORMED'],
      ['an unterminated attribute value', "<a b='" + 'x'.repeat(MiB - 8) + '>', 'XML_MALFORMED'],
      ['a ! in a tag name', '<a!' + 'x'.repeat(MiB - 8) + '>', 'XML_MALFORMED'],
      ['a & with no ; after it', '<a>&' + 'x'.repeat(MiB - 10) + '</a>', 'XML_MALFORMED'],
      ['many pieces of text and one & at the end', '<a>' + '<b/>x'.repeat((MiB - 16) / 5) + '&amp;</a>', 'ok'],
    ];
    for (const [what, text, code] of cases) {
      it(`${what} (1 MiB): ${code}, and no hang`, async () => {
        assert.ok(text.length <= MiB);
        assert.deepEqual(await outcome(parseXml, text), { kind: code === 'ok' ? 'ok' : 'typed', code });
      });
    }
  });

  describe('2. parseXml refuses characters XML cannot carry, so what it returns can be written', () => {
    const bad = ['\u0000', '\u0008', '\u000B', '\u001B', '\uFFFE', '\uFFFF', '\uD800', '\uDC00', 'x\uDBFFy', '\uDE00\uD83D'];
    for (const char of bad) {
      it(`${JSON.stringify(char)} in text or in an attribute value: XML_MALFORMED`, () => {
        assert.throws(() => parseXml(`<a>${char}</a>`), isCode('XML_MALFORMED'));
        assert.throws(() => parseXml(`<a b='${char}'/>`), isCode('XML_MALFORMED'));
      });
    }

    it('references to characters XML cannot carry: XML_MALFORMED; to others: kept', () => {
      for (const ref of ['&#0;', '&#x8;', '&#xD800;', '&#xFFFE;', '&#x110000;', '&#99999999;']) assert.throws(() => parseXml(`<a>${ref}</a>`), isCode('XML_MALFORMED'), ref);
      assert.equal(parseXml("<a b='&#9;&#xA;'>&#x1F4AC;&#13;</a>").getText(), '\u{1F4AC}\r');
    });

    it('a vCard with U+FFFF (the campaign\'s input) no longer reaches updateVCard; a vCard it reads can be written back', () => {
      assert.throws(() => parseXml("<iq type='result' id='v'><vCard xmlns='vcard-temp'><NICKNAME>\uFFFF</NICKNAME></vCard></iq>"), isCode('XML_MALFORMED'));
      const vcard = parseXml("<iq type='result' id='v'><vCard xmlns='vcard-temp'><NICKNAME>\u{1F600} \u00e9</NICKNAME><X-Y z='&#9;'/></vCard></iq>");
      const fields = { nickName: 'A', image: '', status: '', mobileNumber: '', email: '' };
      assert.match(serialize(updateVCard(vcard, fields)), /<X-Y z='&#9;'\/>/);
    });

    it('surrogate pairs are characters XML carries', () => {
      assert.equal(parseXml(`<a b='\u{1F600}'>\u{10FFFF}</a>`).getText(), '\u{10FFFF}');
    });
  });

  describe('3. parseXml refuses what is not well-formed XML', () => {
    const malformed: readonly [string, string][] = [
      ['text after the root', '<a/>junk'],
      ['a cut tag after the root', '<a/><b'],
      ['a cut end tag after the root', '<a/></b'],
      ['a lone < after the root', '<a/><'],
      ['an empty element name', '<></>'],
      ['a space before the name', '< a/>'],
      ['a name starting with a digit', '<1a/>'],
      ['a name holding U+00A0', '<a\u00a0b/>'],
      ['a processing instruction hidden in a tag name', '<x><a?junk?></x>'],
      ['a comment hidden in a tag name', '<x><a!-- x --></x>'],
      ['attributes without white space between them', "<a b='1'c='2'/>"],
      ['an attribute without a value', '<a b/>'],
      ['an attribute without quotes', '<a b=c/>'],
      ['a repeated attribute', "<a b='1' b='2'/>"],
      ['< in an attribute value', "<a b='<'/>"],
      ['a bare &', '<a>fish & chips</a>'],
      ['an end tag with something after the name', '<a></a b>'],
    ];
    for (const [what, text] of malformed) {
      it(`${what}: XML_MALFORMED`, () => assert.throws(() => parseXml(text), isCode('XML_MALFORMED')));
    }

    it('still reads what XML allows: white space in tags, both quotes, > in text and values, a BOM, the declaration', () => {
      const element = parseXml("\uFEFF<?xml version='1.0'?>\n<a  b = \"x>'y\"\tc='\"' >1 > 0</a >\n");
      assert.deepEqual({ ...element.attrs }, { b: "x>'y", c: '"' });
      assert.equal(element.getText(), '1 > 0');
    });

    it('keeps an attribute named __proto__ as an attribute, and writes it back', () => {
      const element = parseXml("<a __proto__='x'/>");
      assert.equal(Object.getOwnPropertyDescriptor(element.attrs, '__proto__')?.value, 'x');
      assert.equal(serialize(element), "<a __proto__='x'/>");
    });
  });

  describe('4. parseJid refuses text too long to be a JID before normalizing it', () => {
    it('50 MB: JID_TOO_LONG, and no hang', async () => {
      assert.deepEqual(await outcome(parseJid, 'a@' + 'b'.repeat(50 * MiB)), { kind: 'typed', code: 'JID_TOO_LONG' });
    });

    it('the longest JID still parses: three parts of 1023 octets', () => {
      const label = 'd'.repeat(63);
      const domain = Array.from({ length: 16 }, () => label).join('.').slice(0, 1023);
      const jid = parseJid(`${'l'.repeat(1023)}@${domain}/${'r'.repeat(1023)}`);
      assert.equal(jid.local.length + jid.domain.length + jid.resource.length, 3 * 1023);
    });

    it('a part that normalizes under the limit is not refused for its raw length', () => {
      // 1,000 times e + U+0301 (2,000 code units) is 1,000 times U+00E9 after NFC: 2,000 octets, too long,
      // but for its normalized length; 400 times it is 800 octets: valid.
      assert.equal(parseJid(`${'e\u0301'.repeat(400)}@x`).local, '\u00e9'.repeat(400));
      assert.throws(() => parseJid(`${'e\u0301'.repeat(1000)}@x`), (error: unknown) => error instanceof JidError && error.code === 'JID_TOO_LONG');
    });
  });

  describe('5. names: an other feature in a namespace holding }, and names that are not qualified XML names', () => {
    it("the campaign's input: {urn:xmp{}p/>:sm:3}sm is written back in its namespace", () => {
      const features: StreamFeatures = {
        mechanisms: [], register: false, bind: true, sm: [2], rosterVersioning: true, preApproval: false, csi: true,
        other: ['{Http://jabber.org/protocol/caps}c', '{urn:xmp{}p/>:sm:3}sm'], session: { optional: true },
      };
      assert.deepEqual(parseStreamFeatures(parseXml(serialize(buildStreamFeatures(features)))), features);
    });

    it('serialize refuses an element or attribute name that is not a qualified XML name', () => {
      for (const name of ['', 'a b', '1a', '-a', 'a:b:c', ':a', 'a:', 'a:1', 'p/>:sm:3}sm', 'a<b', 'a\u00a0b']) {
        assert.throws(() => serialize(new Element(name)), (e: unknown) => e instanceof XmppError && e.code === 'XML_INVALID_CHAR', name);
        assert.throws(() => serialize(new Element('a', { [name]: 'v' })), (e: unknown) => e instanceof XmppError && e.code === 'XML_INVALID_CHAR', name);
      }
      assert.equal(serialize(new Element('x:\u00e9-1.b', { 'xml:lang': 'en', '_a': '' })), "<x:\u00e9-1.b xml:lang='en' _a=''/>");
    });

    it('parseXml refuses the same names', () => {
      for (const text of ['<a:b:c/>', '<:a/>', '<a:/>', '<a:1/>', "<a b:c:d='1'/>", "<a :b='1'/>"]) assert.throws(() => parseXml(text), isCode('XML_MALFORMED'), text);
      assert.equal(parseXml("<x:\u00e9-1.b xmlns:x='u' xml:lang='en'/>").getName(), '\u00e9-1.b');
    });
  });
});
