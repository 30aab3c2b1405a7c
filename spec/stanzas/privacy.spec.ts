import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { NS_PRIVACY } from '../../lib/stanzas/ns.js';
import {
  blockedJidsOfPrivacyList,
  blockingPrivacyList,
  buildBlockingPrivacyList,
  buildPrivacyActiveSet,
  buildPrivacyDefaultSet,
  buildPrivacyList,
  buildPrivacyListGet,
  buildPrivacyListPush,
  buildPrivacyListRemove,
  buildPrivacyLists,
  buildPrivacyListSet,
  buildPrivacyListsGet,
  parsePrivacyList,
  parsePrivacyListPush,
  parsePrivacyLists,
  type PrivacyItem,
  type PrivacyList,
  type PrivacyStanzas,
} from '../../lib/stanzas/privacy.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, fullJid, stanzaId, xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { realStanza, realText } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isParseError = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;
const ALL: PrivacyStanzas = { message: true, iq: true, presenceIn: true, presenceOut: true };
const only = (kind: keyof PrivacyStanzas): PrivacyStanzas => ({ message: false, iq: false, presenceIn: false, presenceOut: false, [kind]: true });
const jid = (value: string, action: 'allow' | 'deny', order: number, stanzas = ALL): PrivacyItem => ({ type: 'jid', value, action, order, stanzas });
const fallThrough = (action: 'allow' | 'deny', order: number, stanzas = ALL): PrivacyItem => ({ action, order, stanzas });
/** The XEP's client examples carry the `from` the server stamps; builders leave it out. */
const withoutFrom = (xml: string): string => xml.replace(" from='romeo@example.net/orchard'", '').replace('<iq ', "<iq xmlns='jabber:client' ");

const SERVERS = [
  ['prosody', 'carol_mwzrbr01@localhost'],
  ['ejabberd', 'carol_mwzrbybw@localhost'],
] as const;

