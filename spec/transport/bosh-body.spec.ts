import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaParseError } from '../../lib/errors.js';
import { h, textElement } from '../../lib/stanzas/element.js';
import { NS_CLIENT, NS_HTTPBIND, NS_SASL, NS_STREAM, NS_XBOSH } from '../../lib/stanzas/ns.js';
import { parseStreamFeatures } from '../../lib/stanzas/stream-features.js';
import { parseStreamError } from '../../lib/stanzas/stream.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import {
  BOSH_MAX_RID, buildBoshBody, buildBoshBodyText, parseBoshBody, type BoshBody, type BoshBodyAttrs,
} from '../../lib/transport/bosh-body.js';
import { stanzaId, xmlText } from '../support/arbitraries.js';
import { transcript } from '../support/fixtures.js';
import { expectOnlyParseErrors, expectTextOnlyParseErrors, mutatedText, randomElement } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isCode = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;
const attrsOf = ({ children: _children, ...attrs }: BoshBody): BoshBodyAttrs => attrs;

/** The bodies of a recorded transcript: `>>` requests and `<< [status]` responses. */
function bodies(title: string): { requests: string[]; responses: string[] } {
  const requests: string[] = [];
  const responses: string[] = [];
  for (const line of transcript(title)) {
    if (line.startsWith('>> ')) requests.push(line.slice(3));
    const response = /^<< \[200\] (.*)$/.exec(line);
    if (response?.[1] !== undefined) responses.push(response[1]);
  }
  return { requests, responses };
}
const prosody = bodies('BOSH transcript (Prosody)');
const ejabberd = bodies('BOSH transcript (ejabberd)');

// XEP-0124 and XEP-0206 examples, as the XEPs print them.
const XEP0124_CREATE = `<body content='text/xml; charset=utf-8'
      from='user@example.com'
      hold='1'
      rid='1573741820'
      to='example.com'
      route='xmpp:example.com:9999'
      ver='1.6'
      wait='60'
      ack='1'
      xml:lang='en'
      xmlns='http://jabber.org/protocol/httpbind'/>`;
const XEP0124_CREATED = `<body wait='60'
      inactivity='30'
      polling='5'
      requests='2'
      hold='1'
      ack='1573741820'
      accept='deflate,gzip'
      maxpause='120'
      sid='SomeSID'
      charsets='ISO_8859-1 ISO-2022-JP'
      ver='1.6'
      from='example.com'
      xmlns='http://jabber.org/protocol/httpbind'/>`;
const XEP0124_TERMINATE = `<body rid='1249243562'
      sid='SomeSID'
      type='terminate'
      xmlns='http://jabber.org/protocol/httpbind'>
  <presence type='unavailable'
            xmlns='jabber:client'/>
</body>`;
const XEP0124_REPORT = `<body report='1249243561'
      time='700'
      xmlns='http://jabber.org/protocol/httpbind'>
  <message to='contact@example.com' xmlns='jabber:client'><body>I said "Hi!"</body></message>
</body>`;
const XEP0124_SEE_OTHER_URI = `<body condition='see-other-uri'
      type='terminate'
      xmlns='http://jabber.org/protocol/httpbind'>
  <uri>https://secure.jabber.org/xmppcm</uri>
</body>`;
const XEP0206_CREATE = `<body content='text/xml; charset=utf-8'
      from='user@example.com'
      hold='1'
      rid='1573741820'
      to='example.com'
      route='xmpp:example.com:9999'
      wait='60'
      xml:lang='en'
      xmpp:version='1.0'
      xmlns='http://jabber.org/protocol/httpbind'
      xmlns:xmpp='urn:xmpp:xbosh'/>`;
