import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { buildIq } from '../../lib/stanzas/iq.js';
import { NS_ROSTER } from '../../lib/stanzas/ns.js';
import {
  buildRoster, buildRosterGet, buildRosterPush, buildRosterPushResult, buildRosterSet, isRosterUnchanged, parseRoster,
  parseRosterPush, type Roster, type RosterItem,
} from '../../lib/stanzas/roster.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, stanzaId, xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { realStanza, realTexts } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const item = (jid: string, more: Partial<RosterItem> = {}): RosterItem => ({ jid, name: '', subscription: 'none', ask: '', groups: [], approved: false, ...more });
const isCode = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;

/**
 * An RFC 6121 example as the client builds it: without the 'from' its server stamps (and the other
 * attributes named), in the 'jabber:client' namespace that the RFC's stream declares.
 */
function asBuilt(xml: string, ...drop: string[]): Element {
  const element = parseXml(xml);
  for (const name of ['from', ...drop]) delete element.attrs[name];
  element.attrs.xmlns = 'jabber:client';
  return element;
}

describe('stanzas/roster (RFC 6121 §2)', () => {
  describe('golden fixtures', () => {
    it('builds the roster gets of RFC 6121 §2.1.3, §2.2 and §2.6.2', () => {
      // §2.1.3
      assertXmlEqual(buildRosterGet('bv1bs71f'), asBuilt(`<iq from='juliet@example.com/balcony' 
       id='bv1bs71f'
       type='get'>
    <query xmlns='jabber:iq:roster'/>
  </iq>`));
      // §2.2
      assertXmlEqual(buildRosterGet('hu2bac18'), asBuilt(`<iq from='juliet@example.com/balcony' 
       id='hu2bac18'
       type='get'>
     <query xmlns='jabber:iq:roster'/>
   </iq>`));
      // §2.6.2. The RFC's get is addressed to the user's own bare JID ('to'), which is the same as no
      // 'to' (RFC 6120 §10.3.3); buildRosterGet writes none.
      assertXmlEqual(buildRosterGet('r1h3vzp7', 'ver14'), asBuilt(`<iq from='romeo@example.net/home'
       id='r1h3vzp7'
       to='romeo@example.net'
       type='get'>
     <query xmlns='jabber:iq:roster' ver='ver14'/>
   </iq>`, 'to'));
      // §2.6.2 in words, no example: ver='' bootstraps roster versioning.
      assertXmlEqual(buildRosterGet('t9', ''), "<iq xmlns='jabber:client' id='t9' type='get'><query xmlns='jabber:iq:roster' ver=''/></iq>");
    });

    it('reads the roster results of RFC 6121 §2.1.4: two items, an empty roster, no roster', () => {
      const iq = parseXml(`<iq id='bv1bs71f'
       to='juliet@example.com/chamber'
       type='result'>
    <query xmlns='jabber:iq:roster' ver='ver7'>
      <item jid='nurse@example.com'/>
      <item jid='romeo@example.net'/>
    </query>
  </iq>`);
      assert.deepEqual(parseRoster(iq), { ver: 'ver7', items: [item('nurse@example.com'), item('romeo@example.net')] });
      assert.deepEqual(parseRoster(parseXml(`<iq id='bv1bs71f'
       to='juliet@example.com/chamber' 
       type='result'>
    <query xmlns='jabber:iq:roster' ver='ver9'/>
  </iq>`)), { ver: 'ver9', items: [] });
      assert.throws(() => parseRoster(parseXml(`<iq id='bv1bs71f'
       to='juliet@example.com/chamber' 
       type='error'>
    <error type='cancel'>
      <item-not-found 
          xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
    </error>
  </iq>`)), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found' && e.type === 'cancel');
    });

    it('reads the roster of RFC 6121 §2.2 (name, subscription, group)', () => {
      const iq = parseXml(`<iq id='hu2bac18'
       to='juliet@example.com/balcony'
       type='result'> 
     <query xmlns='jabber:iq:roster' ver='ver11'>
       <item jid='romeo@example.net'
             name='Romeo'
             subscription='both'>
         <group>Friends</group>
       </item>
       <item jid='mercutio@example.com'
             name='Mercutio'
             subscription='from'/>
       <item jid='benvolio@example.net'
             name='Benvolio'
             subscription='both'/>
     </query>
   </iq>`);
      assert.deepEqual(parseRoster(iq), {
        ver: 'ver11',
        items: [
          item('romeo@example.net', { name: 'Romeo', subscription: 'both', groups: ['Friends'] }),
          item('mercutio@example.com', { name: 'Mercutio', subscription: 'from' }),
          item('benvolio@example.net', { name: 'Benvolio', subscription: 'both' }),
        ],
      });
    });

    it('reads the ask of RFC 6121 §3.1.2 and the approved of §3.4.2 in their roster pushes', () => {
      const pending = parseXml(`<iq id='b89c5r7ib574'
        to='romeo@example.net/foo'
        type='set'>
      <query xmlns='jabber:iq:roster'>
        <item ask='subscribe'
              jid='juliet@example.com'
              subscription='none'/>
      </query>
    </iq>`);
      assert.deepEqual(parseRosterPush(pending), { id: 'b89c5r7ib574', item: item('juliet@example.com', { ask: 'subscribe' }) });
      const preApproved = parseXml(`<iq id='h3bs81vs763f'
        to='romeo@example.net/bar'
        type='set'>
      <query xmlns='jabber:iq:roster'>
        <item approved='true'
              jid='juliet@example.com'
              subscription='none'/>
      </query>
    </iq>`);
      assert.deepEqual(parseRosterPush(preApproved), { id: 'h3bs81vs763f', item: item('juliet@example.com', { approved: true }) });
    });

    it('builds the roster sets of RFC 6121 §2.1.5, §2.3.1 (add with group), §2.4.1 (updates) and §2.5.1 (remove)', () => {
      assertXmlEqual(buildRosterSet('rs1', { jid: 'nurse@example.com' }), asBuilt(`<iq from='juliet@example.com/balcony' 
       id='rs1'
       type='set'>
    <query xmlns='jabber:iq:roster'>
      <item jid='nurse@example.com'/>
    </query>
  </iq>`));
      assertXmlEqual(buildRosterSet('ph1xaz53', { jid: 'nurse@example.com', name: 'Nurse', groups: ['Servants'] }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='ph1xaz53'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='nurse@example.com'
             name='Nurse'>
         <group>Servants</group>
       </item>
     </query>
   </iq>`));
      assertXmlEqual(buildRosterSet('di43b2x9', { jid: 'romeo@example.net', name: 'Romeo', groups: ['Friends', 'Lovers'] }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='di43b2x9'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='romeo@example.net'
             name='Romeo'>
         <group>Friends</group>
         <group>Lovers</group>
       </item>
     </query>
   </iq>`));
      assertXmlEqual(buildRosterSet('lf72v157', { jid: 'romeo@example.net', name: 'Romeo', groups: ['Lovers'] }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='lf72v157'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='romeo@example.net'
             name='Romeo'>
         <group>Lovers</group>
       </item>
     </query>
   </iq>`));
      assertXmlEqual(buildRosterSet('ju4b62a5', { jid: 'romeo@example.net' }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='ju4b62a5'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='romeo@example.net'/>
     </query>
   </iq>`));
      assertXmlEqual(buildRosterSet('gb3sv487', { jid: 'romeo@example.net', name: 'MyRomeo' }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='gb3sv487'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='romeo@example.net'
             name='MyRomeo'/>
     </query>
   </iq>`));
      // §2.4.1: "Including an empty 'name' attribute is equivalent to including no 'name' attribute";
      // the example writes name='', buildRosterSet writes no name. Both read as name ''.
      const noHandle = `<iq from='juliet@example.com/balcony'
       id='o3bx66s5'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='romeo@example.net'
             name=''/>
     </query>
   </iq>`;
      assert.deepEqual(parseRoster(parseXml(noHandle)), { items: [item('romeo@example.net')] });
      assert.deepEqual(parseRoster(buildRosterSet('o3bx66s5', { jid: 'romeo@example.net', name: '' })), { items: [item('romeo@example.net')] });
      assertXmlEqual(buildRosterSet('hm4hs97y', { jid: 'nurse@example.com', subscription: 'remove' }), asBuilt(`<iq from='juliet@example.com/balcony'
       id='hm4hs97y'
       type='set'>
     <query xmlns='jabber:iq:roster'>
       <item jid='nurse@example.com'
             subscription='remove'/>
     </query>
   </iq>`));
    });

    it('reads the pushes of RFC 6121 §2.1.6 and §2.3.2 and builds their acknowledgements', () => {
      const push = parseXml(`<iq id='a78b4q6ha463'
       to='juliet@example.com/chamber'
       type='set'>
    <query xmlns='jabber:iq:roster'>
      <item jid='nurse@example.com'/>
    </query>
  </iq>`);
      assert.deepEqual(parseRosterPush(push), { id: 'a78b4q6ha463', item: item('nurse@example.com') });
      assertXmlEqual(buildRosterPushResult('a78b4q6ha463'), asBuilt(`<iq from='juliet@example.com/balcony'
       id='a78b4q6ha463'
       type='result'/>`));
      const added = parseXml(`<iq to='juliet@example.com/chamber'
       id='x81g3bdy4n19'
       type='set'>
     <query xmlns='jabber:iq:roster' ver='ver13'>
       <item jid='nurse@example.com'
             name='Nurse'
             subscription='none'>
         <group>Servants</group>
       </item>
     </query>
   </iq>`);
      assert.deepEqual(parseRosterPush(added), { id: 'x81g3bdy4n19', ver: 'ver13', item: item('nurse@example.com', { name: 'Nurse', groups: ['Servants'] }) });
      assertXmlEqual(buildRosterPushResult('x81g3bdy4n19'), asBuilt(`<iq from='juliet@example.com/chamber'
       id='x81g3bdy4n19'
       type='result'/>`));
      // Not an RFC example: the acknowledgement of a push that came with a 'from'.
      assertXmlEqual(buildRosterPushResult('p1', 'juliet@example.com'), "<iq xmlns='jabber:client' id='p1' to='juliet@example.com' type='result'/>");
    });

    it('reads the versioning answers of RFC 6121 §2.6.3: "unchanged", then the interim pushes', () => {
      const unchanged = parseXml(`<iq from='romeo@example.net'
       id='r1h3vzp7'
       to='romeo@example.net/home'
       type='result'/>`);
      assert.equal(isRosterUnchanged(unchanged), true);
      assert.throws(() => parseRoster(unchanged), isCode('STANZA_MISSING_PART'));
      const pushes = [`<iq from='romeo@example.net'
       id='ah382g67'
       to='romeo@example.net/home'
       type='set'>
     <query xmlns='jabber:iq:roster' ver='ver34'>
       <item jid='tybalt@example.org' subscription='remove'/>
     </query>
   </iq>`, `<iq from='romeo@example.net'
       id='b2gs90j5'
       to='romeo@example.net/home'
       type='set'>
     <query xmlns='jabber:iq:roster' ver='ver42'>
       <item jid='bill@example.org' subscription='both'/>
     </query>
   </iq>`, `<iq from='romeo@example.net'
       id='c73gs419'
       to='romeo@example.net/home'
       type='set'>
     <query xmlns='jabber:iq:roster' ver='ver72'>
       <item jid='nurse@example.org'
             name='Nurse'
             subscription='to'>
         <group>Servants</group>
       </item>
     </query>
   </iq>`, `<iq from='romeo@example.net'
       id='dh361f35'
       to='romeo@example.net/home'
       type='set'>
     <query xmlns='jabber:iq:roster' ver='ver96'>
       <item jid='juliet@example.org'
             name='Juliet'
             subscription='both'>
         <group>VIPs</group>
       </item>
     </query>
   </iq>`];
      assert.deepEqual(pushes.map((p) => parseRosterPush(parseXml(p))), [
        { id: 'ah382g67', from: 'romeo@example.net', ver: 'ver34', item: item('tybalt@example.org', { subscription: 'remove' }) },
        { id: 'b2gs90j5', from: 'romeo@example.net', ver: 'ver42', item: item('bill@example.org', { subscription: 'both' }) },
        { id: 'c73gs419', from: 'romeo@example.net', ver: 'ver72', item: item('nurse@example.org', { name: 'Nurse', subscription: 'to', groups: ['Servants'] }) },
        { id: 'dh361f35', from: 'romeo@example.net', ver: 'ver96', item: item('juliet@example.org', { name: 'Juliet', subscription: 'both', groups: ['VIPs'] }) },
      ]);
    });

    for (const server of ['prosody', 'ejabberd'] as const) {
      it(`reads ${server}'s roster answers: versioned, unchanged, unversioned`, () => {
        const versioned = parseRoster(realStanza("roster get (ver='')", server));
        assert.deepEqual(versioned.items, [item(server === 'prosody' ? 'bob_mwzrbr01@localhost' : 'bob_mwzrbybw@localhost', { subscription: 'both' })]);
        assert.equal(versioned.ver, server === 'prosody' ? '4' : '35b0b9a61ef89ed8015751c49c5e38de396968f1');
        const unchanged = realStanza('roster get with current ver (unchanged)', server);
        assert.equal(isRosterUnchanged(unchanged), true);
        assert.equal(isRosterUnchanged(realStanza("roster get (ver='')", server)), false);
        const plain = parseRoster(realStanza('roster get without ver', server));
        assert.deepEqual(plain.items, versioned.items);
        assert.equal(plain.ver, server === 'prosody' ? '4' : undefined, 'Prosody versions even when not asked; ejabberd does not');
      });
    }

    it("reads both servers' pushes during a subscription: ask, to, both", () => {
      const prosody = realTexts('roster pushes to alice during subscription').slice(0, 3).map((t) => parseRosterPush(parseXml(t)));
      assert.deepEqual(prosody.map((p) => [p.from, p.ver, p.item.subscription, p.item.ask]), [
        [undefined, '1', 'none', 'subscribe'], [undefined, '2', 'to', ''], [undefined, '4', 'both', ''],
      ]);
      assert.deepEqual(prosody[0], { id: 'mBjmciBLTrv_', ver: '1', item: item('bob_mwzrbr01@localhost', { ask: 'subscribe' }) });
      const ejabberd = [0, 1, 2, 3].map((i) => parseRosterPush(realStanza('roster pushes to alice during subscription', 'ejabberd', i)));
      assert.deepEqual(ejabberd.map((p) => [p.from, p.item.jid, p.item.subscription, p.item.ask]), [
        ['alice_mwzrbybw@localhost', 'bob_mwzrbybw@localhost', 'none', 'subscribe'],
        ['alice_mwzrbybw@localhost', 'bob_mwzrbybw@localhost', 'to', ''],
        ['alice_mwzrbybw@localhost', 'bob_mwzrbybw@localhost', 'to', ''],
        ['alice_mwzrbybw@localhost', 'bob_mwzrbybw@localhost', 'both', ''],
      ]);
      assert.equal(ejabberd[3]?.ver, '35b0b9a61ef89ed8015751c49c5e38de396968f1');
      assert.equal(ejabberd[3]?.id, 'push14163478760293091592');
    });

    it('ignores duplicate and empty groups on read, and never writes them (RFC 6121 §2.1.2.6, §2.3.3)', () => {
      const query = parseXml("<query xmlns='jabber:iq:roster'><item jid='a@b'><group>X</group><group/><group>Y</group><group>X</group></item></query>");
      assert.deepEqual(parseRoster(query).items[0]?.groups, ['X', 'Y']);
      assertXmlEqual(buildRosterSet('s', { jid: 'a@b', groups: ['X', '', 'Y', 'X'] }),
        "<iq xmlns='jabber:client' id='s' type='set'><query xmlns='jabber:iq:roster'><item jid='a@b'><group>X</group><group>Y</group></item></query></iq>");
    });

    it('tolerates the RFC 3921 ask="unsubscribe", reads approved as xs:boolean, ignores foreign children', () => {
      const query = parseXml(`<query xmlns='jabber:iq:roster'><item jid='a@b' ask='unsubscribe' approved='1'/>
        <item xmlns='urn:other' jid='x@y'/><x xmlns='urn:ext'/><item jid='c@d' approved='false'><group xmlns='urn:other'>no</group></item></query>`);
      assert.deepEqual(parseRoster(query).items, [item('a@b', { approved: true }), item('c@d')]);
    });

    it('reads prefixed and redeclared namespaces as XML namespaces work', () => {
      const prefixed = parseXml(`<iq xmlns='jabber:client' type='result' id='p'><r:query xmlns:r='jabber:iq:roster' ver='1'>
        <r:item jid='a@b' subscription='to'><r:group>G</r:group><group>not roster</group></r:item>
        <item jid='not@roster'/><item xmlns='jabber:iq:roster' jid='c@d'><group>H</group></item></r:query></iq>`);
      assert.deepEqual(parseRoster(prefixed), { ver: '1', items: [item('a@b', { subscription: 'to', groups: ['G'] }), item('c@d', { groups: ['H'] })] });
      const push = parseXml("<iq type='set' id='x'><r:query xmlns:r='jabber:iq:roster'><r:item jid='a@b'><r:group>G</r:group></r:item></r:query></iq>");
      assert.deepEqual(parseRosterPush(push), { id: 'x', item: item('a@b', { groups: ['G'] }) });
    });

    it('refuses bad items and bad pushes with a code', () => {
      const q = (inner: string): ReturnType<typeof parseXml> => parseXml(`<query xmlns='jabber:iq:roster'>${inner}</query>`);
      assert.throws(() => parseRoster(q("<item name='x'/>")), isCode('STANZA_MISSING_PART'));
      assert.throws(() => parseRoster(q("<item jid='a@b' subscription='all'/>")), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseRoster(q("<item jid='a@b' ask='please'/>")), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseRoster(q("<item jid='a@b' approved='yes'/>")), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseRoster(parseXml("<query xmlns='jabber:iq:private'/>")), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseRoster(parseXml("<iq type='error' id='e'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")),
        (e: unknown) => e instanceof StanzaError && e.condition === 'forbidden');
      const push = (inner: string, attrs = "type='set' id='p'"): ReturnType<typeof parseXml> => parseXml(`<iq ${attrs}><query xmlns='jabber:iq:roster'>${inner}</query></iq>`);
      assert.throws(() => parseRosterPush(push('')), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseRosterPush(push("<item jid='a@b'/><item jid='c@d'/>")), isCode('STANZA_INVALID_VALUE'));
      assert.throws(() => parseRosterPush(push("<item jid='a@b'/>", "type='result' id='p'")), isCode('STANZA_UNEXPECTED'));
      assert.throws(() => parseRosterPush(push("<item jid='a@b'/>", "type='set'")), isCode('STANZA_MISSING_PART'));
      assert.throws(() => parseRosterPush(parseXml("<iq type='set' id='p'><block xmlns='urn:xmpp:blocking'/></iq>")), isCode('STANZA_UNEXPECTED'));
      assert.equal(isRosterUnchanged(parseXml("<iq type='error' id='e'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")), false);
      assert.equal(isRosterUnchanged(parseXml("<iq type='get' id='g'/>")), false);
    });

    it('reads a roster of 1,000 items', () => {
      const items = Array.from({ length: 1000 }, (_, i) => item(`user${i}@example.com`, { name: `User ${i}`, subscription: 'both', groups: i % 2 ? ['Friends'] : [] }));
      const parsed = parseRoster(throughText(buildIq({ type: 'result', id: 'big', payload: buildRoster({ ver: 'v1000', items }) })));
      assert.deepEqual(parsed, { ver: 'v1000', items });
    });
  });

  describe('round trip', () => {
    const rosterItem: fc.Arbitrary<RosterItem> = fc.record({
      jid: bareJid,
      name: xmlText(),
      subscription: fc.constantFrom('none', 'to', 'from', 'both', 'remove'),
      ask: fc.constantFrom('subscribe', ''),
      groups: fc.uniqueArray(xmlTextNonEmpty(12), { maxLength: 3 }),
      approved: fc.boolean(),
    }, { noNullPrototype: true });

    it('parse(build(roster)) deep-equals the roster, through text', () => {
      const roster: fc.Arbitrary<Roster> = fc.record({ ver: xmlText(12), items: fc.array(rosterItem, { maxLength: 5 }) }, { requiredKeys: ['items'], noNullPrototype: true });
      fc.assert(fc.property(roster, (r) => {
        assert.deepEqual(parseRoster(throughText(buildRoster(r))), r);
      }));
    });

    it('parseRosterPush(buildRosterPush(...)) gives back id, from, ver and item', () => {
      fc.assert(fc.property(stanzaId, fc.option(xmlText(12), { nil: undefined }), rosterItem, fc.option(bareJid, { nil: undefined }), (id, ver, it, from) => {
        const expected = { id, ...(from !== undefined ? { from } : {}), ...(ver !== undefined ? { ver } : {}), item: it };
        assert.deepEqual(parseRosterPush(throughText(buildRosterPush(id, ver, it, from))), expected);
      }));
    });

    it('a roster set reads back as the item it sets', () => {
      const set = fc.record({ jid: bareJid, name: xmlText(), groups: fc.uniqueArray(xmlTextNonEmpty(12), { maxLength: 3 }) }, { requiredKeys: ['jid'], noNullPrototype: true });
      fc.assert(fc.property(stanzaId, set, (id, s) => {
        const parsed = parseRoster(throughText(buildRosterSet(id, s)));
        assert.deepEqual(parsed, { items: [item(s.jid, { name: s.name ?? '', groups: s.groups ?? [] })] });
        const removal = parseRoster(throughText(buildRosterSet(id, { jid: s.jid, subscription: 'remove' })));
        assert.deepEqual(removal, { items: [item(s.jid, { subscription: 'remove' })] });
      }));
    });

    it('the get carries the id and the version', () => {
      fc.assert(fc.property(stanzaId, fc.option(xmlText(12), { nil: undefined }), (id, ver) => {
        const iq = throughText(buildRosterGet(id, ver));
        assert.equal(iq.attrs.id, id);
        assert.equal(iq.attrs.type, 'get');
        assert.equal(iq.getChild('query', NS_ROSTER)?.attrs.ver, ver);
      }));
    });
  });

  describe('random and mutated input', () => {
    const vocabulary = { names: ['iq', 'query', 'item', 'group', 'error'], namespaces: [NS_ROSTER, 'jabber:client'], attrs: ['jid', 'name', 'subscription', 'ask', 'approved', 'ver', 'type', 'id'] };

    it('parseRoster only returns or throws StanzaParseError', () => {
      fuzzParser(parseRoster, vocabulary);
    });

    it('parseRosterPush only returns or throws StanzaParseError', () => {
      fuzzParser(parseRosterPush, vocabulary);
    });

    it('isRosterUnchanged only returns a boolean', () => {
      fuzzParser((element) => assert.equal(typeof isRosterUnchanged(element), 'boolean'), vocabulary, 100);
    });
  });
});