/** XEP-0016 §2.6 and §2.9 to §2.15: every list-setting example, with the list it carries. */
const SET_EXAMPLES: readonly [string, string, PrivacyList][] = [
  ['§2.6 Example 23', `<iq from='romeo@example.net/orchard' type='set' id='edit1'>
<query xmlns='jabber:iq:privacy'>
  <list name='public'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='3'/>
    <item type='jid'
          value='paris@example.org'
          action='deny'
          order='5'/>
    <item action='allow' order='68'/>
  </list>
</query>
</iq>`, { name: 'public', items: [jid('tybalt@example.com', 'deny', 3), jid('paris@example.org', 'deny', 5), fallThrough('allow', 68)] }],
  ['§2.9 Example 29', `<iq from='romeo@example.net/orchard' type='set' id='msg1'>
<query xmlns='jabber:iq:privacy'>
  <list name='message-jid-example'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='3'>
      <message/>
    </item>
  </list>
</query>
</iq>`, { name: 'message-jid-example', items: [jid('tybalt@example.com', 'deny', 3, only('message'))] }],
  ['§2.9 Example 30', `<iq from='romeo@example.net/orchard' type='set' id='msg2'>
<query xmlns='jabber:iq:privacy'>
  <list name='message-group-example'>
    <item type='group'
          value='Enemies'
          action='deny'
          order='4'>
      <message/>
    </item>
  </list>
</query>
</iq>`, { name: 'message-group-example', items: [{ type: 'group', value: 'Enemies', action: 'deny', order: 4, stanzas: only('message') }] }],
  ['§2.9 Example 31', `<iq from='romeo@example.net/orchard' type='set' id='msg3'>
<query xmlns='jabber:iq:privacy'>
  <list name='message-sub-example'>
    <item type='subscription'
          value='none'
          action='deny'
          order='5'>
      <message/>
    </item>
  </list>
</query>
</iq>`, { name: 'message-sub-example', items: [{ type: 'subscription', value: 'none', action: 'deny', order: 5, stanzas: only('message') }] }],
  ['§2.9 Example 32', `<iq from='romeo@example.net/orchard' type='set' id='msg4'>
<query xmlns='jabber:iq:privacy'>
  <list name='message-global-example'>
    <item action='deny' order='6'>
      <message/>
    </item>
  </list>
</query>
</iq>`, { name: 'message-global-example', items: [fallThrough('deny', 6, only('message'))] }],
  ['§2.10 Example 33', `<iq from='romeo@example.net/orchard' type='set' id='presin1'>
<query xmlns='jabber:iq:privacy'>
  <list name='presin-jid-example'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='7'>
      <presence-in/>
    </item>
  </list>
</query>
</iq>`, { name: 'presin-jid-example', items: [jid('tybalt@example.com', 'deny', 7, only('presenceIn'))] }],
  ['§2.10 Example 35', `<iq from='romeo@example.net/orchard' type='set' id='presin3'>
<query xmlns='jabber:iq:privacy'>
  <list name='presin-sub-example'>
    <item type='subscription'
          value='to'
          action='deny'
          order='9'>
      <presence-in/>
    </item>
  </list>
</query>
</iq>`, { name: 'presin-sub-example', items: [{ type: 'subscription', value: 'to', action: 'deny', order: 9, stanzas: only('presenceIn') }] }],
  ['§2.11 Example 39', `<iq from='romeo@example.net/orchard' type='set' id='presout3'>
<query xmlns='jabber:iq:privacy'>
  <list name='presout-sub-example'>
    <item type='subscription'
          value='from'
          action='deny'
          order='17'>
      <presence-out/>
    </item>
  </list>
</query>
</iq>`, { name: 'presout-sub-example', items: [{ type: 'subscription', value: 'from', action: 'deny', order: 17, stanzas: only('presenceOut') }] }],
  ['§2.11 Example 40', `<iq from='romeo@example.net/orchard' type='set' id='presout4'>
<query xmlns='jabber:iq:privacy'>
  <list name='presout-global-example'>
    <item action='deny' order='23'>
      <presence-out/>
    </item>
  </list>
</query>
</iq>`, { name: 'presout-global-example', items: [fallThrough('deny', 23, only('presenceOut'))] }],
  ['§2.12 Example 42', `<iq from='romeo@example.net/orchard' type='set' id='iq2'>
<query xmlns='jabber:iq:privacy'>
  <list name='iq-group-example'>
    <item type='group'
          value='Enemies'
          action='deny'
          order='31'>
      <iq/>
    </item>
  </list>
</query>
</iq>`, { name: 'iq-group-example', items: [{ type: 'group', value: 'Enemies', action: 'deny', order: 31, stanzas: only('iq') }] }],
  ['§2.12 Example 44', `<iq from='romeo@example.net/orchard' type='set' id='iq4'>
<query xmlns='jabber:iq:privacy'>
  <list name='iq-global-example'>
    <item action='deny' order='1'>
      <iq/>
    </item>
  </list>
</query>
</iq>`, { name: 'iq-global-example', items: [fallThrough('deny', 1, only('iq'))] }],
  ['§2.13 Example 45', `<iq from='romeo@example.net/orchard' type='set' id='all1'>
<query xmlns='jabber:iq:privacy'>
  <list name='all-jid-example'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='23'/>
  </list>
</query>
</iq>`, { name: 'all-jid-example', items: [jid('tybalt@example.com', 'deny', 23)] }],
  ['§2.13 Example 47', `<iq from='romeo@example.net/orchard' type='set' id='all3'>
<query xmlns='jabber:iq:privacy'>
  <list name='all-sub-example'>
    <item type='subscription'
          value='none'
          action='deny'
          order='11'/>
  </list>
</query>
</iq>`, { name: 'all-sub-example', items: [{ type: 'subscription', value: 'none', action: 'deny', order: 11, stanzas: ALL }] }],
  ['§2.13 Example 48', `<iq from='romeo@example.net/orchard' type='set' id='all4'>
<query xmlns='jabber:iq:privacy'>
  <list name='all-global-example'>
    <item action='deny' order='7'/>
  </list>
</query>
</iq>`, { name: 'all-global-example', items: [fallThrough('deny', 7)] }],
  ['§2.15 heuristic', `<iq type='set' id='heuristic1'>
<query xmlns='jabber:iq:privacy'>
  <list name='heuristic-example'>
    <item type='subscription'
          value='none'
          action='deny'
          order='437'/>
  </list>
</query>
</iq>`, { name: 'heuristic-example', items: [{ type: 'subscription', value: 'none', action: 'deny', order: 437, stanzas: ALL }] }],
];

