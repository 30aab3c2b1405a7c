import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaParseError } from '../../lib/errors.js';
import { NS_SM, NS_STANZAS } from '../../lib/stanzas/ns.js';
import { STANZA_ERROR_CONDITIONS } from '../../lib/stanzas/stanza-error.js';
import {
  SM_MAX_COUNTER, buildSmAck, buildSmEnable, buildSmEnabled, buildSmFailed, buildSmRequest, buildSmResume, buildSmResumed,
  buildStreamManagement, parseStreamManagement, smCounterAdd, smCounterDiff, type StreamManagementMessage,
} from '../../lib/stanzas/stream-management.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { xmlText } from '../support/arbitraries.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const read = (xml: string): StreamManagementMessage => parseStreamManagement(parseXml(xml));
const isCode = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;

describe('stanzas/stream-management (XEP-0198)', () => {
  // Checked against the text of XEP-0198 v1.5.2 (2016-12-08); the examples quoted here are that text's.
  describe('golden fixtures (XEP-0198 examples)', () => {
    it('§3 enabling: enable, enabled, failed before binding', () => {
      assertXmlEqual(buildSmEnable(), "<enable xmlns='urn:xmpp:sm:3'/>");
      assert.deepEqual(read("<enable xmlns='urn:xmpp:sm:3'/>"), { kind: 'enable', resume: false });
      assertXmlEqual(buildSmEnabled({}), "<enabled xmlns='urn:xmpp:sm:3'/>");
      assert.deepEqual(read("<enabled xmlns='urn:xmpp:sm:3'/>"), { kind: 'enabled', resume: false });
      const failed = `<failed xmlns='urn:xmpp:sm:3'>
     <unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
   </failed>`;
      assert.deepEqual(read(failed), { kind: 'failed', condition: 'unexpected-request', text: '' });
      assertXmlEqual(buildSmFailed({ condition: 'unexpected-request' }), failed);
    });

    it('§4 acking: r and a', () => {
      assertXmlEqual(buildSmRequest(), "<r xmlns='urn:xmpp:sm:3'/>");
      assert.deepEqual(read("<r xmlns='urn:xmpp:sm:3'/>"), { kind: 'r' });
      assertXmlEqual(buildSmAck(1), "<a xmlns='urn:xmpp:sm:3' h='1'/>");
      assert.deepEqual(read("<a xmlns='urn:xmpp:sm:3' h='1'/>"), { kind: 'a', h: 1 });
    });

    it('§5 resumption: enable resume, enabled with id, max and location', () => {
      assertXmlEqual(buildSmEnable({ resume: true }), "<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
      assert.deepEqual(read("<enable xmlns='urn:xmpp:sm:3' resume='true'/>"), { kind: 'enable', resume: true });
      assertXmlEqual(buildSmEnabled({ id: 'some-long-sm-id', resume: true }), "<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true'/>");
      assert.deepEqual(read("<enabled xmlns='urn:xmpp:sm:3' id='some-long-sm-id' resume='true'/>"), { kind: 'enabled', id: 'some-long-sm-id', resume: true });
      const located = `<enabled xmlns='urn:xmpp:sm:3'
            id='some-long-sm-id'
            location='[2001:41D0:1:A49b::1]:9222'
            resume='true'/>`;
      assert.deepEqual(read(located), { kind: 'enabled', id: 'some-long-sm-id', location: '[2001:41D0:1:A49b::1]:9222', resume: true });
      assertXmlEqual(buildSmEnabled({ id: 'some-long-sm-id', location: '[2001:41D0:1:A49b::1]:9222', resume: true }), located);
      assert.deepEqual(read("<enable xmlns='urn:xmpp:sm:3' resume='1' max='300'/>"), { kind: 'enable', resume: true, max: 300 });
      assert.deepEqual(read("<enabled xmlns='urn:xmpp:sm:3' id='x' resume='1' max='600'/>"), { kind: 'enabled', id: 'x', resume: true, max: 600 });
    });

    it('§5 resumption: the XEP examples write placeholders for h, which are not unsignedInt and are refused', () => {
      const resume = `<resume xmlns='urn:xmpp:sm:3'
        h='some-sequence-number'
        previd='some-long-sm-id'/>`;
      const resumed = `<resumed xmlns='urn:xmpp:sm:3'
         h='another-sequence-number'
         previd='some-long-sm-id'/>`;
      const timedOut = `<failed xmlns='urn:xmpp:sm:3'
        h='another-sequence-number'>
  <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
</failed>`;
      for (const example of [resume, resumed, timedOut]) assert.throws(() => read(example), isCode('STANZA_INVALID_VALUE'), example);
      // The same examples with numbers for h:
      assert.deepEqual(read(resume.replace('some-sequence-number', '4')), { kind: 'resume', h: 4, previd: 'some-long-sm-id' });
      assert.deepEqual(read(resumed.replace('another-sequence-number', '7')), { kind: 'resumed', h: 7, previd: 'some-long-sm-id' });
      assert.deepEqual(read(timedOut.replace('another-sequence-number', '7')), { kind: 'failed', condition: 'item-not-found', text: '', h: 7 });
    });

    it('§5 resumption: resume, resumed, failed with h (numbers in place of the placeholders)', () => {
      assertXmlEqual(buildSmResume(4, 'some-long-sm-id'), "<resume xmlns='urn:xmpp:sm:3' h='4' previd='some-long-sm-id'/>");
      assert.deepEqual(read("<resume xmlns='urn:xmpp:sm:3' h='4' previd='some-long-sm-id'/>"), { kind: 'resume', h: 4, previd: 'some-long-sm-id' });
      assertXmlEqual(buildSmResumed(7, 'some-long-sm-id'), "<resumed xmlns='urn:xmpp:sm:3' h='7' previd='some-long-sm-id'/>");
      assert.deepEqual(read("<resumed xmlns='urn:xmpp:sm:3' h='7' previd='some-long-sm-id'/>"), { kind: 'resumed', h: 7, previd: 'some-long-sm-id' });
      const failed = `<failed xmlns='urn:xmpp:sm:3'
          h='7'>
     <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
   </failed>`;
      assert.deepEqual(read(failed), { kind: 'failed', condition: 'item-not-found', text: '', h: 7 });
      assertXmlEqual(buildSmFailed({ condition: 'item-not-found', h: 7 }), failed);
    });

    it('§4 h is an unsigned 32-bit counter: 2^32 - 1 is read, 2^32 and non-numbers are refused', () => {
      assert.deepEqual(read(`<a xmlns='${NS_SM}' h='4294967295'/>`), { kind: 'a', h: SM_MAX_COUNTER });
      assert.deepEqual(read(`<a xmlns='${NS_SM}' h='0'/>`), { kind: 'a', h: 0 });
      for (const bad of ['4294967296', '-1', '1.5', '', 'x', '99999999999999999999']) {
        assert.throws(() => read(`<a xmlns='${NS_SM}' h='${bad}'/>`), isCode('STANZA_INVALID_VALUE'), bad);
      }
      for (const bad of [2 ** 32, -1, 1.5, Number.NaN]) {
        assert.throws(() => buildSmAck(bad), isCode('STANZA_INVALID_VALUE'), String(bad));
        assert.throws(() => buildSmResume(bad, 'x'), isCode('STANZA_INVALID_VALUE'), String(bad));
      }
    });

    it('§4 counter arithmetic wraps modulo 2^32', () => {
      assert.equal(smCounterAdd(SM_MAX_COUNTER, 1), 0);
      assert.equal(smCounterAdd(SM_MAX_COUNTER - 1, 3), 1);
      assert.equal(smCounterAdd(5, 2), 7);
      assert.equal(smCounterDiff(0, SM_MAX_COUNTER), 1);
      assert.equal(smCounterDiff(2, SM_MAX_COUNTER - 2), 5);
      assert.equal(smCounterDiff(10, 4), 6);
      fc.assert(fc.property(fc.nat({ max: SM_MAX_COUNTER }), fc.nat({ max: 2 ** 31 }), (h, n) => {
        const next = smCounterAdd(h, n);
        assert.ok(next >= 0 && next <= SM_MAX_COUNTER);
        assert.equal(smCounterDiff(next, h), n);
      }));
    });

    it('refuses missing parts, bad booleans, other namespaces and names', () => {
      assert.throws(() => read(`<a xmlns='${NS_SM}'/>`), isCode('STANZA_MISSING_PART'));
      assert.throws(() => read(`<resume xmlns='${NS_SM}' h='1'/>`), isCode('STANZA_MISSING_PART'));
      assert.throws(() => read(`<resumed xmlns='${NS_SM}' previd='x'/>`), isCode('STANZA_MISSING_PART'));
      assert.throws(() => read(`<enabled xmlns='${NS_SM}' resume='true'/>`), isCode('STANZA_MISSING_PART'));
      assert.throws(() => buildSmEnabled({ resume: true }), isCode('STANZA_MISSING_PART'));
      assert.throws(() => read(`<enable xmlns='${NS_SM}' resume='yes'/>`), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => read(`<enable xmlns='${NS_SM}' max='-5'/>`), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => read("<a xmlns='urn:xmpp:sm:2' h='1'/>"), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => read(`<sm xmlns='${NS_SM}'/>`), isCode('STANZA_UNEXPECTED'));
    });

    it('reads <failed/> without a known condition as undefined-condition, and its text', () => {
      assert.deepEqual(read(`<failed xmlns='${NS_SM}'/>`), { kind: 'failed', condition: 'undefined-condition', text: '' });
      assert.deepEqual(read(`<failed xmlns='${NS_SM}' h='3'><whatever xmlns='${NS_STANZAS}'/><text xmlns='${NS_STANZAS}'>gone</text></failed>`),
        { kind: 'failed', condition: 'undefined-condition', text: 'gone', h: 3 });
    });
  });

  describe('round trip', () => {
    const counter = fc.nat({ max: SM_MAX_COUNTER });
    const seconds = fc.nat({ max: 1_000_000 });
    const message: fc.Arbitrary<StreamManagementMessage> = fc.oneof(
      fc.record({ kind: fc.constant('enable' as const), resume: fc.boolean(), max: seconds }, { requiredKeys: ['kind', 'resume'], noNullPrototype: true }),
      fc.record({ kind: fc.constant('enabled' as const), id: xmlText(), resume: fc.constant(true), max: seconds, location: xmlText() }, { requiredKeys: ['kind', 'resume', 'id'], noNullPrototype: true }),
      fc.record({ kind: fc.constant('enabled' as const), id: xmlText(), resume: fc.constant(false), max: seconds, location: xmlText() }, { requiredKeys: ['kind', 'resume'], noNullPrototype: true }),
      fc.record({ kind: fc.constantFrom('resume' as const, 'resumed' as const), h: counter, previd: xmlText() }, { noNullPrototype: true }),
      fc.record({ kind: fc.constant('failed' as const), condition: fc.constantFrom(...STANZA_ERROR_CONDITIONS), text: xmlText(), h: counter }, { requiredKeys: ['kind', 'condition', 'text'], noNullPrototype: true }),
      fc.constant({ kind: 'r' as const }),
      fc.record({ kind: fc.constant('a' as const), h: counter }, { noNullPrototype: true }),
    );

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(message, (v) => {
        assert.deepEqual(parseStreamManagement(throughText(buildStreamManagement(v))), v);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('only returns or throws StanzaParseError', () => {
      fuzzParser(parseStreamManagement, {
        names: ['enable', 'enabled', 'resume', 'resumed', 'failed', 'r', 'a', 'text', 'item-not-found'],
        namespaces: [NS_SM, NS_STANZAS, 'urn:xmpp:sm:2'],
        attrs: ['h', 'previd', 'id', 'resume', 'max', 'location'],
        seeds: [`<enabled xmlns='${NS_SM}' id='x' resume='true' max='300'/>`, `<failed xmlns='${NS_SM}' h='3'><item-not-found xmlns='${NS_STANZAS}'/></failed>`],
      });
    });
  });
});
