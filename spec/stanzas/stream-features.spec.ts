import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaParseError } from '../../lib/errors.js';
import {
  NS_BIND, NS_CAPS, NS_CSI, NS_PRE_APPROVAL, NS_REGISTER_FEATURE, NS_ROSTER_VER, NS_SASL, NS_SESSION, NS_STREAM, NS_TLS,
} from '../../lib/stanzas/ns.js';
import { buildStreamFeatures, parseStreamFeatures, type StreamFeatures } from '../../lib/stanzas/stream-features.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { xmlName, xmlText } from '../support/arbitraries.js';
import { realStanza, transcript } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const NONE: StreamFeatures = {
  mechanisms: [], register: false, bind: false, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [],
};

const PROSODY_MECHANISMS = ['SCRAM-SHA-1', 'OAUTHBEARER', 'PLAIN', 'X-OAUTH2'];
const EJABBERD_MECHANISMS = ['DIGEST-MD5', 'PLAIN', 'SCRAM-SHA-512', 'SCRAM-SHA-256', 'SCRAM-SHA-1', 'X-OAUTH2'];
const PROSODY_AFTER_AUTH: StreamFeatures = {
  ...NONE,
  bind: true,
  session: { optional: true },
  sm: [2, 3],
  rosterVersioning: true,
  preApproval: true,
  csi: true,
  caps: { hash: 'sha-1', node: 'http://prosody.im', ver: 'dv5B9lPWEYaYPEnEKiItAStyo+8=' },
};
const EJABBERD_AFTER_AUTH: StreamFeatures = {
  ...NONE,
  bind: true,
  session: { optional: true },
  sm: [2, 3],
  rosterVersioning: true,
  csi: true,
  caps: { hash: 'sha-1', node: 'http://www.process-one.net/en/ejabberd/', ver: 'dXlIXuqHloFtqhu8DUF+Gq+1Y3w=' },
};

/** The `<stream:features/>` of every server answer (`<< [200] <body>...`) of a BOSH transcript. */
function boshFeatures(title: string): Element[] {
  const found: Element[] = [];
  for (const line of transcript(title)) {
    if (!line.startsWith('<< [200] ')) continue;
    const body = parseXml(line.slice('<< [200] '.length));
    for (const child of body.children) if (typeof child !== 'string' && child.getName() === 'features') found.push(child);
  }
  return found;
}

