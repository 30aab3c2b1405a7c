import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaParseError } from '../../lib/errors.js';
import { NS_CAPS, NS_STANZAS } from '../../lib/stanzas/ns.js';
import {
  buildPresence, buildSubscribe, buildSubscribed, buildUnavailable, buildUnsubscribe, buildUnsubscribed, isPresence,
  parsePresence, type Presence, type PresenceInit,
} from '../../lib/stanzas/presence.js';
import { STANZA_ERROR_CONDITIONS, STANZA_ERROR_TYPES } from '../../lib/stanzas/stanza-error.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, fullJid, stanzaId, xmlName, xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isCode = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;

describe('stanzas/presence (RFC 6121 §3-4)', () => {
  describe('golden fixtures', () => {
    it('builds the subscription presences of RFC 6121 §3.1.1, §3.1.5, §3.3.1, §3.2.1', () => {
      assertXmlEqual(buildSubscribe('juliet@example.com', 'xk3h1v69'), "<presence xmlns='jabber:client' id='xk3h1v69' to='juliet@example.com' type='subscribe'/>");
      assertXmlEqual(buildSubscribed('romeo@example.net', 'h4v1c4kj'), "<presence xmlns='jabber:client' id='h4v1c4kj' to='romeo@example.net' type='subscribed'/>");
      assertXmlEqual(buildUnsubscribe('juliet@example.com', 'ul3bs71f'), "<presence xmlns='jabber:client' id='ul3bs71f' to='juliet@example.com' type='unsubscribe'/>");
      assertXmlEqual(buildUnsubscribed('romeo@example.net'), "<presence xmlns='jabber:client' to='romeo@example.net' type='unsubscribed'/>");
    });

    it('reads the subscription request as delivered to the contact (RFC 6121 §3.1.3)', () => {
      assert.deepEqual(parsePresence(parseXml("<presence from='romeo@example.net' id='xk3h1v69' to='juliet@example.com' type='subscribe'/>")),
        { type: 'subscribe', from: 'romeo@example.net', to: 'juliet@example.com', id: 'xk3h1v69' });
    });

    for (const server of ['prosody', 'ejabberd'] as const) {
      it(`reads ${server}'s "subscribe presence as received by bob"`, () => {
        const presence = parsePresence(realStanza('subscribe presence as received by bob', server));
        assert.deepEqual(presence, server === 'prosody'
          ? { type: 'subscribe', from: 'alice_mwzrbr01@localhost', to: 'bob_mwzrbr01@localhost' }
          : { type: 'subscribe', from: 'alice_mwzrbybw@localhost', to: 'bob_mwzrbybw@localhost/test' });
      });
    }

    it('builds initial presence (RFC 6121 §4.2.1) and presence with show, status and priority (§4.7.2)', () => {
      assertXmlEqual(buildPresence(), "<presence xmlns='jabber:client'/>");
      assertXmlEqual(buildPresence({ show: 'away', status: 'be right back', priority: 0 }),
        "<presence xmlns='jabber:client'><show>away</show><status>be right back</status><priority>0</priority></presence>");
    });

    it('reads presence with show, status, priority and the XEP-0115 <c/> of XEP-0115 Example 1', () => {
      const presence = parseXml(`<presence from='romeo@montague.lit/orchard'>
  <show>dnd</show>
  <status>In a meeting</status>
  <priority>-1</priority>
  <c xmlns='http://jabber.org/protocol/caps'
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`);
      assert.deepEqual(parsePresence(presence), {
        type: 'available', from: 'romeo@montague.lit/orchard', show: 'dnd', status: 'In a meeting', priority: -1,
        caps: { hash: 'sha-1', node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' },
      });
      assertXmlEqual(buildPresence({ caps: { hash: 'sha-1', node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' } }),
        "<presence xmlns='jabber:client'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>");
    });

    it('builds and reads unavailable presence, with and without status (RFC 6121 §4.5.1)', () => {
      assertXmlEqual(buildUnavailable(), "<presence xmlns='jabber:client' type='unavailable'/>");
      assertXmlEqual(buildUnavailable('going on vacation'), "<presence xmlns='jabber:client' type='unavailable'><status>going on vacation</status></presence>");
      const bosh = parseXml("<presence xml:lang='en' from='admin@localhost/bosh' type='unavailable' xmlns='jabber:client'/>");
      assert.deepEqual(parsePresence(bosh), { type: 'unavailable', from: 'admin@localhost/bosh' });
    });

    it('reads an error presence with its error details (RFC 6120 §8.3)', () => {
      const presence = parseXml(`<presence from='juliet@example.com' to='romeo@example.net/home' type='error'>
  <error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
</presence>`);
      assert.deepEqual(parsePresence(presence), {
        type: 'error', from: 'juliet@example.com', to: 'romeo@example.net/home',
        error: { type: 'cancel', condition: 'remote-server-not-found', text: '', applicationCondition: '', by: '' },
      });
    });

    it('takes the first show, status and priority; ignores unknown children and a legacy <c/> without hash', () => {
      const presence = parseXml(`<presence xmlns='jabber:client'><status xml:lang='en'>first</status><status xml:lang='fr'>premier</status>
        <x xmlns='vcard-temp:x:update'><photo/></x><priority> 5 </priority><c xmlns='http://jabber.org/protocol/caps' node='n' ver='1.0' ext='a b'/>
        <show xmlns='urn:other'>nonsense</show></presence>`);
      assert.deepEqual(parsePresence(presence), { type: 'available', status: 'first', priority: 5 });
    });

    it('refuses what RFC 6121 §4.7 forbids, with a code', () => {
      const p = (text: string): ReturnType<typeof parseXml> => parseXml(`<presence xmlns='jabber:client'${text}`);
      assert.throws(() => parsePresence(p(" type='available'/>")), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePresence(p('><show>online</show></presence>')), isCode('STANZA_INVALID_VALUE'));
      for (const priority of ['128', '-129', '1.5', 'high', '']) {
        assert.throws(() => parsePresence(p(`><priority>${priority}</priority></presence>`)), isCode('STANZA_INVALID_VALUE'), priority);
      }
      assert.throws(() => parsePresence(p(" type='error'/>")), isCode('STANZA_MISSING_PART'));
      assert.throws(() => parsePresence(p("><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n'/></presence>")), isCode('STANZA_MISSING_PART'));
      assert.throws(() => parsePresence(parseXml("<message xmlns='jabber:client'/>")), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parsePresence(parseXml("<presence xmlns='urn:other'/>")), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => buildPresence({ priority: 200 }), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => buildPresence({ priority: 0.5 }), isCode('STANZA_INVALID_VALUE'));
      assert.equal(isPresence(p('/>')), true);
      assert.equal(isPresence(parseXml('<iq/>')), false);
    });
  });

  describe('round trip', () => {
    const common = {
      to: fullJid, from: bareJid, id: stanzaId,
      show: fc.constantFrom('away', 'chat', 'dnd', 'xa'),
      status: xmlText(),
      priority: fc.integer({ min: -128, max: 127 }),
      caps: fc.record({ hash: fc.constantFrom('sha-1', 'sha-256'), node: xmlText(), ver: xmlText() }, { noNullPrototype: true }),
    } as const;
    const optionalKeys = { requiredKeys: ['type'] as ['type'], noNullPrototype: true as const };
    const plain = fc.record({ type: fc.constantFrom('available', 'unavailable', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe'), ...common }, optionalKeys);
    const conditions = STANZA_ERROR_CONDITIONS.filter((c) => c !== 'gone' && c !== 'redirect');
    const error = fc.record({
      type: fc.constantFrom(...STANZA_ERROR_TYPES), condition: fc.constantFrom(...conditions), text: xmlText(),
      applicationCondition: fc.oneof(fc.constant(''), xmlName), by: fc.constant(''),
    }, { noNullPrototype: true });
    const withError = fc.record({ type: fc.constant('error' as const), error, ...common }, { requiredKeys: ['type', 'error'], noNullPrototype: true });

    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(fc.oneof(plain, withError), (v) => {
        assert.deepEqual(parsePresence(throughText(buildPresence(v as PresenceInit))), v as Presence);
      }));
    });

    it("a missing type builds as available, and the shortcuts read back as their type", () => {
      fc.assert(fc.property(bareJid, fc.option(stanzaId, { nil: undefined }), xmlText(), (to, id, status) => {
        const withId = id === undefined ? {} : { id };
        assert.deepEqual(parsePresence(throughText(buildPresence({ to }))), { type: 'available', to });
        assert.deepEqual(parsePresence(throughText(buildSubscribe(to, id))), { type: 'subscribe', to, ...withId });
        assert.deepEqual(parsePresence(throughText(buildSubscribed(to, id))), { type: 'subscribed', to, ...withId });
        assert.deepEqual(parsePresence(throughText(buildUnsubscribe(to, id))), { type: 'unsubscribe', to, ...withId });
        assert.deepEqual(parsePresence(throughText(buildUnsubscribed(to, id))), { type: 'unsubscribed', to, ...withId });
        assert.deepEqual(parsePresence(throughText(buildUnavailable(status))), { type: 'unavailable', status });
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parsePresence only returns or throws StanzaParseError', () => {
      fuzzParser(parsePresence, {
        names: ['presence', 'show', 'status', 'priority', 'c', 'error', 'message'],
        namespaces: ['jabber:client', NS_CAPS, NS_STANZAS, 'jabber:server'],
        attrs: ['type', 'to', 'from', 'id', 'hash', 'node', 'ver'],
      });
    });
  });
});
