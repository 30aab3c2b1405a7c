import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaParseError } from '../../lib/errors.js';
import { NS_SASL } from '../../lib/stanzas/ns.js';
import {
  SASL_FAILURE_CONDITIONS, buildSaslAbort, buildSaslAuth, buildSaslChallenge, buildSaslFailure,
  buildSaslMessage, buildSaslResponse, buildSaslSuccess, isSaslMessage, parseSaslMessage, type SaslMessage,
} from '../../lib/stanzas/sasl.js';
import { buildBase64, parseBase64 } from '../../lib/stanzas/base64.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { transcript } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const utf8 = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const dataOf = (message: SaslMessage): string => ('data' in message ? message.data : assert.fail(`no data in ${message.kind}`));

// RFC 6120 §9.1.2, the SCRAM-SHA-1 exchange, with the base64 payloads unwrapped.
const SCRAM_AUTH = 'biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==';
const SCRAM_CHALLENGE = 'cj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQWUxMjQ2OTViLTY5YTktNGRlNi05YzMwLWI1MWIzODA4YzU5ZSxzPU5qaGtZVE0wTURndE5HWTBaaTAwTmpkbUxUa3hNbVV0TkRsbU5UTm1ORE5rTURNeixpPTQwOTY=';
const SCRAM_RESPONSE = 'Yz1iaXdzLHI9b01zVEFBd0FBQUFNQUFBQU5QMFRBQUFBQUFCUFUwQUFlMTI0Njk1Yi02OWE5LTRkZTYtOWMzMC1iNTFiMzgwOGM1OWUscD1VQTU3dE0vU3ZwQVRCa0gyRlhzMFdEWHZKWXc9';
const SCRAM_SUCCESS = 'dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289';

/** The SASL elements inside the `<body/>`s of a BOSH transcript, client (`>>`) and server (`<<`) side. */
function boshSasl(title: string): Element[] {
  const found: Element[] = [];
  for (const line of transcript(title)) {
    const at = line.indexOf('<body');
    if (at === -1) continue;
    for (const child of parseXml(line.slice(at)).children) if (typeof child !== 'string' && isSaslMessage(child)) found.push(child);
  }
  return found;
}

/** The XML after `-> ` on the SASL lines of a token transcript. */
function tokenSasl(title: string): Element[] {
  return transcript(title).filter((line) => line.startsWith('SASL ')).map((line) => parseXml(line.slice(line.indexOf('-> ') + 3)));
}

