/**
 * The parser's limits under the inputs the fuzz campaign makes at their extremes: a 50 MB attribute
 * ends with `XML_TOO_LARGE` before any of it is read (no out-of-memory), 100,000 levels of nesting
 * end with `XML_TOO_DEEP` at the limit (no stack overflow: the reader does not recurse, even with the
 * depth limit lifted), and a 50 MB BOSH body or JID ends the same way.
 */
import { strict as assert } from 'node:assert';
import { JidError, StanzaParseError } from '../../lib/errors.js';
import { parseJid } from '../../lib/stanzas/jid.js';
import { DEFAULT_MAX_XML_DEPTH, DEFAULT_MAX_XML_LENGTH, parseXml } from '../../lib/stanzas/xml.js';
import { parseBoshBody } from '../../lib/transport/bosh-body.js';

const MB50 = 50 * 1_048_576;
const isCode = (code: string) => (error: unknown): boolean => error instanceof StanzaParseError && error.code === code;

describe('fuzz: the limits hold at the extremes', function () {
  this.timeout(30_000);
  const huge = 'x'.repeat(MB50);

  it('a 50 MB attribute: XML_TOO_LARGE (default limit 1 MiB), as a BOSH body too', () => {
    assert.equal(DEFAULT_MAX_XML_LENGTH, 1_048_576);
    assert.throws(() => parseXml(`<a b='${huge}'/>`), isCode('XML_TOO_LARGE'));
    assert.throws(() => parseBoshBody(`<body xmlns='http://jabber.org/protocol/httpbind' b='${huge}'/>`), isCode('XML_TOO_LARGE'));
  });

  it('a 50 MB JID: JID_TOO_LONG', () => {
    assert.throws(() => parseJid(`${huge}@localhost`), (error: unknown) => error instanceof JidError && error.code === 'JID_TOO_LONG');
  });

  it('100,000 levels: XML_TOO_DEEP at the default limit (32), closed or not', () => {
    assert.equal(DEFAULT_MAX_XML_DEPTH, 32);
    assert.throws(() => parseXml('<a>'.repeat(100_000) + '</a>'.repeat(100_000)), isCode('XML_TOO_DEEP'));
    assert.throws(() => parseXml('<a>'.repeat(100_000)), isCode('XML_TOO_DEEP'));
  });

  it('100,000 levels with the depth limit lifted: read without a stack overflow', () => {
    const n = 100_000;
    let element = parseXml('<a>'.repeat(n) + '</a>'.repeat(n), { maxDepth: n, maxLength: 8 * n });
    let depth = 1;
    while (typeof element.children[0] === 'object') {
      element = element.children[0];
      depth++;
    }
    assert.equal(depth, n);
    assert.throws(() => parseXml('<a>'.repeat(n + 1) + '</a>'.repeat(n + 1), { maxDepth: n, maxLength: 8 * n + 8 }), isCode('XML_TOO_DEEP'));
  });
});
