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

/** An RFC 6121 example sent by a client (UC:, CC:), in the 'jabber:client' namespace its stream declares. */
function asSent(xml: string): ReturnType<typeof parseXml> {
  const element = parseXml(xml);
  element.attrs.xmlns = 'jabber:client';
  return element;
}

describe('stanzas/presence (RFC 6121 §3-4)', () => {
  describe('golden fixtures', () => {
    it('builds the subscription presences of RFC 6121 §3.1.1, §3.1.4, §3.3.1, §3.2.1 and §3.4.1', () => {
      // §3.1.1
      assertXmlEqual(buildSubscribe('juliet@example.com', 'xk3h1v69'), asSent(`<presence id='xk3h1v69'
              to='juliet@example.com'
              type='subscribe'/>`));
      // §3.1.4: approving, and denying
      assertXmlEqual(buildSubscribed('romeo@example.net', 'h4v1c4kj'), asSent(`<presence id='h4v1c4kj' 
              to='romeo@example.net' 
              type='subscribed'/>`));
      assertXmlEqual(buildUnsubscribed('romeo@example.net', 'tb2m1b59'), asSent(`<presence id='tb2m1b59' 
              to='romeo@example.net' 
              type='unsubscribed'/>`));
      // §3.3.1
      assertXmlEqual(buildUnsubscribe('juliet@example.com', 'ul4bs71n'), asSent(`<presence id='ul4bs71n'
              to='juliet@example.com' 
              type='unsubscribe'/>`));
      // §3.2.1
      assertXmlEqual(buildUnsubscribed('romeo@example.net', 'ij5b1v7g'), asSent(`<presence id='ij5b1v7g'
              to='romeo@example.net' 
              type='unsubscribed'/>`));
      // §3.4.1: the pre-approval
      assertXmlEqual(buildSubscribed('juliet@example.com', 'pg81vx64'), asSent(`<presence id='pg81vx64'
              to='juliet@example.com'
              type='subscribed'/>`));
    });

    it('reads the subscription request as the user\'s server stamps and routes it (RFC 6121 §3.1.2)', () => {
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net'
              id='xk3h1v69'
              to='juliet@example.com' 
              type='subscribe'/>`)),
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

    it('builds initial presence (RFC 6121 §4.2.1) and a subsequent presence broadcast (§4.4.1)', () => {
      assertXmlEqual(buildPresence(), asSent('<presence/>'));
      assertXmlEqual(buildPresence({ show: 'away' }), asSent(`<presence>
      <show>away</show>
    </presence>`));
    });

    it('reads the show, status and priority examples of RFC 6121 §4.7.2.2 and §4.7.2.3 (first status)', () => {
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net/orchard'
          xml:lang='en'>
  <show>dnd</show>
  <status>Wooing Juliet</status>
</presence>`)), { type: 'available', from: 'romeo@example.net/orchard', show: 'dnd', status: 'Wooing Juliet' });
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net/orchard'
          id='jx62vs97'
          xml:lang='en'>
  <show>dnd</show>
  <status>Wooing Juliet</status>
  <status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status>
</presence>`)), { type: 'available', from: 'romeo@example.net/orchard', id: 'jx62vs97', show: 'dnd', status: 'Wooing Juliet' });
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net/orchard'
          id='oy6sb241'
          type='unavailable'
          xml:lang='en'>
  <status>Busy IRL</status>
</presence>`)), { type: 'unavailable', from: 'romeo@example.net/orchard', id: 'oy6sb241', status: 'Busy IRL' });
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net'
          id='uc51xs63'
          to='nurse@example.com'
          type='subscribe'>
  <status>Hi, Juliet told me to add you to my buddy list.</status>
</presence>`)), { type: 'subscribe', from: 'romeo@example.net', to: 'nurse@example.com', id: 'uc51xs63', status: 'Hi, Juliet told me to add you to my buddy list.' });
      assert.deepEqual(parsePresence(parseXml(`<presence xml:lang='en'>
  <show>dnd</show>
  <status>Wooing Juliet</status>
  <status xml:lang='cs'>Dvo&#x0159;&#x00ED;m se Julii</status>
  <priority>1</priority>