const XEP0206_CREATED = `<body wait='60'
      inactivity='30'
      polling='5'
      requests='2'
      hold='1'
      from='example.com'
      accept='deflate,gzip'
      sid='SomeSID'
      secure='true'
      charsets='ISO_8859-1 ISO-2022-JP'
      xmpp:restartlogic='true'
      xmpp:version='1.0'
      authid='ServerStreamID'
      xmlns='http://jabber.org/protocol/httpbind'
      xmlns:xmpp='urn:xmpp:xbosh'
      xmlns:stream='http://etherx.jabber.org/streams'>
  <stream:features>
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
      <mechanism>SCRAM-SHA-1</mechanism>
      <mechanism>PLAIN</mechanism>
    </mechanisms>
  </stream:features>
</body>`;
const XEP0206_RESTART = `<body rid='1573741824'
      sid='SomeSID'
      to='example.com'
      xml:lang='en'
      xmpp:restart='true'
      xmlns='http://jabber.org/protocol/httpbind'
      xmlns:xmpp='urn:xmpp:xbosh'/>`;
const XEP0206_STREAM_ERROR = `<body type='terminate'
      condition='remote-stream-error'
      xmlns='http://jabber.org/protocol/httpbind'
      xmlns:stream='http://etherx.jabber.org/streams'>
  <message from='contact@example.com'
           to='user@example.com'
           xmlns='jabber:client'>
    <body>I said "Hi!"</body>
  </message>
  <stream:error>
    <xml-not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>
    <text xmlns='urn:ietf:params:xml:ns:xmpp-streams'
          xml:lang='en'>
      Some special application diagnostic information!
    </text>
    <escape-your-data xmlns='application-ns'/>
  </stream:error>
</body>`;
const XEP_EXAMPLES = [XEP0124_CREATE, XEP0124_CREATED, XEP0124_TERMINATE, XEP0124_REPORT, XEP0124_SEE_OTHER_URI, XEP0206_CREATE, XEP0206_CREATED, XEP0206_RESTART, XEP0206_STREAM_ERROR];

