import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { buildLastActivity, buildLastActivityGet, parseLastActivity } from '../../lib/stanzas/last-activity.js';
import { NS_LAST } from '../../lib/stanzas/ns.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { bareJid, stanzaId, xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

describe('stanzas/last-activity (XEP-0012)', () => {
  describe('golden fixtures', () => {
    it('builds the request of XEP-0012 Example 1', () => {
      assertXmlEqual(buildLastActivityGet('last1', 'juliet@capulet.com'),
        "<iq xmlns='jabber:client' type='get' id='last1' to='juliet@capulet.com'><query xmlns='jabber:iq:last'/></iq>");
    });

    it('reads XEP-0012 Example 2 (offline for 903 s, with status)', () => {
      const iq = parseXml("<iq from='juliet@capulet.com' id='last1' to='romeo@montague.net/orchard' type='result'><query xmlns='jabber:iq:last' seconds='903'>Heading Home</query></iq>");
      assert.deepEqual(parseLastActivity(iq), { seconds: 903, status: 'Heading Home' });
    });

    for (const server of ['prosody', 'ejabberd'] as const) {
      it(`reads ${server}'s answers: online contact, offline contact, server uptime`, () => {
        assert.deepEqual(parseLastActivity(realStanza('last activity of ONLINE subscribed contact (bare JID)', server)), { seconds: 0, status: '' });
        assert.deepEqual(parseLastActivity(realStanza('last activity of OFFLINE subscribed contact', server)), { seconds: 2, status: 'Gone fishing' });
        assert.ok(parseLastActivity(realStanza('last activity of the server (uptime)', server)).seconds > 0);
      });
    }

    it("throws the server's refusal for a non-contact as StanzaError", () => {
      assert.throws(() => parseLastActivity(realStanza('last activity of OFFLINE NON-contact (carol -> bob)', 'prosody')),
        (e: unknown) => e instanceof StanzaError && e.condition === 'forbidden' && e.type === 'auth');
      assert.throws(() => parseLastActivity(realStanza('last activity of OFFLINE NON-contact (carol -> bob)', 'ejabberd')),
        (e: unknown) => e instanceof StanzaError && e.condition === 'subscription-required' && e.text === 'Not subscribed');
    });

    it('refuses a query without seconds or with a negative or fractional value', () => {
      for (const bad of ["<query xmlns='jabber:iq:last'/>", "<query xmlns='jabber:iq:last' seconds='-1'/>", "<query xmlns='jabber:iq:last' seconds='1.5'/>"]) {
        assert.throws(() => parseLastActivity(parseXml(bad)), StanzaParseError);
      }
      assert.throws(() => parseLastActivity(parseXml("<query xmlns='jabber:iq:roster' seconds='1'/>")), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
    });
  });

  describe('round trip', () => {
    it('parse(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(fc.record({ seconds: fc.nat(), status: xmlText() }, { noNullPrototype: true }), (v) => {
        assert.deepEqual(parseLastActivity(throughText(buildLastActivity(v))), v);
      }));
    });

    it('the request carries the id and the addressee', () => {
      fc.assert(fc.property(stanzaId, bareJid, (id, to) => {
        const iq = throughText(buildLastActivityGet(id, to));
        assert.equal(iq.attrs.id, id);
        assert.equal(iq.attrs.to, to);
        assert.equal(iq.attrs.type, 'get');
        assert.equal(iq.getChild('query', NS_LAST)?.children.length, 0);
        assert.match(serialize(iq), /^<iq /);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('only returns or throws StanzaParseError', () => {
      fuzzParser(parseLastActivity, { names: ['iq', 'query', 'error'], namespaces: [NS_LAST, 'jabber:client'], attrs: ['seconds', 'type', 'id'] });
    });
  });
});
