import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element, parse as ltxParse } from 'ltx';
import { StanzaParseError, XmppError } from '../../lib/errors.js';
import { DEFAULT_MAX_XML_DEPTH, escapeAttr, escapeText, parseXml, serialize } from '../../lib/stanzas/xml.js';
import { xmlName, xmlText } from '../support/arbitraries.js';
import { allRealTexts } from '../support/fixtures.js';
import { mutatedText, randomElement } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const parseError = (code: string) => (e: unknown) => e instanceof StanzaParseError && e.code === code;

describe('stanzas/xml (RFC 6120 §11)', () => {
  describe('golden', () => {
    it('parses every real-server stanza the way ltx does', () => {
      for (const text of allRealTexts()) assertXmlEqual(parseXml(text), ltxParse(text) as Element);
    });

    it('keeps text, CDATA, predefined entities and character references', () => {
      const el = parseXml("<?xml version='1.0'?><a x='&lt;&amp;&#x41;'>1 &amp; 2<![CDATA[<b>]]>&#128172;</a>");
      assert.equal(el.attrs.x, '<&A');
      assert.equal(el.getText(), '1 & 2<b>💬');
    });

    it('keeps the text that follows a CDATA section (which the ltx tokenizer alone drops)', () => {
      assert.deepEqual(parseXml('<a>x<![CDATA[<c>&]]>y<![CDATA[]]>z</a>').getText(), 'x<c>&yz');
      assert.throws(() => parseXml('<a><![CDATA[x</a>'), parseError('XML_MALFORMED'));
    });

    it('rejects comments and processing instructions, but not the XML declaration (RFC 6120 §11.1)', () => {
      assert.throws(() => parseXml('<a>x<!--c-->y</a>'), parseError('XML_RESTRICTED'));
      assert.throws(() => parseXml('<a>x<?pi?>y</a>'), parseError('XML_RESTRICTED'));
      assert.equal(parseXml("<?xml version='1.0' encoding='UTF-8'?><a/>").name, 'a');
    });

    it('rejects DTDs and entity declarations (RFC 6120 §11.1)', () => {
      const bomb = "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]><lolz>&lol2;</lolz>";
      assert.throws(() => parseXml(bomb), parseError('XML_RESTRICTED'));
      assert.throws(() => parseXml("<a><!ENTITY x 'y'></a>"), parseError('XML_RESTRICTED'));
      assert.throws(() => parseXml("<a><!ELEMENT a ANY></a>"), parseError('XML_RESTRICTED'));
    });

    it('rejects unknown entities, mismatched tags, several roots, text outside the root, no root', () => {
      for (const bad of ['<a>&nbsp;</a>', '<a><b></a></b>', '<a></b>', '<a/><b/>', 'x<a/>', '', '<a>', '<a><b/>', '   ']) {
        assert.throws(() => parseXml(bad), parseError('XML_MALFORMED'), bad);
      }
    });

    it('caps the input size', () => {
      assert.throws(() => parseXml(`<a>${'x'.repeat(2000)}</a>`, { maxLength: 1000 }), parseError('XML_TOO_LARGE'));
      assert.equal(parseXml(`<a>${'x'.repeat(990)}</a>`, { maxLength: 1000 }).getText().length, 990);
    });

    it('caps the depth: the default limit passes, one more fails', () => {
      const nested = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
      assert.equal(parseXml(nested(DEFAULT_MAX_XML_DEPTH)).name, 'a');
      assert.throws(() => parseXml(nested(DEFAULT_MAX_XML_DEPTH + 1)), parseError('XML_TOO_DEEP'));
      assert.throws(() => parseXml(nested(100_000)), parseError('XML_TOO_DEEP'));
      assert.throws(() => parseXml(nested(3), { maxDepth: 2 }), parseError('XML_TOO_DEEP'));
    });

    it('serializes with single-quoted attributes, escaping what must be escaped', () => {
      const el = new Element('a', { x: `'"<&>\t\n\r`, y: undefined });
      el.t('<&>\r\n"\'');
      assert.equal(serialize(el), "<a x='&apos;&quot;&lt;&amp;&gt;&#9;&#10;&#13;'>&lt;&amp;&gt;&#13;\n\"'</a>");
    });

    it('refuses characters XML cannot carry, and keeps surrogate pairs', () => {
      for (const bad of ['\u0000', '\u0008', '\u001F', '\uFFFE', '\uFFFF', '\uD800', 'a\uDC00b']) {
        assert.throws(() => escapeText(bad), (e: unknown) => e instanceof XmppError && e.code === 'XML_INVALID_CHAR');
        assert.throws(() => escapeAttr(bad), (e: unknown) => e instanceof XmppError && e.code === 'XML_INVALID_CHAR');
      }
      assert.equal(escapeText('💬'), '💬');
      assert.throws(() => serialize(new Element('a').t('\u0001')), XmppError);
    });
  });

  describe('round trip', () => {
    it('parseXml(serialize(tree)) equals the tree, for any text and attributes', () => {
      fc.assert(fc.property(fc.dictionary(xmlName, xmlText(), { maxKeys: 4, noNullPrototype: true }), xmlText(40), (attrs, text) => {
        const el = new Element('root', attrs);
        el.c('child', { k: text }).t(text);
        if (text !== '') el.t(text);
        const back = parseXml(serialize(el));
        assert.deepEqual({ ...back.attrs }, attrs);
        assert.equal(back.getChild('child')?.attrs.k, text);
        assert.equal(back.getChild('child')?.getText(), text);
        assert.equal(back.getText(), text);
      }));
    });

    it('serialize(parseXml(serialize(t))) is stable for random trees', () => {
      fc.assert(fc.property(randomElement(['a', 'b', 'c'], ['urn:x', 'urn:y']), (tree) => {
        const once = serialize(tree);
        assert.equal(serialize(parseXml(once, { maxDepth: 1000 })), once);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseXml only returns or throws StanzaParseError', () => {
      fc.assert(fc.property(fc.oneof(mutatedText(allRealTexts()), fc.string(), fc.string({ unit: 'binary' })), (text) => {
        try {
          parseXml(text);
        } catch (error) {
          assert.ok(error instanceof StanzaParseError, `${(error as Error).name}: ${(error as Error).message}`);
        }
      }), { numRuns: 2000 });
    });
  });
});