describe('transport/bosh-body (XEP-0124 <body/>, XEP-0206 xmpp: attributes)', () => {
  describe('golden fixtures: XEP-0124 and XEP-0206 examples', () => {
    it('XEP-0124 §7.1 / §7.2: session creation request and response', () => {
      const request = { content: 'text/xml; charset=utf-8', from: 'user@example.com', hold: 1, rid: 1573741820, to: 'example.com', route: 'xmpp:example.com:9999', ver: '1.6', wait: 60, ack: 1, lang: 'en' };
      assert.deepEqual(parseBoshBody(XEP0124_CREATE), { ...request, children: [] });
      assertXmlEqual(buildBoshBody(request), XEP0124_CREATE);
      // 'charsets' is not read (not needed), so the response is rebuilt without it.
      const response = { wait: 60, inactivity: 30, polling: 5, requests: 2, hold: 1, ack: 1573741820, accept: 'deflate,gzip', maxpause: 120, sid: 'SomeSID', ver: '1.6', from: 'example.com' };
      assert.deepEqual(parseBoshBody(XEP0124_CREATED), { ...response, children: [] });
      const rebuilt = parseXml(XEP0124_CREATED);
      delete rebuilt.attrs.charsets;
      assertXmlEqual(buildBoshBody(response), rebuilt);
    });

    it('XEP-0124 §13: terminate with a payload; §9.2: report and time', () => {
      const terminate = parseBoshBody(XEP0124_TERMINATE);
      assert.deepEqual(attrsOf(terminate), { rid: 1249243562, sid: 'SomeSID', type: 'terminate' });
      assert.equal(terminate.children.length, 1);
      assertXmlEqual(buildBoshBody(attrsOf(terminate), terminate.children), XEP0124_TERMINATE);
      const report = parseBoshBody(XEP0124_REPORT);
      assert.deepEqual(attrsOf(report), { report: 1249243561, time: 700 });
      assert.equal(report.children[0]?.getChildText('body'), 'I said "Hi!"');
    });

    it('XEP-0124 §17.2: see-other-uri carries the <uri/>, which is not a payload', () => {
      const body = parseBoshBody(XEP0124_SEE_OTHER_URI);
      assert.deepEqual(body, { condition: 'see-other-uri', type: 'terminate', uri: 'https://secure.jabber.org/xmppcm', children: [] });
      assertXmlEqual(buildBoshBody(attrsOf(body)), XEP0124_SEE_OTHER_URI);
    });

    it('XEP-0206 §3 / §4: xmpp:version, xmpp:restartlogic, secure, authid; the features are self-contained', () => {
      const request = { content: 'text/xml; charset=utf-8', from: 'user@example.com', hold: 1, rid: 1573741820, to: 'example.com', route: 'xmpp:example.com:9999', wait: 60, lang: 'en', xmppVersion: '1.0' };
      assert.deepEqual(parseBoshBody(XEP0206_CREATE), { ...request, children: [] });
      assertXmlEqual(buildBoshBody(request), XEP0206_CREATE);
      const created = parseBoshBody(XEP0206_CREATED);
      assert.deepEqual(attrsOf(created), {
        wait: 60, inactivity: 30, polling: 5, requests: 2, hold: 1, from: 'example.com', accept: 'deflate,gzip', sid: 'SomeSID',
        secure: true, xmppRestartLogic: true, xmppVersion: '1.0', authid: 'ServerStreamID',
      });
      const [features] = created.children;
      assert.ok(features);
      assert.equal(features.parent, null);
      assert.equal(features.attrs['xmlns:stream'], NS_STREAM, 'the prefix declared on the body is declared on the child');
      assert.deepEqual(parseStreamFeatures(parseXml(serialize(features))).mechanisms, ['SCRAM-SHA-1', 'PLAIN']);
    });

    it('XEP-0206 §5: the restart request', () => {
      const restart = { rid: 1573741824, sid: 'SomeSID', to: 'example.com', lang: 'en', xmppRestart: true };
      assert.deepEqual(parseBoshBody(XEP0206_RESTART), { ...restart, children: [] });
      assertXmlEqual(buildBoshBody(restart), XEP0206_RESTART);
    });

    it('XEP-0206 §6: remote-stream-error, the stream error after the stanzas', () => {
      const body = parseBoshBody(XEP0206_STREAM_ERROR);
      assert.deepEqual(attrsOf(body), { type: 'terminate', condition: 'remote-stream-error' });
      assert.deepEqual(body.children.map((c) => c.getName()), ['message', 'error']);
      const streamError = body.children[1];
      assert.ok(streamError);
      assert.equal(parseStreamError(parseXml(serialize(streamError))).condition, 'not-well-formed');
    });
  });

  describe('golden fixtures: the BOSH transcripts of Prosody and ejabberd', () => {
    it('reads the session creation requests and responses of both servers', () => {
      for (const { requests } of [prosody, ejabberd]) {
        const created = parseBoshBody(requests[0] ?? '');
        assert.deepEqual({ ...attrsOf(created), rid: 0 }, { rid: 0, to: 'localhost', lang: 'en', wait: 10, hold: 1, ver: '1.6', xmppVersion: '1.0' });
      }
      const p = parseBoshBody(prosody.responses[0] ?? '');
      assert.deepEqual(attrsOf(p), {
        polling: 5, sid: '185eef1a-c0ee-484d-98af-e2eda3056e8d', wait: 10, inactivity: 60, requests: 2, hold: 1, ver: '1.6',
        authid: '185eef1a-c0ee-484d-98af-e2eda3056e8d', xmppVersion: '1.0', secure: true, from: 'localhost',
      });
      const e = parseBoshBody(ejabberd.responses[0] ?? '');
      assert.deepEqual(attrsOf(e), {
        xmppVersion: '1.0', authid: '2986705078816103378', sid: '230b570af4803ad927de1eebfa3cdc33adec77f6', wait: 10, ver: '1.11',
        polling: 2, inactivity: 30, hold: 1, xmppRestartLogic: true, requests: 2, secure: true, maxpause: 120, from: 'localhost',
      });
      for (const body of [p, e]) {
        const [features] = body.children;
        assert.ok(features);
        // ejabberd's <stream:features> relies on the body's xmlns:stream; read apart from it, it still is one.
        const parsed = parseStreamFeatures(parseXml(serialize(features)));
        assert.ok(parsed.mechanisms.includes('PLAIN') && parsed.mechanisms.includes('SCRAM-SHA-1'), serialize(features));
      }
    });

    it('reads every later request and response: auth, restart, bind, ping, terminate', () => {
      for (const { requests, responses } of [prosody, ejabberd]) {
        const first = parseBoshBody(requests[0] ?? '').rid ?? 0;
        const later = requests.slice(1).map((text) => parseBoshBody(text));
        assert.deepEqual(later.map((b) => b.rid), later.map((_, i) => first + 1 + i), 'XEP-0124 §14.1: one more per request');
        assert.equal(later[0]?.children[0]?.attrs.xmlns, NS_SASL);
        assert.deepEqual({ ...attrsOf(later[1] as BoshBody), rid: 0, sid: '' }, { rid: 0, sid: '', to: 'localhost', lang: 'en', xmppRestart: true });
        assert.equal(later.at(-1)?.type, 'terminate');
        const read = responses.map((text) => parseBoshBody(text));
        assert.equal(read[1]?.children[0]?.getName(), 'success');
        assert.equal(read[3]?.children[0]?.getChild('bind')?.getChildText('jid'), 'admin@localhost/bosh');
        assert.equal(read.at(-1)?.type, 'terminate');
        for (const body of read) for (const child of body.children) assert.equal(child.parent, null);
      }
    });

    it('rebuilds each request of the transcripts as the same XML', () => {
      for (const text of [...prosody.requests, ...ejabberd.requests]) {
        const body = parseBoshBody(text);
        assertXmlEqual(buildBoshBody(attrsOf(body), body.children), text);
      }
    });
  });

  describe('namespaces of the payloads', () => {
    it('gives an unqualified stanza jabber:client (XEP-0206 §2) and keeps a qualified one as it is', () => {
      const body = parseBoshBody(`<body xmlns='${NS_HTTPBIND}'><message to='a@b'><body>hi</body></message><iq xmlns='jabber:server' type='get' id='1'/><other/></body>`);
      assert.deepEqual(body.children.map((c) => c.attrs.xmlns), [NS_CLIENT, 'jabber:server', NS_HTTPBIND]);
      assert.equal(body.children[0]?.getChild('body')?.getNS(), NS_CLIENT);
    });

    it('reads xmpp: attributes under any prefix bound to urn:xmpp:xbosh, and an undeclared xmpp: prefix', () => {
      assert.equal(parseBoshBody(`<body xmlns='${NS_HTTPBIND}' xmlns:x='${NS_XBOSH}' x:version='1.0' x:restart='1'/>`).xmppVersion, '1.0');
      assert.equal(parseBoshBody(`<body xmlns='${NS_HTTPBIND}' xmpp:restart='true'/>`).xmppRestart, true);
      assert.equal(parseBoshBody(`<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:other' xmpp:restart='true'/>`).xmppRestart, undefined);
    });
  });

  describe('errors', () => {
    it('refuses another root or namespace', () => {
      assert.throws(() => parseBoshBody(`<body xmlns='${NS_CLIENT}'/>`), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseBoshBody(`<html xmlns='${NS_HTTPBIND}'/>`), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseBoshBody('<body'), isCode('XML_MALFORMED'));
    });

    it('refuses integers that are not, or not below 2^53, booleans that are not, unknown types', () => {
      for (const rid of ['abc', '-1', '1.5', '9007199254740992', '12345678901234567']) {
        assert.throws(() => parseBoshBody(`<body xmlns='${NS_HTTPBIND}' rid='${rid}'/>`), isCode('STANZA_INVALID_VALUE'), rid);
      }
      assert.equal(parseBoshBody(`<body xmlns='${NS_HTTPBIND}' rid='${BOSH_MAX_RID}'/>`).rid, BOSH_MAX_RID);
      assert.throws(() => parseBoshBody(`<body xmlns='${NS_HTTPBIND}' secure='yes'/>`), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseBoshBody(`<body xmlns='${NS_HTTPBIND}' type='close'/>`), isCode('STANZA_INVALID_VALUE'));
    });

    it('refuses to build integers that are not safe non-negative ones, or a uri without see-other-uri', () => {
      for (const rid of [-1, 1.5, BOSH_MAX_RID + 1, Number.NaN]) {
        assert.throws(() => buildBoshBody({ rid }), isCode('STANZA_INVALID_VALUE'), String(rid));
      }
      assert.throws(() => buildBoshBody({ uri: 'https://x' }), isCode('STANZA_INVALID_VALUE'));
    });
  });

  describe('properties', () => {
    const text = xmlText(12);
    const count = fc.oneof(fc.nat({ max: 1000 }), fc.constant(BOSH_MAX_RID));
    const attrsArb: fc.Arbitrary<BoshBodyAttrs> = fc.record({
      rid: count, sid: text, to: text, from: text, lang: text, ver: text, wait: count, hold: count, requests: count,
      inactivity: count, polling: count, maxpause: count, content: text, route: text, ack: count, accept: text,
      authid: text, secure: fc.boolean(), type: fc.constantFrom('terminate' as const, 'error' as const), condition: text,
      report: count, time: count, xmppVersion: text, xmppRestart: fc.boolean(), xmppRestartLogic: fc.boolean(),
    }, { requiredKeys: [], noNullPrototype: true });
    const withUri = fc.tuple(attrsArb, fc.option(text.map((s) => s.trim()), { nil: undefined }))
      .map(([attrs, uri]): BoshBodyAttrs => (uri === undefined ? attrs : { ...attrs, condition: 'see-other-uri', uri }));
    const stanza: fc.Arbitrary<Element> = fc.tuple(fc.constantFrom('message', 'presence', 'iq'), stanzaId, text)
      .map(([name, id, body]) => h(name, { xmlns: NS_CLIENT, id }, [textElement('body', body)]));

    it('round trip: parseBoshBody(serialize(buildBoshBody(v))) gives v back', () => {
      fc.assert(fc.property(withUri, fc.array(stanza, { maxLength: 3 }), (attrs, children) => {
        const expected = children.map((c) => serialize(c));
        const parsed = parseBoshBody(serialize(buildBoshBody(attrs, children)));
        assert.deepEqual(attrsOf(parsed), attrs);
        assert.deepEqual(parsed.children.map((c) => serialize(c)), expected);
      }), { numRuns: 300 });
    });

    it('buildBoshBodyText writes what buildBoshBody and serialize write', () => {
      fc.assert(fc.property(withUri, fc.array(stanza, { maxLength: 3 }), (attrs, children) => {
        const texts = children.map((c) => serialize(c));
        assert.equal(buildBoshBodyText(attrs, texts), serialize(buildBoshBody(attrs, children)));
      }), { numRuns: 200 });
    });

    it('mutated transcripts and XEP examples only parse or throw StanzaParseError', () => {
      const seeds = [...prosody.requests, ...prosody.responses, ...ejabberd.requests, ...ejabberd.responses, ...XEP_EXAMPLES];
      fc.assert(fc.property(mutatedText(seeds), (input) => expectTextOnlyParseErrors((element) => parseBoshBody(element), input)), { numRuns: 500 });
    });

    it('random element trees only parse or throw StanzaParseError', () => {
      const names = ['body', 'uri', 'message', 'iq', 'stream:features', 'stream:error', 'xmpp:body'];
      const attrs = ['rid', 'sid', 'wait', 'hold', 'requests', 'type', 'condition', 'secure', 'xml:lang', 'xmpp:version', 'xmpp:restart', 'xmlns:xmpp', 'xmlns:stream'];
      fc.assert(fc.property(randomElement(names, [NS_HTTPBIND, NS_XBOSH, NS_CLIENT, NS_STREAM], attrs), (element) => {
        expectOnlyParseErrors((e) => parseBoshBody(e), element);
      }), { numRuns: 500 });
    });
  });
});
