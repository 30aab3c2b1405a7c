import { strict as assert } from 'node:assert';
import fc from 'fast-check';
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

describe('stanzas/roster (RFC 6121 §2)', () => {
  describe('golden fixtures', () => {
    it('builds the roster gets of RFC 6121 §2.1.3 and §2.6.2 (without the from the server stamps)', () => {
      assertXmlEqual(buildRosterGet('bv1bs71f'), "<iq xmlns='jabber:client' id='bv1bs71f' type='get'><query xmlns='jabber:iq:roster'/></iq>");
      assertXmlEqual(buildRosterGet('r1h3vzp7', 'ver14'), "<iq xmlns='jabber:client' id='r1h3vzp7' type='get'><query xmlns='jabber:iq:roster' ver='ver14'/></iq>");
      assertXmlEqual(buildRosterGet('t9', ''), "<iq xmlns='jabber:client' id='t9' type='get'><query xmlns='jabber:iq:roster' ver=''/></iq>");
    });

    it('reads the roster result of RFC 6121 §2.1.4', () => {
      const iq = parseXml(`<iq id='bv1bs71f'
       to='juliet@example.com/chamber'
       type='result'>
    <query xmlns='jabber:iq:roster' ver='ver7'>
      <item jid='nurse@example.com'/>
      <item jid='romeo@example.net'/>
    </query>
  </iq>`);
      assert.deepEqual(parseRoster(iq), { ver: 'ver7', items: [item('nurse@example.com'), item('romeo@example.net')] });
    });

    it('reads items with name, subscription, ask, approved and groups (RFC 6121 §2.1.2)', () => {
      const query = parseXml(`<query xmlns='jabber:iq:roster' ver='ver11'>
  <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>
  <item jid='mercutio@example.com' name='Mercutio' subscription='from'/>
  <item jid='benvolio@example.net' name='Benvolio' subscription='none' ask='subscribe' approved='true'><group>Friends</group><group>Montague</group></item>
</query>`);
      assert.deepEqual(parseRoster(query), {
        ver: 'ver11',
        items: [
          item('romeo@example.net', { name: 'Romeo', subscription: 'both', groups: ['Friends'] }),
          item('mercutio@example.com', { name: 'Mercutio', subscription: 'from' }),
          item('benvolio@example.net', { name: 'Benvolio', ask: 'subscribe', approved: true, groups: ['Friends', 'Montague'] }),
        ],
      });
    });

    it('builds the roster sets of RFC 6121 §2.1.5, §2.3.2 (add with group) and §2.5.2 (remove)', () => {
      assertXmlEqual(buildRosterSet('rs1', { jid: 'nurse@example.com' }),
        "<iq xmlns='jabber:client' id='rs1' type='set'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com'/></query></iq>");
      assertXmlEqual(buildRosterSet('ph1xaz53', { jid: 'nurse@example.com', name: 'Nurse', groups: ['Servants'] }), `<iq xmlns='jabber:client' id='ph1xaz53' type='set'>
    <query xmlns='jabber:iq:roster'>
      <item jid='nurse@example.com'
            name='Nurse'>
        <group>Servants</group>
      </item>
    </query>
  </iq>`);
      assertXmlEqual(buildRosterSet('hm4hs97y', { jid: 'nurse@example.com', subscription: 'remove' }),
        "<iq xmlns='jabber:client' id='hm4hs97y' type='set'><query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='remove'/></query></iq>");
    });

    it('reads the push of RFC 6121 §2.1.6 and builds its acknowledgement', () => {
      const push = parseXml(`<iq id='a78b4q6ha463'
       to='juliet@example.com/chamber'
       type='set'>
    <query xmlns='jabber:iq:roster'>
      <item jid='nurse@example.com'/>
    </query>
  </iq>`);
      assert.deepEqual(parseRosterPush(push), { id: 'a78b4q6ha463', item: item('nurse@example.com') });
      assertXmlEqual(buildRosterPushResult('a78b4q6ha463'), "<iq xmlns='jabber:client' id='a78b4q6ha463' type='result'/>");
      assertXmlEqual(buildRosterPushResult('p1', 'juliet@example.com'), "<iq xmlns='jabber:client' id='p1' to='juliet@example.com' type='result'/>");
    });

    it('reads the versioning answers of RFC 6121 §2.6.3: "unchanged", then pushes with versions', () => {
      const unchanged = parseXml("<iq from='romeo@example.net' id='r1h3vzp7' to='romeo@example.net/home' type='result'/>");
      assert.equal(isRosterUnchanged(unchanged), true);
      assert.throws(() => parseRoster(unchanged), isCode('STANZA_MISSING_PART'));
      const push = parseXml(`<iq from='romeo@example.net' id='d6c2x3f7' to='romeo@example.net/home' type='set'>
  <query xmlns='jabber:iq:roster' ver='ver34'><item jid='bill@example.org' subscription='remove'/></query>
</iq>`);
      assert.deepEqual(parseRosterPush(push), { id: 'd6c2x3f7', from: 'romeo@example.net', ver: 'ver34', item: item('bill@example.org', { subscription: 'remove' }) });
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