describe('stanzas/stream-features (RFC 6120 §4.3)', () => {
  describe('golden fixtures', () => {
    it('reads RFC 6120 §9.1.1 (TLS, step 3): STARTTLS required', () => {
      const features = parseXml(`<stream:features>
        <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>
          <required/>
        </starttls>
      </stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, starttls: { required: true } });
    });

    it('reads RFC 6120 §9.1.2 (SASL, step 8): SASL mechanisms', () => {
      const features = parseXml(`<stream:features>
        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
          <mechanism>SCRAM-SHA-1-PLUS</mechanism>
          <mechanism>SCRAM-SHA-1</mechanism>
          <mechanism>PLAIN</mechanism>
        </mechanisms>
      </stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, mechanisms: ['SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN'] });
    });

    it('reads RFC 6120 §9.1.3 (resource binding, step 14): resource binding', () => {
      const features = parseXml(`<stream:features>
        <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>
      </stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, bind: true });
    });

    it('reads the XEP-0198 §2 stream feature (with the version of the namespace)', () => {
      // XEP-0198 v1.5.2, Example 1 (the <stream:stream> header before it left out). The
      // <bind><required/></bind><sm><optional/></sm> form is that of the urn:xmpp:sm:2 versions (v0.8-v1.1).
      const features = parseXml(`<stream:features>
  <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>
  <sm xmlns='urn:xmpp:sm:3'/>
</stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, bind: true, sm: [3] });
    });

    it('reads the RFC 7395 §3.3.3 features frame (stream prefix declared in the frame)', () => {
      const features = parseXml(`<stream:features xmlns:stream="http://etherx.jabber.org/streams">
  <bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/>
</stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, bind: true });
    });

    it('reads the RFC 6120 §6.4.1 mechanisms (EXTERNAL first)', () => {
      const features = parseXml(`<stream:features>
     <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
       <mechanism>EXTERNAL</mechanism>
       <mechanism>SCRAM-SHA-1-PLUS</mechanism>
       <mechanism>SCRAM-SHA-1</mechanism>
       <mechanism>PLAIN</mechanism>
     </mechanisms>
   </stream:features>`);
      assert.deepEqual(parseStreamFeatures(features), { ...NONE, mechanisms: ['EXTERNAL', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN'] });
    });

    it('builds the RFC 6120 §9.1.1 and §9.1.2 features (TLS, SASL)', () => {
      assertXmlEqual(buildStreamFeatures({ ...NONE, starttls: { required: true } }),
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
      assertXmlEqual(buildStreamFeatures({ ...NONE, mechanisms: ['SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN'] }),
        `<stream:features xmlns:stream='http://etherx.jabber.org/streams'>
          <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
            <mechanism>SCRAM-SHA-1-PLUS</mechanism>
            <mechanism>SCRAM-SHA-1</mechanism>
            <mechanism>PLAIN</mechanism>
          </mechanisms>
        </stream:features>`);
    });

    it("reads both servers' features before auth (WebSocket)", () => {
      assert.deepEqual(parseStreamFeatures(realStanza('stream features before auth (ws, plain http)', 'prosody')),
        { ...NONE, mechanisms: PROSODY_MECHANISMS, register: true });
      assert.deepEqual(parseStreamFeatures(realStanza('stream features before auth (ws, plain http)', 'ejabberd')),
        { ...NONE, mechanisms: EJABBERD_MECHANISMS, register: true });
    });

    it("reads both servers' features after auth (WebSocket)", () => {
      assert.deepEqual(parseStreamFeatures(realStanza('stream features after auth', 'prosody')), PROSODY_AFTER_AUTH);
      assert.deepEqual(parseStreamFeatures(realStanza('stream features after auth', 'ejabberd')), EJABBERD_AFTER_AUTH);
    });

    it('reads the features inside the BOSH transcripts (prefix declared on <body/>)', () => {
      const prosody = boshFeatures('BOSH transcript (Prosody)');
      assert.equal(prosody.length, 2);
      assert.deepEqual(parseStreamFeatures(prosody[0]!), { ...NONE, mechanisms: PROSODY_MECHANISMS, register: true, starttls: { required: false } });
      assert.deepEqual(parseStreamFeatures(prosody[1]!), { ...PROSODY_AFTER_AUTH, starttls: { required: false } });
      const ejabberd = boshFeatures('BOSH transcript (ejabberd)');
      assert.equal(ejabberd.length, 2);
      assert.deepEqual(parseStreamFeatures(ejabberd[0]!), { ...NONE, mechanisms: EJABBERD_MECHANISMS, register: true });
      assert.deepEqual(parseStreamFeatures(ejabberd[1]!), EJABBERD_AFTER_AUTH);
    });

    it('accepts <features xmlns=stream-ns/> and refuses other elements or a prefix bound elsewhere', () => {
      assert.deepEqual(parseStreamFeatures(parseXml(`<features xmlns='${NS_STREAM}'><bind xmlns='${NS_BIND}'/></features>`)), { ...NONE, bind: true });
      for (const bad of [
        `<stream:features xmlns:stream='urn:example:other'/>`,
        `<features xmlns='jabber:client'/>`,
        `<mechanisms xmlns='${NS_SASL}'><mechanism>PLAIN</mechanism></mechanisms>`,
      ]) {
        assert.throws(() => parseStreamFeatures(parseXml(bad)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED', bad);
      }
    });

    it('lists features it does not know, and known names in other namespaces, under other', () => {
      const features = parseXml(`<stream:features xmlns:stream='${NS_STREAM}' xmlns='jabber:client'>
        <limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>10000</max-bytes></limits>
        <sm xmlns='urn:xmpp:sm:x'/>
        <bind xmlns='urn:example:not-bind'/>
        <auth xmlns='http://jabber.org/features/iq-auth'/>
        <foo/>
      </stream:features>`);
      assert.deepEqual(parseStreamFeatures(features).other, [
        '{urn:xmpp:stream-limits:0}limits', '{urn:xmpp:sm:x}sm', '{urn:example:not-bind}bind', '{http://jabber.org/features/iq-auth}auth', '{jabber:client}foo',
      ]);
    });

    it('refuses an empty mechanism and caps without node or ver', () => {
      for (const bad of [
        `<stream:features xmlns:stream='${NS_STREAM}'><mechanisms xmlns='${NS_SASL}'><mechanism> </mechanism></mechanisms></stream:features>`,
        `<stream:features xmlns:stream='${NS_STREAM}'><c xmlns='${NS_CAPS}' hash='sha-1' node='n'/></stream:features>`,
      ]) {
        assert.throws(() => parseStreamFeatures(parseXml(bad)), StanzaParseError, bad);
      }
    });
  });

  describe('round trip', () => {
    const knownNames = new Set(['mechanisms', 'starttls', 'register', 'bind', 'session', 'sm', 'ver', 'sub', 'csi', 'c']);
    const otherName = fc.tuple(
      fc.oneof(fc.constant(''), xmlName.map((n) => `urn:example:${n}`), fc.constantFrom(NS_SASL, NS_TLS, NS_BIND, NS_SESSION, NS_CSI, NS_CAPS, NS_ROSTER_VER, NS_PRE_APPROVAL, NS_REGISTER_FEATURE, 'urn:xmpp:sm:3')),
      xmlName.filter((n) => !knownNames.has(n)),
    ).map(([ns, name]) => `{${ns}}${name}`);
    const features: fc.Arbitrary<StreamFeatures> = fc.record({
      mechanisms: fc.array(fc.stringMatching(/^[A-Z0-9_-]{1,20}$/), { maxLength: 6 }),
      starttls: fc.record({ required: fc.boolean() }, { noNullPrototype: true }),
      register: fc.boolean(),
      bind: fc.boolean(),
      session: fc.record({ optional: fc.boolean() }, { noNullPrototype: true }),
      sm: fc.array(fc.nat({ max: 999_999 }), { maxLength: 3 }),
      rosterVersioning: fc.boolean(),
      preApproval: fc.boolean(),
      csi: fc.boolean(),
      caps: fc.record({ hash: xmlText(), node: xmlText(), ver: xmlText() }, { noNullPrototype: true }),
      other: fc.array(otherName, { maxLength: 4 }),
    }, { requiredKeys: ['mechanisms', 'register', 'bind', 'sm', 'rosterVersioning', 'preApproval', 'csi', 'other'], noNullPrototype: true });

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(features, (v) => {
        assert.deepEqual(parseStreamFeatures(throughText(buildStreamFeatures(v))), v);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('only returns or throws StanzaParseError', () => {
      fuzzParser(parseStreamFeatures, {
        names: ['stream:features', 'features', 'mechanisms', 'mechanism', 'starttls', 'required', 'bind', 'session', 'optional', 'sm', 'c', 'ver', 'sub', 'csi', 'register'],
        namespaces: [NS_STREAM, NS_SASL, NS_TLS, NS_BIND, NS_SESSION, NS_CAPS, NS_CSI, NS_ROSTER_VER, NS_PRE_APPROVAL, NS_REGISTER_FEATURE, 'urn:xmpp:sm:3', 'urn:xmpp:sm:', 'jabber:client'],
        attrs: ['xmlns:stream', 'hash', 'node', 'ver'],
        seeds: [
          `<stream:features xmlns:stream='${NS_STREAM}'><starttls xmlns='${NS_TLS}'><required/></starttls><sm xmlns='urn:xmpp:sm:3'/></stream:features>`,
        ],
      });
    });
  });
});