describe('stanzas/privacy (XEP-0016)', () => {
  describe('golden fixtures: XEP-0016 §2.3 to §2.8', () => {
    it('builds the list-names request of Example 1 and reads (and builds) the names of Example 2', () => {
      assertXmlEqual(buildPrivacyListsGet('getlist1'), "<iq xmlns='jabber:client' type='get' id='getlist1'><query xmlns='jabber:iq:privacy'/></iq>");
      const answer = parseXml(`<iq type='result' id='getlist1' to='romeo@example.net/orchard'>
<query xmlns='jabber:iq:privacy'>
  <active name='private'/>
  <default name='public'/>
  <list name='public'/>
  <list name='private'/>
  <list name='special'/>
</query>
</iq>`);
      const names = { active: 'private', default: 'public', lists: ['public', 'private', 'special'] };
      assert.deepEqual(parsePrivacyLists(answer), names);
      assertXmlEqual(buildPrivacyLists(names), answer.getChild('query', NS_PRIVACY) ?? '');
    });

    it('builds the list request of Example 3 and reads the lists of Examples 4, 6 and 8', () => {
      assertXmlEqual(buildPrivacyListGet('getlist2', 'public'), `<iq xmlns='jabber:client' type='get' id='getlist2'>
<query xmlns='jabber:iq:privacy'>
  <list name='public'/>
</query>
</iq>`);
      const four = parseXml(`<iq type='result' id='getlist2' to='romeo@example.net/orchard'>
<query xmlns='jabber:iq:privacy'>
  <list name='public'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='1'/>
    <item action='allow' order='2'/>
  </list>
</query>
</iq>`);
      const publicList: PrivacyList = { name: 'public', items: [jid('tybalt@example.com', 'deny', 1), fallThrough('allow', 2)] };
      assert.deepEqual(parsePrivacyList(four), publicList);
      assertXmlEqual(buildPrivacyList(publicList), `<list xmlns='jabber:iq:privacy' name='public'>
    <item type='jid'
          value='tybalt@example.com'
          action='deny'
          order='1'/>
    <item action='allow' order='2'/>
  </list>`);
      const six = parseXml(`<iq type='result' id='getlist3' to='romeo@example.net/orchard'>
<query xmlns='jabber:iq:privacy'>
  <list name='private'>
    <item type='subscription'
          value='both'
          action='allow'
          order='10'/>
    <item action='deny' order='15'/>
  </list>
</query>
</iq>`);
      assert.deepEqual(parsePrivacyList(six), {
        name: 'private',
        items: [{ type: 'subscription', value: 'both', action: 'allow', order: 10, stanzas: ALL }, fallThrough('deny', 15)],
      });
      const eight = parseXml(`<iq type='result' id='getlist4' to='romeo@example.net/orchard'>
<query xmlns='jabber:iq:privacy'>
  <list name='special'>
    <item type='jid'
          value='juliet@example.com'
          action='allow'
          order='6'/>
    <item type='jid'
          value='benvolio@example.org'
          action='allow'
          order='7'/>
    <item type='jid'
          value='mercutio@example.org'
          action='allow'
          order='42'/>
    <item action='deny' order='666'/>
  </list>
</query>
</iq>`);
      assert.deepEqual(parsePrivacyList(eight), {
        name: 'special',
        items: [jid('juliet@example.com', 'allow', 6), jid('benvolio@example.org', 'allow', 7), jid('mercutio@example.org', 'allow', 42), fallThrough('deny', 666)],
      });
      assert.deepEqual(blockedJidsOfPrivacyList(parsePrivacyList(eight)), []);
    });

    it('throws the errors of Examples 9 (item-not-found) and 10 (bad-request) as StanzaError', () => {
      const nine = parseXml(`<iq to='romeo@example.net/orchard' type='error' id='getlist5'>
<query xmlns='jabber:iq:privacy'>
  <list name='The Empty Set'/>
</query>
<error type='cancel'>
  <item-not-found
      xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
</error>
</iq>`);
      assert.throws(() => parsePrivacyList(nine), (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found' && e.type === 'cancel');
      const ten = parseXml(`<iq to='romeo@example.net/orchard' type='error' id='getlist6'>
<query xmlns='jabber:iq:privacy'>
  <list name='public'/>
  <list name='private'/>
  <list name='special'/>
</query>
<error type='modify'>
  <bad-request
      xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
</error>
</iq>`);
      assert.throws(() => parsePrivacyList(ten), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request');
      // The same query outside an error: several lists in one answer is refused, not cut short.
      assert.throws(() => parsePrivacyList(ten.getChild('query', NS_PRIVACY) ?? ten), isParseError('STANZA_UNEXPECTED'));
    });

    it('builds the active-list commands of Examples 11 and 14, and the default-list ones of Examples 16 and 20', () => {
      assertXmlEqual(buildPrivacyActiveSet('active1', 'special'), withoutFrom(`<iq from='romeo@example.net/orchard' type='set' id='active1'>
<query xmlns='jabber:iq:privacy'>
  <active name='special'/>
</query>
</iq>`));
      assertXmlEqual(buildPrivacyActiveSet('active3', null), withoutFrom(`<iq from='romeo@example.net/orchard' type='set' id='active3'>
<query xmlns='jabber:iq:privacy'>
  <active/>
</query>
</iq>`));
      assertXmlEqual(buildPrivacyDefaultSet('default1', 'special'), withoutFrom(`<iq from='romeo@example.net/orchard' type='set' id='default1'>
<query xmlns='jabber:iq:privacy'>
  <default name='special'/>
</query>
</iq>`));
      assertXmlEqual(buildPrivacyDefaultSet('default2', null), withoutFrom(`<iq from='romeo@example.net/orchard' type='set' id='default2'>
<query xmlns='jabber:iq:privacy'>
  <default/>
</query>
</iq>`));
    });

    it('reads and builds the privacy list push of Example 25', () => {
      const push = `<iq to='romeo@example.net/orchard' type='set' id='push1'>
<query xmlns='jabber:iq:privacy'>
  <list name='public'/>
</query>
</iq>`;
      assert.deepEqual(parsePrivacyListPush(parseXml(push)), { name: 'public' });
      assertXmlEqual(buildPrivacyListPush('push1', 'public', 'romeo@example.net/orchard'), push.replace('<iq ', "<iq xmlns='jabber:client' "));
      assert.throws(() => parsePrivacyListPush(parseXml("<iq type='result' id='x'><query xmlns='jabber:iq:privacy'><list name='a'/></query></iq>")), isParseError('STANZA_UNEXPECTED'));
      assert.throws(() => parsePrivacyListPush(parseXml("<query xmlns='jabber:iq:privacy'><list name='a'/><list name='b'/></query>")), isParseError('STANZA_UNEXPECTED'));
      assert.throws(() => parsePrivacyListPush(parseXml("<query xmlns='jabber:iq:privacy'/>")), isParseError('STANZA_UNEXPECTED'));
    });

    it('builds the removal of Example 27 (an empty list)', () => {
      assertXmlEqual(buildPrivacyListRemove('remove1', 'private'), withoutFrom(`<iq from='romeo@example.net/orchard' type='set' id='remove1'>
<query xmlns='jabber:iq:privacy'>
  <list name='private'/>
</query>
</iq>`));
    });
  });

  describe('golden fixtures: XEP-0016 list-setting examples (§2.6, §2.9 to §2.15)', () => {
    for (const [title, xml, list] of SET_EXAMPLES) {
      it(`reads and builds ${title} (${list.name})`, () => {
        assert.deepEqual(parsePrivacyList(parseXml(xml)), list);
        assertXmlEqual(buildPrivacyListSet(parseXml(xml).attrs.id as string, list), withoutFrom(xml));
      });
    }

    it('reads four explicit stanza kinds as all kinds, and writes all kinds as no child (the lossy rule of §2.1)', () => {
      const explicit = parseXml(`<list xmlns='jabber:iq:privacy' name='x'>
        <item type='jid' value='a@b' action='deny' order='1'><message/><iq/><presence-in/><presence-out/></item></list>`);
      const list = parsePrivacyList(explicit);
      assert.deepEqual(list.items[0]?.stanzas, ALL);
      assertXmlEqual(buildPrivacyList(list), "<list xmlns='jabber:iq:privacy' name='x'><item type='jid' value='a@b' action='deny' order='1'/></list>");
      const three = parsePrivacyList(parseXml("<list xmlns='jabber:iq:privacy' name='x'><item action='deny' order='1'><message/><iq/><presence-out/></item></list>"));
      assert.deepEqual(three.items[0]?.stanzas, { message: true, iq: true, presenceIn: false, presenceOut: true });
      assertXmlEqual(buildPrivacyList(three), "<list xmlns='jabber:iq:privacy' name='x'><item action='deny' order='1'><iq/><message/><presence-out/></item></list>");
    });
  });

  describe('golden fixtures: real servers', () => {
    it('reads the list names before any list was set: none on Prosody; ejabberd declines active, has its blocking list as default', () => {
      const title = 'privacy list names (after blocking; before any list set)';
      assert.deepEqual(parsePrivacyLists(realStanza(title, 'prosody')), { lists: [] });
      assert.deepEqual(parsePrivacyLists(realStanza(title, 'ejabberd')), { active: null, default: 'Blocked contacts', lists: ['Blocked contacts'] });
    });

    it('reads the list names after the list was set', () => {
      assert.deepEqual(parsePrivacyLists(realStanza('privacy list names', 'prosody')), { lists: ['test'] });
      assert.deepEqual(parsePrivacyLists(realStanza('privacy list names', 'ejabberd')), {
        active: null,
        default: 'Blocked contacts',
        lists: ['test', 'Blocked contacts'],
      });
    });

    for (const [server, carol] of SERVERS) {
      it(`reads ${server}'s list 'test', which is what buildBlockingPrivacyList wrote`, () => {
        const answer = realStanza("privacy list get 'test'", server);
        const expected: PrivacyList = { name: 'test', items: [jid(carol, 'deny', 1), fallThrough('allow', 2)] };
        assert.deepEqual(parsePrivacyList(answer), expected);
        assert.deepEqual(blockingPrivacyList('test', [carol]), expected);
        assertXmlEqual(buildPrivacyListSet('t21', expected), `<iq xmlns='jabber:client' type='set' id='t21'><query xmlns='jabber:iq:privacy'>${
          realText("privacy list get 'test'", server).replace(/^.*<list /, '<list ').replace(/<\/query>.*$/, '')}</query></iq>`);
        assertXmlEqual(buildBlockingPrivacyList('test', [carol]),
          `<list xmlns='jabber:iq:privacy' name='test'><item type='jid' value='${carol}' action='deny' order='1'/><item action='allow' order='2'/></list>`);
        assert.deepEqual(blockedJidsOfPrivacyList(parsePrivacyList(answer)), [carol]);
      });

      it(`refuses ${server}'s empty set results as list answers or pushes`, () => {
        for (const title of ['privacy list set', 'privacy set active']) {
          assert.throws(() => parsePrivacyLists(realStanza(title, server)), isParseError('STANZA_MISSING_PART'));
          assert.throws(() => parsePrivacyList(realStanza(title, server)), isParseError('STANZA_MISSING_PART'));
          assert.throws(() => parsePrivacyListPush(realStanza(title, server)), isParseError('STANZA_UNEXPECTED'));
        }
      });
    }
  });

  describe('validation', () => {
    const list = (items: string): ReturnType<typeof parseXml> => parseXml(`<list xmlns='jabber:iq:privacy' name='l'>${items}</list>`);

    it('refuses repeated orders, sorted or not (§2.1), and accepts unsorted unique ones', () => {
      assert.throws(() => parsePrivacyList(list("<item action='deny' order='1'/><item action='allow' order='1'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePrivacyList(list("<item action='deny' order='5'/><item action='deny' order='2'/><item action='allow' order='5'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.deepEqual(parsePrivacyList(list("<item action='deny' order='5'/><item action='allow' order='2'/><item action='allow' order='9'/>")).items.map((i) => i.order), [5, 2, 9]);
      assert.throws(() => buildPrivacyList({ name: 'l', items: [fallThrough('deny', 3), fallThrough('deny', 1), fallThrough('allow', 3)] }), isParseError('STANZA_INVALID_VALUE'));
      assert.doesNotThrow(() => buildPrivacyList({ name: 'l', items: [fallThrough('deny', 3), fallThrough('deny', 1), fallThrough('allow', 2)] }));
    });

    it('refuses orders that are not unsigned 32-bit integers', () => {
      for (const order of ['-1', '1.5', '', 'x', '4294967296']) {
        assert.throws(() => parsePrivacyList(list(`<item action='deny' order='${order}'/>`)), isParseError('STANZA_INVALID_VALUE'), order);
      }
      assert.equal(parsePrivacyList(list("<item action='deny' order='4294967295'/>")).items[0]?.order, 4294967295);
      for (const order of [-1, 1.5, 4294967296, Number.NaN]) {
        assert.throws(() => buildPrivacyList({ name: 'l', items: [fallThrough('deny', order)] }), isParseError('STANZA_INVALID_VALUE'), String(order));
      }
    });

    it('refuses missing or unknown attributes and bad values', () => {
      assert.throws(() => parsePrivacyList(list("<item order='1'/>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parsePrivacyList(list("<item action='deny'/>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parsePrivacyList(list("<item action='block' order='1'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePrivacyList(list("<item type='user' value='a' action='deny' order='1'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePrivacyList(list("<item type='jid' action='deny' order='1'/>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parsePrivacyList(list("<item type='jid' value='' action='deny' order='1'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePrivacyList(list("<item type='subscription' value='pending' action='deny' order='1'/>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parsePrivacyList(parseXml("<list xmlns='jabber:iq:privacy'/>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parsePrivacyLists(parseXml("<query xmlns='jabber:iq:privacy'><list/></query>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parsePrivacyList(parseXml("<list xmlns='jabber:iq:roster' name='x'/>")), isParseError('STANZA_UNEXPECTED'));
      assert.throws(() => buildPrivacyList({ name: 'l', items: [{ type: 'subscription', value: 'pending', action: 'deny', order: 1, stanzas: ALL }] }), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => buildPrivacyList({ name: 'l', items: [{ type: 'group', action: 'deny', order: 1, stanzas: ALL }] }), isParseError('STANZA_MISSING_PART'));
      const none = { message: false, iq: false, presenceIn: false, presenceOut: false };
      assert.throws(() => buildPrivacyList({ name: 'l', items: [fallThrough('deny', 1, none)] }), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => buildBlockingPrivacyList('l', ['']), isParseError('STANZA_INVALID_VALUE'));
    });

    it('refuses to set a list without items (§2.6), which would remove it', () => {
      assert.throws(() => buildPrivacyListSet('s', { name: 'l', items: [] }), isParseError('STANZA_MISSING_PART'));
    });

    it('ignores unknown children and extensions; a value without type is kept as written', () => {
      const parsed = parsePrivacyList(list(`<item action='deny' order='1' value='v'><message/><x xmlns='urn:example'/><iq xmlns='urn:example'/></item>
        <item xmlns='urn:example' action='nonsense'/><note>hi</note>`));
      assert.deepEqual(parsed, { name: 'l', items: [{ value: 'v', action: 'deny', order: 1, stanzas: only('message') }] });
      const names = parsePrivacyLists(parseXml("<query xmlns='jabber:iq:privacy'><active/><active name='late'/><list name='a'><item/></list><x xmlns='urn:example'/></query>"));
      assert.deepEqual(names, { active: null, lists: ['a'] });
    });

    it('reads prefixed elements by their namespace, not by their name', () => {
      const prefixed = parseXml(`<p:query xmlns:p='jabber:iq:privacy' xmlns='urn:other'>
        <list name='other'/><p:list name='mine'/><p:active name='mine'/></p:query>`);
      assert.deepEqual(parsePrivacyLists(prefixed), { active: 'mine', lists: ['mine'] });
      const list = parseXml(`<p:list xmlns:p='jabber:iq:privacy' xmlns='urn:other' name='l'>
        <item action='deny' order='1'/><p:item action='deny' order='2'><message/><p:iq/></p:item></p:list>`);
      assert.deepEqual(parsePrivacyList(list), { name: 'l', items: [fallThrough('deny', 2, only('iq'))] });
    });
  });

  describe('blocking with a privacy list', () => {
    it('blockingPrivacyList denies each JID once, in order, then allows everyone', () => {
      assert.deepEqual(blockingPrivacyList('blocked', ['a@b', 'c@d', 'a@b']), {
        name: 'blocked',
        items: [jid('a@b', 'deny', 1), jid('c@d', 'deny', 2), fallThrough('allow', 3)],
      });
      assert.deepEqual(blockingPrivacyList('blocked', []), { name: 'blocked', items: [fallThrough('allow', 1)] });
    });

    it('blockedJidsOfPrivacyList follows the order, the first rule per JID, and stops at the fall-through', () => {
      const list: PrivacyList = {
        name: 'mixed',
        items: [
          jid('late@x', 'deny', 50), // after the fall-through at 40: never applies
          fallThrough('allow', 40),
          jid('partial@x', 'deny', 3, only('message')), // not entirely
          jid('friend@x', 'allow', 1),
          jid('friend@x', 'deny', 2), // the allow at 1 wins
          { type: 'group', value: 'Enemies', action: 'deny', order: 4, stanzas: ALL },
          jid('foe@x', 'deny', 10),
          jid('foe2@x', 'deny', 5),
        ],
      };
      assert.deepEqual(blockedJidsOfPrivacyList(list), ['foe2@x', 'foe@x']);
    });
  });

  describe('round trip', () => {
    const stanzas = fc
      .record({ message: fc.boolean(), iq: fc.boolean(), presenceIn: fc.boolean(), presenceOut: fc.boolean() }, { noNullPrototype: true })
      .filter((s) => s.message || s.iq || s.presenceIn || s.presenceOut);
    const rule: fc.Arbitrary<{ type?: 'jid' | 'group' | 'subscription'; value?: string }> = fc.oneof(
      fc.constant({}),
      xmlTextNonEmpty().map((value) => ({ value })),
      fc.oneof(bareJid, fullJid).map((value) => ({ type: 'jid' as const, value })),
      xmlText().map((value) => ({ type: 'group' as const, value })),
      fc.constantFrom('none', 'to', 'from', 'both').map((value) => ({ type: 'subscription' as const, value })),
    );
    const privacyList: fc.Arbitrary<PrivacyList> = fc
      .tuple(xmlText(), fc.uniqueArray(fc.nat({ max: 0xffffffff }), { maxLength: 8 }))
      .chain(([name, orders]) =>
        fc.tuple(...orders.map((order) =>
          fc.tuple(rule, fc.constantFrom('allow' as const, 'deny' as const), stanzas).map(([r, action, s]): PrivacyItem => ({ ...r, action, order, stanzas: s })),
        )).map((items) => ({ name, items })),
      );

    it('parsePrivacyList(buildPrivacyList(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(privacyList, (v) => {
        assert.deepEqual(parsePrivacyList(throughText(buildPrivacyList(v))), v);
      }));
    });

    it('the set command carries the list, the id, no to', () => {
      fc.assert(fc.property(stanzaId, privacyList.filter((l) => l.items.length > 0), (id, v) => {
        const iq = throughText(buildPrivacyListSet(id, v));
        assert.deepEqual([iq.attrs.id, iq.attrs.type, iq.attrs.to], [id, 'set', undefined]);
        assert.deepEqual(parsePrivacyList(iq), v);
      }));
    });

    it('parsePrivacyLists(buildPrivacyLists(v)) deep-equals v, through text (absent, declined and named lists)', () => {
      const choice = fc.oneof(fc.constant(null), xmlText());
      const names = fc.record({ active: choice, default: choice, lists: fc.array(xmlText(), { maxLength: 5 }) }, { requiredKeys: ['lists'], noNullPrototype: true });
      fc.assert(fc.property(names, (v) => {
        assert.deepEqual(parsePrivacyLists(throughText(buildPrivacyLists(v))), v);
      }));
    });

    it('the single-name commands read back', () => {
      fc.assert(fc.property(stanzaId, xmlText(), fc.option(fullJid, { nil: undefined }), (id, name, to) => {
        assert.deepEqual(parsePrivacyListPush(throughText(buildPrivacyListPush(id, name, to))), { name });
        assert.deepEqual(parsePrivacyList(throughText(buildPrivacyListRemove(id, name))), { name, items: [] });
        assert.deepEqual(parsePrivacyList(throughText(buildPrivacyListGet(id, name))), { name, items: [] });
        assert.deepEqual(parsePrivacyLists(throughText(buildPrivacyActiveSet(id, name))), { active: name, lists: [] });
        assert.deepEqual(parsePrivacyLists(throughText(buildPrivacyDefaultSet(id, null))), { default: null, lists: [] });
        assert.deepEqual(parsePrivacyLists(throughText(buildPrivacyListsGet(id))), { lists: [] });
      }));
    });

    it('blockedJidsOfPrivacyList reads back the JIDs buildBlockingPrivacyList denies, through text', () => {
      fc.assert(fc.property(xmlText(), fc.array(fc.oneof(bareJid, fullJid), { maxLength: 8 }), (name, jids) => {
        const list = parsePrivacyList(throughText(buildBlockingPrivacyList(name, jids)));
        assert.deepEqual(blockedJidsOfPrivacyList(list), [...new Set(jids)]);
      }));
    });
  });

  describe('random and mutated input', () => {
    const vocabulary = {
      names: ['iq', 'query', 'list', 'item', 'active', 'default', 'message', 'presence-in', 'presence-out', 'error'],
      namespaces: [NS_PRIVACY, 'jabber:client', 'urn:ietf:params:xml:ns:xmpp-stanzas'],
      attrs: ['name', 'type', 'value', 'action', 'order', 'id'],
      seeds: SET_EXAMPLES.map(([, xml]) => xml),
    };

    it('parsePrivacyLists only returns or throws StanzaParseError', () => {
      fuzzParser(parsePrivacyLists, vocabulary);
    });

    it('parsePrivacyList only returns or throws StanzaParseError', () => {
      fuzzParser(parsePrivacyList, vocabulary);
    });

    it('parsePrivacyListPush only returns or throws StanzaParseError', () => {
      fuzzParser(parsePrivacyListPush, vocabulary);
    });

    it('blockedJidsOfPrivacyList never throws on what parsePrivacyList returns', () => {
      fuzzParser((element) => blockedJidsOfPrivacyList(parsePrivacyList(element)), vocabulary, 100);
    });
  });
});