</presence>`)), { type: 'available', show: 'dnd', status: 'Wooing Juliet', priority: 1 });
    });

    it('reads the XEP-0115 <c/> of RFC 6121 §4.7.3 and of XEP-0115 §1.2, and builds it', () => {
      assert.deepEqual(parsePresence(parseXml(`<presence from='romeo@example.net'>
  <c xmlns='http://jabber.org/protocol/caps' 
     hash='sha-1'
     node='http://psi-im.org'
     ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/>
</presence>`)), { type: 'available', from: 'romeo@example.net', caps: { hash: 'sha-1', node: 'http://psi-im.org', ver: 'q07IKJEyjvHSyhy//CH0CxmKi8w=' } });
      const presence = parseXml(`<presence from='romeo@montague.lit/orchard'>
  <c xmlns='http://jabber.org/protocol/caps' 
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`);
      assert.deepEqual(parsePresence(presence), {
        type: 'available', from: 'romeo@montague.lit/orchard',
        caps: { hash: 'sha-1', node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' },
      });
      // XEP-0115 §6.1, 'Presence with caps'
      assertXmlEqual(buildPresence({ caps: { hash: 'sha-1', node: 'http://code.google.com/p/exodus', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' } }), asSent(`<presence>
  <c xmlns='http://jabber.org/protocol/caps'
     hash='sha-1'
     node='http://code.google.com/p/exodus'
     ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>
</presence>`));
    });

    it('builds and reads unavailable presence, with and without status (RFC 6121 §4.5.1)', () => {
      assertXmlEqual(buildUnavailable(), asSent("<presence type='unavailable'/>"));
      assertXmlEqual(buildUnavailable('going on vacation'), asSent(`<presence type='unavailable'>
      <status>going on vacation</status>
    </presence>`));
      assert.deepEqual(parsePresence(parseXml(`<presence from='juliet@example.com/balcony' 
              to='romeo@example.net'
              type='unavailable'>
      <status>going on vacation</status>
    </presence>`)), { type: 'unavailable', from: 'juliet@example.com/balcony', to: 'romeo@example.net', status: 'going on vacation' });
      const bosh = parseXml("<presence xml:lang='en' from='admin@localhost/bosh' type='unavailable' xmlns='jabber:client'/>");
      assert.deepEqual(parsePresence(bosh), { type: 'unavailable', from: 'admin@localhost/bosh' });
    });

    it('reads the error presence of RFC 6121 §3.1.2 with its error details', () => {
      const presence = parseXml(`<presence from='juliet@example.com' 
              id='xk3h1v69'
              to='romeo@example.net'
              type='error'>
      <error type='modify'>
        <remote-server-not-found 
            xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
      </error>
    </presence>`);
      assert.deepEqual(parsePresence(presence), {
        type: 'error', from: 'juliet@example.com', to: 'romeo@example.net', id: 'xk3h1v69',
        error: { type: 'modify', condition: 'remote-server-not-found', text: '', applicationCondition: '', by: '' },
      });
    });

    // RFC 6120 §8.3.3.5 writes the new address on a line of its own: `by` is the trimmed address.
    it('reads the <gone/> error presence of RFC 6121 §4.3.2 with the new address', () => {
      const gone = parseXml(`<presence from='mercutio@example.com' 
              id='xv291f38'
              to='juliet@example.com' 
              type='error'>
      <error type='modify'>
        <gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>
          xmpp:la-mer@example.com
        </gone>
      </error>
    </presence>`);
      assert.deepEqual(parsePresence(gone), {
        type: 'error', from: 'mercutio@example.com', to: 'juliet@example.com', id: 'xv291f38',
        error: { type: 'modify', condition: 'gone', text: '', applicationCondition: '', by: 'xmpp:la-mer@example.com' },
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
