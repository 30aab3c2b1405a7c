import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaParseError, StreamError } from '../../lib/errors.js';
import { NS_FRAMING, NS_STREAM, NS_STREAMS_ERRORS } from '../../lib/stanzas/ns.js';
import {
  STREAM_ERROR_CONDITIONS, buildClose, buildOpen, buildStreamErrorElement, isStreamElement, isStreamErrorElement, parseClose, parseOpen,
  parseStreamError, toStreamError, type StreamErrorInfo, type StreamOpen,
} from '../../lib/stanzas/stream.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { jidDomain, xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isCode = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;

describe('stanzas/stream (RFC 7395 framing, RFC 6120 §4.9 stream errors)', () => {
  describe('golden fixtures', () => {
    it('builds and reads the RFC 7395 §3.4 opening handshake', () => {
      const client = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing"
             to="example.com"
             version="1.0" />`;
      assertXmlEqual(buildOpen({ to: 'example.com' }), client);
      assert.deepEqual(parseOpen(parseXml(client)), { to: 'example.com', version: '1.0' });
      const server = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing"
             from="example.com"
             id="++TR84Sm6A3hnt3Q065SnAbbk3Y="
             xml:lang="en"
             version="1.0" />`;
      assertXmlEqual(buildOpen({ from: 'example.com', id: '++TR84Sm6A3hnt3Q065SnAbbk3Y=', lang: 'en' }), server);
      assert.deepEqual(parseOpen(parseXml(server)), { from: 'example.com', id: '++TR84Sm6A3hnt3Q065SnAbbk3Y=', lang: 'en', version: '1.0' });
    });

    it('reads an open without version as 0.9 (RFC 6120 §4.7.5)', () => {
      assert.deepEqual(parseOpen(parseXml(`<open xmlns='${NS_FRAMING}' to='example.com'/>`)), { to: 'example.com', version: '0.9' });
    });

    it('builds and reads the RFC 7395 §3.6 close, and the §3.6.1 see-other-uri redirect', () => {
      const close = '<close xmlns="urn:ietf:params:xml:ns:xmpp-framing" />';
      assertXmlEqual(buildClose(), close);
      assert.deepEqual(parseClose(parseXml(close)), {});
      const redirect = `<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"
              see-other-uri="wss://otherendpoint.example/xmpp-bind" />`;
      assertXmlEqual(buildClose('wss://otherendpoint.example/xmpp-bind'), redirect);
      assert.deepEqual(parseClose(parseXml(redirect)), { seeOtherUri: 'wss://otherendpoint.example/xmpp-bind' });
      assert.throws(() => parseClose(parseXml(`<close xmlns='${NS_FRAMING}' see-other-uri=''/>`)), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => buildClose(''), isCode('STANZA_INVALID_VALUE'));
    });

    it('refuses open and close outside the framing namespace', () => {
      assert.throws(() => parseOpen(parseXml(`<open xmlns='jabber:client'/>`)), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseOpen(parseXml(`<close xmlns='${NS_FRAMING}'/>`)), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseClose(parseXml(`<close/>`)), isCode('STANZA_UNEXPECTED'));
    });

    it('reads the RFC 7395 §3.3.3 stream error frame (unprefixed form); builds the declared-prefix form §3.3.3 also allows', () => {
      // RFC 7395 §3.3.3 (§3.5, Stream Errors, has no example): a frame has no parent declaring the
      // stream prefix, "and thus the stream prefix MUST be declared or use an unprefixed form".
      const error = `<error xmlns="http://etherx.jabber.org/streams">
  <host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>
</error>`;
      assert.deepEqual(parseStreamError(parseXml(error)), { condition: 'host-unknown', text: '' });
      // Not the example's form: buildStreamErrorElement declares the prefix (<stream:error xmlns:stream=.../>),
      // the other form §3.3.3 allows. Both read back the same.
      const built = buildStreamErrorElement('host-unknown');
      assertXmlEqual(built, `<stream:error xmlns:stream='${NS_STREAM}'><host-unknown xmlns='${NS_STREAMS_ERRORS}'/></stream:error>`);
      assert.deepEqual(parseStreamError(throughText(built)), parseStreamError(parseXml(error)));
    });

    it('reads the RFC 6120 §4.9.3.19 see-other-host example (host trimmed of white space)', () => {
      const error = parseXml(`<stream:error>
        <see-other-host
            xmlns='urn:ietf:params:xml:ns:xmpp-streams'>
          [2001:41D0:1:A49b::1]:9222
        </see-other-host>
      </stream:error>`);
      assert.deepEqual(parseStreamError(error), { condition: 'see-other-host', text: '', seeOtherHost: '[2001:41D0:1:A49b::1]:9222' });
      assertXmlEqual(buildStreamErrorElement('see-other-host', undefined, '[2001:41D0:1:A49b::1]:9222'),
        `<stream:error xmlns:stream='${NS_STREAM}'><see-other-host xmlns='${NS_STREAMS_ERRORS}'>[2001:41D0:1:A49b::1]:9222</see-other-host></stream:error>`);
    });

    it('reads the RFC 6120 §4.9.4 example: text kept, application-specific condition ignored', () => {
      const error = parseXml(`<stream:error>
     <not-well-formed
         xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>
     <text xml:lang='en' xmlns='urn:ietf:params:xml:ns:xmpp-streams'>
       Some special application diagnostic information!
     </text>
     <escape-your-data xmlns='http://example.org/ns'/>
   </stream:error>`);
      assert.deepEqual(parseStreamError(error), {
        condition: 'not-well-formed',
        text: '\n       Some special application diagnostic information!\n     ',
      });
    });

    it('reads the RFC 6120 §4.9.3 conditions, each alone in <stream:error/>', () => {
      assert.equal(STREAM_ERROR_CONDITIONS.length, 25);
      for (const condition of STREAM_ERROR_CONDITIONS) {
        if (condition === 'see-other-host') continue;
        const error = parseXml(`<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`);
        assert.deepEqual(parseStreamError(error), { condition, text: '' });
      }
    });

    it("reads RFC 3920's xml-not-well-formed as not-well-formed, unknown or missing conditions as undefined-condition", () => {
      const read = (inner: string): StreamErrorInfo => parseStreamError(parseXml(`<stream:error xmlns:stream='${NS_STREAM}'>${inner}</stream:error>`));
      assert.deepEqual(read(`<xml-not-well-formed xmlns='${NS_STREAMS_ERRORS}'/>`), { condition: 'not-well-formed', text: '' });
      assert.deepEqual(read(`<made-up xmlns='${NS_STREAMS_ERRORS}'/><text xmlns='${NS_STREAMS_ERRORS}'>why</text>`), { condition: 'undefined-condition', text: 'why' });
      assert.deepEqual(read(''), { condition: 'undefined-condition', text: '' });
      assert.deepEqual(read(`<conflict xmlns='urn:example:not-streams'/>`), { condition: 'undefined-condition', text: '' });
    });

    it('accepts <error xmlns=stream-ns/>; refuses other elements, and see-other-host without a host', () => {
      assert.deepEqual(parseStreamError(parseXml(`<error xmlns='${NS_STREAM}'><reset xmlns='${NS_STREAMS_ERRORS}'/></error>`)), { condition: 'reset', text: '' });
      assert.throws(() => parseStreamError(parseXml(`<error xmlns='jabber:client'/>`)), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseStreamError(parseXml(`<stream:error xmlns:stream='urn:example'/>`)), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseStreamError(parseXml(`<stream:error><see-other-host xmlns='${NS_STREAMS_ERRORS}'> </see-other-host></stream:error>`)), isCode('STANZA_MISSING_PART'));
      assert.throws(() => buildStreamErrorElement('see-other-host'), isCode('STANZA_MISSING_PART'));
      assert.throws(() => buildStreamErrorElement('conflict', '', 'example.net'), isCode('STANZA_INVALID_VALUE'));
      assert.equal(isStreamErrorElement(parseXml(`<stream:error xmlns:stream='${NS_STREAM}'/>`)), true);
      assert.equal(isStreamErrorElement(parseXml(`<error xmlns='jabber:client'/>`)), false);
      assert.equal(isStreamElement(parseXml(`<x:features xmlns:x='${NS_STREAM}'/>`), 'features'), true);
    });

    it('reads the RFC 6120 §4.9.3.3 conflict example', () => {
      const error = parseXml(`<stream:error>
     <conflict 
         xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>
   </stream:error>`);
      assert.deepEqual(parseStreamError(error), { condition: 'conflict', text: '' });
    });

    it('toStreamError gives the StreamError to throw (a conflict with a text; not an RFC example)', () => {
      const error = toStreamError(parseXml(`<stream:error xmlns:stream='${NS_STREAM}'><conflict xmlns='${NS_STREAMS_ERRORS}'/><text xmlns='${NS_STREAMS_ERRORS}'>Replaced by new connection</text></stream:error>`));
      assert.ok(error instanceof StreamError);
      assert.equal(error.code, 'STREAM_ERROR');
      assert.equal(error.condition, 'conflict');
      assert.equal(error.text, 'Replaced by new connection');
      assert.equal(error.message, 'conflict: Replaced by new connection');
      assert.equal(error.seeOtherHost, '');
      const moved = toStreamError(parseXml(`<stream:error xmlns:stream='${NS_STREAM}'><see-other-host xmlns='${NS_STREAMS_ERRORS}'>[2001:db8::1]:5222</see-other-host></stream:error>`));
      assert.equal(moved.condition, 'see-other-host');
      assert.equal(moved.seeOtherHost, '[2001:db8::1]:5222');
      assert.throws(() => toStreamError(parseXml('<features/>')), isCode('STANZA_UNEXPECTED'));
    });
  });

  describe('round trip', () => {
    it('parseOpen(buildOpen(v)) deep-equals v, through text', () => {
      const open: fc.Arbitrary<StreamOpen> = fc.record(
        { to: xmlText(), from: xmlText(), id: xmlText(), version: xmlText(4), lang: xmlText(6) },
        { requiredKeys: ['version'], noNullPrototype: true },
      );
      fc.assert(fc.property(open, (v) => {
        assert.deepEqual(parseOpen(throughText(buildOpen(v))), v);
      }));
      assert.equal(parseOpen(throughText(buildOpen({ to: 'a' }))).version, '1.0');
    });

    it('parseClose(buildClose(uri)) gives uri back, through text', () => {
      fc.assert(fc.property(fc.option(xmlTextNonEmpty(), { nil: undefined }), (uri) => {
        assert.deepEqual(parseClose(throughText(buildClose(uri))), uri === undefined ? {} : { seeOtherUri: uri });
      }));
    });

    it('parseStreamError(buildStreamErrorElement(v)) deep-equals v, through text', () => {
      const info: fc.Arbitrary<StreamErrorInfo> = fc.oneof(
        fc.record({ condition: fc.constantFrom(...STREAM_ERROR_CONDITIONS.filter((c) => c !== 'see-other-host')), text: xmlText() }, { noNullPrototype: true }),
        fc.record({ condition: fc.constant('see-other-host' as const), text: xmlText(), seeOtherHost: jidDomain }, { noNullPrototype: true }),
      );
      fc.assert(fc.property(info, (v) => {
        assert.deepEqual(parseStreamError(throughText(buildStreamErrorElement(v.condition, v.text, v.seeOtherHost))), v);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseOpen, parseClose, parseStreamError only return or throw StanzaParseError', () => {
      const vocabulary = {
        names: ['open', 'close', 'stream:error', 'error', 'text', 'see-other-host', 'conflict'],
        namespaces: [NS_FRAMING, NS_STREAM, NS_STREAMS_ERRORS],
        attrs: ['to', 'from', 'id', 'version', 'xml:lang', 'see-other-uri', 'xmlns:stream'],
        seeds: [
          `<open xmlns='${NS_FRAMING}' from='example.com' id='x' version='1.0'/>`,
          `<stream:error xmlns:stream='${NS_STREAM}'><see-other-host xmlns='${NS_STREAMS_ERRORS}'>h</see-other-host></stream:error>`,
        ],
      };
      fuzzParser(parseOpen, vocabulary, 150);
      fuzzParser(parseClose, vocabulary, 150);
      fuzzParser(parseStreamError, vocabulary, 200);
    });
  });
});