describe('stanzas/sasl (RFC 6120 §6.4)', () => {
  describe('golden fixtures', () => {
    it('reads the RFC 6120 §9.1.2 SCRAM-SHA-1 exchange, payloads wrapped over lines as in the RFC', () => {
      const auth = parseSaslMessage(parseXml(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl"
            mechanism="SCRAM-SHA-1">
      biwsbj1qdWxpZXQscj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQQ==
      </auth>`));
      assert.deepEqual(auth, { kind: 'auth', mechanism: 'SCRAM-SHA-1', data: SCRAM_AUTH });
      assert.equal(utf8(parseBase64(dataOf(auth))), 'n,,n=juliet,r=oMsTAAwAAAAMAAAANP0TAAAAAABPU0AA');

      const challenge = parseSaslMessage(parseXml(`<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">
      cj1vTXNUQUF3QUFBQU1BQUFBTlAwVEFBQUFBQUJQVTBBQWUxMjQ2OTViLTY5Y
      TktNGRlNi05YzMwLWI1MWIzODA4YzU5ZSxzPU5qaGtZVE0wTURndE5HWTBaaT
      AwTmpkbUxUa3hNbVV0TkRsbU5UTm1ORE5rTURNeixpPTQwOTY=
      </challenge>`));
      assert.deepEqual(challenge, { kind: 'challenge', data: SCRAM_CHALLENGE });
      assert.equal(utf8(parseBase64(dataOf(challenge))),
        'r=oMsTAAwAAAAMAAAANP0TAAAAAABPU0AAe124695b-69a9-4de6-9c30-b51b3808c59e,s=NjhkYTM0MDgtNGY0Zi00NjdmLTkxMmUtNDlmNTNmNDNkMDMz,i=4096');

      const response = parseSaslMessage(parseXml(`<response xmlns="urn:ietf:params:xml:ns:xmpp-sasl">
      Yz1iaXdzLHI9b01zVEFBd0FBQUFNQUFBQU5QMFRBQUFBQUFCUFUwQUFlMTI0N
      jk1Yi02OWE5LTRkZTYtOWMzMC1iNTFiMzgwOGM1OWUscD1VQTU3dE0vU3ZwQV
      RCa0gyRlhzMFdEWHZKWXc9
      </response>`));
      assert.deepEqual(response, { kind: 'response', data: SCRAM_RESPONSE });
      assert.equal(utf8(parseBase64(dataOf(response))),
        'c=biws,r=oMsTAAwAAAAMAAAANP0TAAAAAABPU0AAe124695b-69a9-4de6-9c30-b51b3808c59e,p=UA57tM/SvpATBkH2FXs0WDXvJYw=');

      const success = parseSaslMessage(parseXml(`<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl">
      dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289
      </success>`));
      assert.deepEqual(success, { kind: 'success', data: SCRAM_SUCCESS });
      assert.equal(utf8(parseBase64(dataOf(success))), 'v=pNNDFVEQxuXxCoSEiW8GEZ+1RSo=');
    });

    it('builds the RFC 6120 §9.1.2 SCRAM-SHA-1 exchange', () => {
      assertXmlEqual(buildSaslAuth('SCRAM-SHA-1', SCRAM_AUTH), `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="SCRAM-SHA-1">${SCRAM_AUTH}</auth>`);
      assertXmlEqual(buildSaslChallenge(SCRAM_CHALLENGE), `<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">${SCRAM_CHALLENGE}</challenge>`);
      assertXmlEqual(buildSaslResponse(SCRAM_RESPONSE), `<response xmlns="urn:ietf:params:xml:ns:xmpp-sasl">${SCRAM_RESPONSE}</response>`);
      assertXmlEqual(buildSaslSuccess(SCRAM_SUCCESS), `<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl">${SCRAM_SUCCESS}</success>`);
    });

    it('reads and builds RFC 6120 §6.4.4 abort and §6.4.5 failure', () => {
      // §6.4.4: the abort, and the failure that answers it.
      const abort = "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";
      assert.deepEqual(parseSaslMessage(parseXml(abort)), { kind: 'abort' });
      assertXmlEqual(buildSaslAbort(), abort);
      const aborted = `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
     <aborted/>
   </failure>`;
      assert.deepEqual(parseSaslMessage(parseXml(aborted)), { kind: 'failure', condition: 'aborted', text: '' });
      assertXmlEqual(buildSaslFailure('aborted'), aborted);
      // §6.4.5
      const notAuthorized = `<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
     <not-authorized/>
   </failure>`;
      assert.deepEqual(parseSaslMessage(parseXml(notAuthorized)), { kind: 'failure', condition: 'not-authorized', text: '' });
      assertXmlEqual(buildSaslFailure('not-authorized'), notAuthorized);
    });

    it('reads RFC 6120 §6.5.2 (account-disabled, with text) and every §6.5 condition', () => {
      // §6.5.2: the PLAIN auth (also the §6.4.2 example) and the failure with its text.
      const auth = parseSaslMessage(parseXml(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'
         mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>`));
      assert.deepEqual(auth, { kind: 'auth', mechanism: 'PLAIN', data: 'AGp1bGlldAByMG0zMG15cjBtMzA=' });
      assert.equal(utf8(parseBase64(dataOf(auth))), '\0juliet\0r0m30myr0m30');
      assert.deepEqual(parseSaslMessage(parseXml(`<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>
     <account-disabled/>
     <text xml:lang='en'>Call 212-555-1212 for assistance.</text>
   </failure>`)), { kind: 'failure', condition: 'account-disabled', text: 'Call 212-555-1212 for assistance.' });
      assert.equal(SASL_FAILURE_CONDITIONS.length, 11);
      for (const condition of SASL_FAILURE_CONDITIONS) {
        assert.deepEqual(parseSaslMessage(parseXml(`<failure xmlns='${NS_SASL}'><${condition}/></failure>`)), { kind: 'failure', condition, text: '' });
      }
    });

    it('builds and reads the PLAIN exchanges of both BOSH transcripts', () => {
      for (const title of ['BOSH transcript (Prosody)', 'BOSH transcript (ejabberd)']) {
        const [auth, success, ...rest] = boshSasl(title);
        assert.equal(rest.length, 0);
        assertXmlEqual(buildSaslAuth('PLAIN', 'AGFkbWluAGFkbWlucGFzcw=='), auth!);
        const parsed = parseSaslMessage(auth!);
        assert.deepEqual(parsed, { kind: 'auth', mechanism: 'PLAIN', data: 'AGFkbWluAGFkbWlucGFzcw==' });
        assert.equal(utf8(parseBase64(dataOf(parsed))), '\0admin\0adminpass');
        assert.deepEqual(parseSaslMessage(success!), { kind: 'success', data: '' });
        assertXmlEqual(buildSaslSuccess(), success!);
      }
    });

    it('reads the token transcripts: successes and the Invalid token failures', () => {
      const prosody = tokenSasl('Token transcript (Prosody, with a small token module of the kind described in ../API.md section 7)');
      assert.deepEqual(prosody.map(parseSaslMessage), [
        { kind: 'success', data: '' }, { kind: 'success', data: '' }, { kind: 'success', data: '' },
        { kind: 'failure', condition: 'not-authorized', text: 'Invalid token' },
      ]);
      assertXmlEqual(buildSaslFailure('not-authorized', 'Invalid token'), "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>Invalid token</text></failure>");
      const ejabberd = tokenSasl('Token transcript (ejabberd; the config has the loopback "admin access" rule, so the last line needs no token)');
      assert.deepEqual(ejabberd.map(parseSaslMessage), [
        { kind: 'success', data: '' },
        { kind: 'failure', condition: 'not-authorized', text: 'Invalid token' },
        { kind: 'failure', condition: 'not-authorized', text: 'Invalid token' },
      ]);
    });

    it('writes a zero-length payload as = and reads = and an empty element as empty data (RFC 6120 §6.4.2, §6.4.6)', () => {
      // The EXTERNAL auth with its empty response "=" is RFC 6120 §9.2.2, Step 9 (there from a server, S1:).
      assert.deepEqual(parseSaslMessage(parseXml(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'
          mechanism='EXTERNAL'>=</auth>`)), { kind: 'auth', mechanism: 'EXTERNAL', data: '' });
      assertXmlEqual(buildSaslAuth('EXTERNAL', ''), `<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'>=</auth>`);
      assertXmlEqual(buildSaslAuth('SCRAM-SHA-1'), `<auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-1'/>`);
      assertXmlEqual(buildSaslResponse(''), `<response xmlns='${NS_SASL}'>=</response>`);
      assertXmlEqual(buildSaslResponse(), `<response xmlns='${NS_SASL}'/>`);
      assertXmlEqual(buildSaslSuccess(''), `<success xmlns='${NS_SASL}'>=</success>`);
      assertXmlEqual(buildSaslChallenge(''), `<challenge xmlns='${NS_SASL}'>=</challenge>`);
      assert.deepEqual(parseSaslMessage(parseXml(`<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'>=</auth>`)), { kind: 'auth', mechanism: 'EXTERNAL', data: '' });
      assert.deepEqual(parseSaslMessage(parseXml(`<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'/>`)), { kind: 'auth', mechanism: 'EXTERNAL', data: '' });
      assert.deepEqual(parseSaslMessage(parseXml(`<challenge xmlns='${NS_SASL}'>\n  =\n</challenge>`)), { kind: 'challenge', data: '' });
    });

    it('reads an unknown or missing failure condition as not-authorized (the generic failure, RFC 6120 §6.5.10)', () => {
      assert.deepEqual(parseSaslMessage(parseXml(`<failure xmlns='${NS_SASL}'><bad-protocol/><text>x</text></failure>`)), { kind: 'failure', condition: 'not-authorized', text: 'x' });
      assert.deepEqual(parseSaslMessage(parseXml(`<failure xmlns='${NS_SASL}'/>`)), { kind: 'failure', condition: 'not-authorized', text: '' });
      assert.deepEqual(parseSaslMessage(parseXml(`<failure xmlns='${NS_SASL}'><x xmlns='urn:example'/><temporary-auth-failure/></failure>`)),
        { kind: 'failure', condition: 'temporary-auth-failure', text: '' });
    });

    it('refuses payloads that are not base64, other elements and <auth/> without mechanism', () => {
      for (const bad of ['abc', 'a===', '!!!!', 'AB=C', 'AAAA====', 'AB==AB==', 'QUJD\u00e9', 'QQ', '==']) {
        assert.throws(() => parseSaslMessage(parseXml(`<response xmlns='${NS_SASL}'>${bad}</response>`)),
          (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE', bad);
        assert.throws(() => buildSaslResponse(bad), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE', bad);
        assert.throws(() => parseBase64(bad), StanzaParseError, bad);
      }
      assert.throws(() => parseSaslMessage(parseXml(`<auth xmlns='${NS_SASL}'>AAAA</auth>`)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => buildSaslAuth(''), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE');
      assert.throws(() => parseSaslMessage(parseXml(`<proceed xmlns='${NS_SASL}'/>`)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
      assert.throws(() => parseSaslMessage(parseXml("<success xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
    });

    it('base64 follows RFC 4648 §10 test vectors', () => {
      const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
      for (const [text, encoded] of vectors) {
        assert.equal(buildBase64(new TextEncoder().encode(text)), encoded);
        assert.equal(utf8(parseBase64(encoded)), text);
      }
      assert.deepEqual(parseBase64('Zm9v\r\n YmFy'), new TextEncoder().encode('foobar'));
    });
  });

  describe('round trip', () => {
    const bytes = fc.uint8Array({ maxLength: 64 });
    const base64 = bytes.map(buildBase64);
    const message: fc.Arbitrary<SaslMessage> = fc.oneof(
      fc.record({ kind: fc.constant('auth' as const), mechanism: xmlTextNonEmpty(20), data: base64 }, { noNullPrototype: true }),
      fc.record({ kind: fc.constantFrom('challenge' as const, 'response' as const, 'success' as const), data: base64 }, { noNullPrototype: true }),
      fc.record({ kind: fc.constant('failure' as const), condition: fc.constantFrom(...SASL_FAILURE_CONDITIONS), text: xmlText() }, { noNullPrototype: true }),
      fc.constant({ kind: 'abort' as const }),
    );

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(message, (v) => {
        assert.deepEqual(parseSaslMessage(throughText(buildSaslMessage(v))), v);
      }));
    });

    it('base64: decode(encode(bytes)) is bytes, and the encoding is what Node writes', () => {
      fc.assert(fc.property(bytes, (b) => {
        const encoded = buildBase64(b);
        assert.equal(encoded, Buffer.from(b).toString('base64'));
        assert.deepEqual(parseBase64(encoded), b);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseSaslMessage only returns or throws StanzaParseError', () => {
      fuzzParser(parseSaslMessage, {
        names: ['auth', 'challenge', 'response', 'success', 'failure', 'abort', 'text', 'not-authorized', 'aborted'],
        namespaces: [NS_SASL, 'jabber:client'],
        attrs: ['mechanism', 'xml:lang'],
        seeds: [`<challenge xmlns='${NS_SASL}'>${SCRAM_CHALLENGE}</challenge>`, `<auth xmlns='${NS_SASL}' mechanism='PLAIN'>=</auth>`],
      });
    });

    it('parseBase64 only returns what Node decodes, or throws StanzaParseError', () => {
      const text = fc.oneof(xmlText(12), fc.uint8Array({ maxLength: 12 }).map(buildBase64), fc.stringMatching(/^[A-Za-z0-9+/= \n]{0,12}$/));
      fc.assert(fc.property(text, (t) => {
        let decoded: Uint8Array;
        try {
          decoded = parseBase64(t);
        } catch (error) {
          assert.ok(error instanceof StanzaParseError, String(error));
          return;
        }
        assert.deepEqual(Buffer.from(decoded), Buffer.from(t, 'base64'));
      }), { numRuns: 500 });
    });
  });
});
