import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { StanzaError, StanzaParseError, type StanzaErrorCondition, type StanzaErrorType } from '../../lib/errors.js';
import { buildIq, buildIqError, buildIqGet, buildIqResult, buildIqSet, parseIq } from '../../lib/stanzas/iq.js';
import { buildStanzaError, parseStanzaError, STANZA_ERROR_CONDITIONS, STANZA_ERROR_TYPES, toStanzaError } from '../../lib/stanzas/stanza-error.js';
import { NS_CLIENT, NS_STANZAS } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, fullJid, stanzaId, xmlName, xmlText } from '../support/arbitraries.js';
import { allRealTexts, realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

describe('stanzas/iq and stanza-error (RFC 6120 §8)', () => {
  describe('golden', () => {
    it('builds RFC 6120 §8.2.3 Example (roster get) and reads its result', () => {
      assertXmlEqual(buildIqGet('rg1', undefined, new Element('query', { xmlns: 'jabber:iq:roster' })),
        "<iq xmlns='jabber:client' id='rg1' type='get'><query xmlns='jabber:iq:roster'/></iq>");
      const result = parseIq(parseXml("<iq id='rg1' to='juliet@example.com/balcony' type='result'><query xmlns='jabber:iq:roster'/></iq>"));
      assert.equal(result.type, 'result');
      assert.equal(result.id, 'rg1');
      assert.equal(result.to, 'juliet@example.com/balcony');
      assert.equal(result.from, undefined);
      assert.equal(result.payload?.getNS(), 'jabber:iq:roster');
    });

    it('builds the error of RFC 6120 §8.3.1 Example 1 and reads it back', () => {
      const request = parseIq(buildIqSet('xyz', 'example.com', new Element('bind', { xmlns: 'urn:ietf:params:xml:ns:xmpp-bind' })));
      const reply = buildIqError({ ...request, from: 'juliet@im.example.com/balcony' }, {
        type: 'modify', condition: 'bad-request', text: '', applicationCondition: '', by: '',
      });
      assertXmlEqual(reply, "<iq xmlns='jabber:client' id='xyz' to='juliet@im.example.com/balcony' type='error'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    });

    it("reads the servers' error answers, including ejabberd's echoed payload", () => {
      const prosody = parseIq(realStanza('IBR duplicate username error', 'prosody'));
      assert.deepEqual(prosody.error, { type: 'cancel', condition: 'conflict', text: 'The requested username already exists.', applicationCondition: '', by: '' });
      assert.equal(prosody.payload, undefined);
      const ejabberd = parseIq(realStanza('IBR duplicate username error', 'ejabberd'));
      assert.deepEqual(ejabberd.error, { type: 'cancel', condition: 'conflict', text: 'User already exists', applicationCondition: '', by: '' });
      assert.equal(ejabberd.payload?.getNS(), 'jabber:iq:register');
      const tooLarge = parseIq(realStanza('upload slot too large (50 MiB)', 'ejabberd'));
      assert.equal(tooLarge.error?.condition, 'not-acceptable');
      assert.equal(tooLarge.error?.applicationCondition, 'file-too-large');
    });

    it('parses every real IQ of both servers', () => {
      let count = 0;
      for (const text of allRealTexts()) {
        const el = parseXml(text);
        if (el.name !== 'iq') continue;
        const iq = parseIq(el);
        assert.equal(iq.id, el.attrs.id);
        count++;
      }
      assert.ok(count > 60, `only ${count} IQs`);
    });

    it('reads gone/redirect addresses and tolerates unknown conditions and types', () => {
      const gone = parseStanzaError(parseXml(`<error type='cancel'><gone xmlns='${NS_STANZAS}'>xmpp:romeo@afterlife.example.net</gone></error>`));
      assert.equal(gone.by, 'xmpp:romeo@afterlife.example.net');
      assert.equal(gone.condition, 'gone');
      const odd = parseStanzaError(parseXml(`<error type='odd'><frobnicated xmlns='${NS_STANZAS}'/></error>`));
      assert.deepEqual(odd, { type: 'cancel', condition: 'undefined-condition', text: '', applicationCondition: '', by: '' });
      const error = toStanzaError(parseXml(`<error type='auth'><forbidden xmlns='${NS_STANZAS}'/><text xmlns='${NS_STANZAS}'>no</text></error>`));
      assert.ok(error instanceof StanzaError);
      assert.equal(error.code, 'STANZA_ERROR');
      assert.equal(error.message, 'forbidden: no');
    });

    it('refuses IQs without id, with an unknown type, an error without <error/>, or a get without payload', () => {
      const code = (c: string) => (e: unknown) => e instanceof StanzaParseError && e.code === c;
      assert.throws(() => parseIq(parseXml("<iq type='get'/>")), code('STANZA_MISSING_PART'));
      assert.throws(() => parseIq(parseXml("<iq id='1' type='fetch'/>")), code('STANZA_INVALID_VALUE'));
      assert.throws(() => parseIq(parseXml("<iq id='1' type='error'/>")), code('STANZA_MISSING_PART'));
      assert.throws(() => parseIq(parseXml("<message id='1'/>")), code('STANZA_UNEXPECTED'));
      assert.throws(() => parseIq(parseXml("<iq xmlns='urn:other' id='1' type='result'/>")), code('STANZA_UNEXPECTED'));
      assert.throws(() => buildIq({ type: 'get', id: '1' }), code('STANZA_MISSING_PART'));
      assert.throws(() => buildIq({ type: 'error', id: '1' }), code('STANZA_MISSING_PART'));
    });
  });

  describe('round trip', () => {
    const details = fc.record({
      type: fc.constantFrom<StanzaErrorType>(...STANZA_ERROR_TYPES),
      condition: fc.constantFrom<StanzaErrorCondition>(...STANZA_ERROR_CONDITIONS),
      text: xmlText(),
      applicationCondition: fc.oneof(fc.constant(''), xmlName),
      by: fc.constant(''),
    }, { noNullPrototype: true });

    it('parseStanzaError(buildStanzaError(v)) deep-equals v', () => {
      fc.assert(fc.property(details, (v) => assert.deepEqual(parseStanzaError(throughText(buildStanzaError(v))), v)));
    });

    it('parseIq(buildIq(v)) keeps type, id, addresses, payload and error', () => {
      const init = fc.record({
        type: fc.constantFrom('get', 'set', 'result', 'error') as fc.Arbitrary<'get' | 'set' | 'result' | 'error'>,
        id: stanzaId,
        to: fc.option(fullJid, { nil: undefined }),
        from: fc.option(bareJid, { nil: undefined }),
        error: details,
        payloadName: xmlName,
      }, { noNullPrototype: true });
      fc.assert(fc.property(init, (v) => {
        const payload = new Element(v.payloadName, { xmlns: 'urn:example:payload' });
        const withPayload = v.type !== 'result' || v.payloadName.length % 2 === 0;
        const iq = parseIq(throughText(buildIq({
          type: v.type, id: v.id,
          ...(v.to !== undefined ? { to: v.to } : {}),
          ...(v.from !== undefined ? { from: v.from } : {}),
          ...(withPayload ? { payload } : {}),
          ...(v.type === 'error' ? { error: v.error } : {}),
        })));
        assert.equal(iq.type, v.type);
        assert.equal(iq.id, v.id);
        assert.equal(iq.to, v.to);
        assert.equal(iq.from, v.from);
        assert.equal(iq.payload?.name, withPayload ? v.payloadName : undefined);
        assert.deepEqual(iq.error, v.type === 'error' ? v.error : undefined);
      }));
    });

    it('results and errors answer the request: same id, back to the sender', () => {
      fc.assert(fc.property(stanzaId, fullJid, (id, from) => {
        const request = parseIq(buildIq({ type: 'get', id, from, payload: new Element('ping', { xmlns: 'urn:xmpp:ping' }) }));
        const result = parseIq(throughText(buildIqResult(request)));
        assert.deepEqual([result.type, result.id, result.to], ['result', id, from]);
        assert.equal(throughText(buildIqResult(request)).attrs.xmlns, NS_CLIENT);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseIq only returns or throws StanzaParseError', () => {
      fuzzParser(parseIq, { names: ['iq', 'error', 'text', 'query', 'bad-request'], namespaces: [NS_CLIENT, NS_STANZAS, 'jabber:server'], attrs: ['id', 'type', 'to', 'from'] });
    });
    it('parseStanzaError only returns or throws StanzaParseError', () => {
      fuzzParser(parseStanzaError, { names: ['error', 'text', 'gone', 'redirect', 'conflict'], namespaces: [NS_STANZAS], attrs: ['type'] });
    });
  });
});
