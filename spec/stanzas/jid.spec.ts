import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { JidError } from '../../lib/errors.js';
import { bareJid, buildJid, escapeLocal, fullJid, isJid, jidEquals, parseJid, toBareJid, unescapeLocal } from '../../lib/stanzas/jid.js';
import { jidDomain, jidLocal, jidResource } from '../support/arbitraries.js';

const jidError = (code: string) => (e: unknown) => e instanceof JidError && e.code === code;

describe('stanzas/jid (RFC 7622, XEP-0106)', () => {
  describe('golden: RFC 7622 §3.5 examples', () => {
    const valid: [string, string, string, string][] = [
      ['juliet@example.com', 'juliet', 'example.com', ''],
      ['juliet@example.com/foo', 'juliet', 'example.com', 'foo'],
      ['juliet@example.com/foo bar', 'juliet', 'example.com', 'foo bar'],
      ['juliet@example.com/foo@bar', 'juliet', 'example.com', 'foo@bar'],
      ['foo\\20bar@example.com', 'foo\\20bar', 'example.com', ''],
      ['fussball@example.com', 'fussball', 'example.com', ''],
      ['fußball@example.com', 'fußball', 'example.com', ''],
      ['π@example.com', 'π', 'example.com', ''],
      ['Σ@example.com/foo', 'σ', 'example.com', 'foo'],
      ['σ@example.com/foo', 'σ', 'example.com', 'foo'],
      ['ς@example.com/foo', 'ς', 'example.com', 'foo'],
      ['king@example.com/♚', 'king', 'example.com', '♚'],
      ['example.com', '', 'example.com', ''],
      ['example.com/foobar', '', 'example.com', 'foobar'],
      ['a.example.com/b@example.net', '', 'a.example.com', 'b@example.net'],
      ['Juliet@Example.COM./Balcony', 'juliet', 'example.com', 'Balcony'],
      ['x@[::1]', 'x', '[::1]', ''],
      ['x@127.0.0.1', 'x', '127.0.0.1', ''],
    ];
    for (const [text, local, domain, resource] of valid) {
      it(`parses ${text}`, () => assert.deepEqual(parseJid(text), { local, domain, resource }));
    }

    const invalid: [string, string][] = [
      ['"juliet"@example.com', 'JID_INVALID_CHAR'],
      ['foo bar@example.com', 'JID_INVALID_CHAR'],
      ['@example.com/', 'JID_EMPTY'],
      ['♚@example.com', 'JID_INVALID_CHAR'],
      ['juliet@', 'JID_EMPTY'],
      ['juliet@example.com/', 'JID_EMPTY'],
      ['', 'JID_EMPTY'],
      ['a@b@c', 'JID_INVALID_CHAR'],
      ['juliet@exa mple.com', 'JID_INVALID_CHAR'],
      ['juliet@example..com', 'JID_INVALID_CHAR'],
      ['juliet@-example.com', 'JID_INVALID_CHAR'],
      ['a\u0000b@example.com', 'JID_INVALID_CHAR'],
      ['a@example.com/x\u0007', 'JID_INVALID_CHAR'],
      [`${'a'.repeat(1024)}@example.com`, 'JID_TOO_LONG'],
      [`a@example.com/${'é'.repeat(512)}`, 'JID_TOO_LONG'],
      [`a@${'b'.repeat(64)}.com`, 'JID_TOO_LONG'],
    ];
    for (const [text, code] of invalid) {
      it(`refuses ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)} with ${code}`, () => {
        assert.throws(() => parseJid(text), jidError(code));
        assert.equal(isJid(text), false);
      });
    }

    it('bare, full, equality', () => {
      const jid = parseJid('Alice@Localhost/Phone');
      assert.equal(bareJid(jid), 'alice@localhost');
      assert.equal(fullJid(jid), 'alice@localhost/Phone');
      assert.equal(toBareJid('Alice@Localhost/Phone'), 'alice@localhost');
      assert.ok(jidEquals('ALICE@localhost/Phone', 'alice@LOCALHOST/Phone'));
      assert.ok(!jidEquals('alice@localhost/Phone', 'alice@localhost/phone'));
      assert.ok(jidEquals('alice@localhost/Phone', 'alice@localhost/phone', true));
      assert.ok(!jidEquals('bad@', 'bad@'));
    });
  });

  describe('golden: XEP-0106 §5 examples', () => {
    const table: [string, string][] = [
      ['space cadet', 'space\\20cadet'],
      ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
      ['at&t guy', 'at\\26t\\20guy'],
      ["d'artagnan", 'd\\27artagnan'],
      ['/.fanboy', '\\2f.fanboy'],
      ['::foo::', '\\3a\\3afoo\\3a\\3a'],
      ['<foo>', '\\3cfoo\\3e'],
      ['user@host', 'user\\40host'],
      ['c:\\net', 'c\\3a\\net'],
      ['c:\\\\net', 'c\\3a\\\\net'],
      ['c:\\cool stuff', 'c\\3a\\cool\\20stuff'],
      ['c:\\5commas', 'c\\3a\\5c5commas'],
    ];
    for (const [identifier, escaped] of table) {
      it(`${identifier} <-> ${escaped}`, () => {
        assert.equal(escapeLocal(identifier), escaped);
        assert.equal(unescapeLocal(escaped), identifier);
        assert.equal(parseJid(`${escaped}@example.com`).local, escaped.toLowerCase());
      });
    }
    it('refuses identifiers that are empty or start or end with a space', () => {
      assert.throws(() => escapeLocal(''), jidError('JID_EMPTY'));
      assert.throws(() => escapeLocal(' x'), jidError('JID_MALFORMED'));
      assert.throws(() => escapeLocal('x '), jidError('JID_MALFORMED'));
    });
  });

  describe('round trip', () => {
    it('parseJid(buildJid(v)) deep-equals v for normalized parts', () => {
      const parts = fc.record({
        local: fc.oneof(fc.constant(''), jidLocal),
        domain: jidDomain,
        resource: fc.oneof(fc.constant(''), jidResource),
      }, { noNullPrototype: true });
      fc.assert(fc.property(parts, (v) => assert.deepEqual(parseJid(buildJid(v)), v)));
    });

    it('unescapeLocal(escapeLocal(s)) === s, and the escaped form is a valid local part', () => {
      const identifier = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...'ab \\"&\'/:<>@20c5'.split('')) })
        .filter((s) => !s.startsWith(' ') && !s.endsWith(' '));
      fc.assert(fc.property(identifier, (s) => {
        const escaped = escapeLocal(s);
        assert.equal(unescapeLocal(escaped), s);
        assert.equal(parseJid(`${escaped}@example.com`).local, escaped);
      }));
    });
  });

  describe('random input', () => {
    it('parseJid only returns or throws JidError', () => {
      fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('@', '/', '@/', 'a@/', '/a', '[', 'a@[')), (text) => {
        try {
          const jid = parseJid(text);
          assert.equal(parseJid(fullJid(jid)).domain, jid.domain);
        } catch (error) {
          assert.ok(error instanceof JidError, String(error));
        }
      }), { numRuns: 2000 });
    });
  });
});
