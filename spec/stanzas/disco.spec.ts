import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { dataFormType, type DataField, type DataFieldType } from '../../lib/stanzas/data-form.js';
import {
  buildDiscoInfo, buildDiscoInfoGet, buildDiscoItems, buildDiscoItemsGet, hasFeature, parseDiscoInfo, parseDiscoItems,
  type DiscoInfo, type DiscoItems,
} from '../../lib/stanzas/disco.js';
import { NS_DATA, NS_DISCO_INFO, NS_DISCO_ITEMS } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, dataForm, fullJid, jidDomain, stanzaId, xmlText } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';
import { XEP_0115_COMPLEX_INFO } from '../fixtures/xep-0115.js';

// XEP-0030 §3.1, 'Result-set for information request'.
const XEP_INFO_RESULT = `<iq type='result' from='plays.shakespeare.lit' to='romeo@montague.net/orchard' id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity
        category='conference'
        type='text'
        name='Play-Specific Chatrooms'/>
    <identity
        category='directory'
        type='chatroom'
        name='Play-Specific Chatrooms'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <feature var='jabber:iq:register'/>
    <feature var='jabber:iq:search'/>
    <feature var='jabber:iq:time'/>
    <feature var='jabber:iq:version'/>
  </query>
</iq>`;

// XEP-0030 §3.1, 'Target entity does not exist'.
const XEP_INFO_NOT_FOUND = `<iq type='error' from='plays.shakespeare.lit' to='romeo@montague.net/orchard' id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'/>
  <error type='cancel'>
    <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`;

// XEP-0030 §3.2, 'JID+node result'.
const XEP_NODE_RESULT = `<iq type='result' from='mim.shakespeare.lit' to='romeo@montague.net/orchard' id='info3'>
  <query xmlns='http://jabber.org/protocol/disco#info'
         node='http://jabber.org/protocol/commands'>
    <identity
        category='automation'
        type='command-list'/>
  </query>
</iq>`;

// XEP-0030 §4.2, 'Service returns nodes'.
const XEP_ITEMS_NODES = `<iq type='result' from='catalog.shakespeare.lit' to='romeo@montague.net/orchard' id='items2'>
  <query xmlns='http://jabber.org/protocol/disco#items'>
    <item jid='catalog.shakespeare.lit'
          node='books'
          name='Books by and about Shakespeare'/>
    <item jid='catalog.shakespeare.lit'
          node='clothing'
          name='Wear your literary taste with pride'/>
    <item jid='catalog.shakespeare.lit'
          node='music'
          name='Music from the time of Shakespeare'/>
  </query>
</iq>`;

const field = (name: string, values: string[], type?: DataFieldType): DataField =>
  type === undefined ? { var: name, required: false, values, options: [] } : { var: name, type, required: false, values, options: [] };

describe('stanzas/disco (XEP-0030, XEP-0128)', () => {
  describe('golden fixtures', () => {
    it("builds XEP-0030's requests: info, info of a node, items, items of a node", () => {
      assertXmlEqual(buildDiscoInfoGet('info1', 'plays.shakespeare.lit'),
        "<iq xmlns='jabber:client' type='get' to='plays.shakespeare.lit' id='info1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
      assertXmlEqual(buildDiscoInfoGet('info3', 'mim.shakespeare.lit', 'http://jabber.org/protocol/commands'),
        "<iq xmlns='jabber:client' type='get' to='mim.shakespeare.lit' id='info3'><query xmlns='http://jabber.org/protocol/disco#info' node='http://jabber.org/protocol/commands'/></iq>");
      assertXmlEqual(buildDiscoItemsGet('items1', 'shakespeare.lit'),
        "<iq xmlns='jabber:client' type='get' to='shakespeare.lit' id='items1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
      assertXmlEqual(buildDiscoItemsGet('items3', 'catalog.shakespeare.lit', 'music'),
        "<iq xmlns='jabber:client' type='get' to='catalog.shakespeare.lit' id='items3'><query xmlns='http://jabber.org/protocol/disco#items' node='music'/></iq>");
    });

    it("reads XEP-0030 'Result-set for information request' and builds it back", () => {
      const iq = parseXml(XEP_INFO_RESULT);
      const info = parseDiscoInfo(iq);
      assert.deepEqual(info, {
        identities: [
          { category: 'conference', type: 'text', name: 'Play-Specific Chatrooms' },
          { category: 'directory', type: 'chatroom', name: 'Play-Specific Chatrooms' },
        ],
        features: [
          'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'http://jabber.org/protocol/muc',
          'jabber:iq:register', 'jabber:iq:search', 'jabber:iq:time', 'jabber:iq:version',
        ],
        forms: [],
      });
      assertXmlEqual(buildDiscoInfo(info), iq.getChild('query', NS_DISCO_INFO)!);
      assert.equal(hasFeature(info, 'http://jabber.org/protocol/muc'), true);
      assert.equal(hasFeature(info, 'urn:xmpp:http:upload:0'), false);
    });

    it("reads XEP-0030 'JID+node result' (node mirrored, identity without name)", () => {
      assert.deepEqual(parseDiscoInfo(parseXml(XEP_NODE_RESULT)), {
        node: 'http://jabber.org/protocol/commands',
        identities: [{ category: 'automation', type: 'command-list' }],
        features: [],
        forms: [],
      });
    });

    it("throws XEP-0030 'Target entity does not exist' as StanzaError item-not-found", () => {
      assert.throws(() => parseDiscoInfo(parseXml(XEP_INFO_NOT_FOUND)),
        (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found' && e.type === 'cancel');
      assert.throws(() => parseDiscoItems(parseXml(XEP_INFO_NOT_FOUND.replace(/disco#info/, 'disco#items'))),
        (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
    });

    it('reads the XEP-0115 §5.3 answer: identity languages and an extended form (XEP-0128)', () => {
      const info = parseDiscoInfo(parseXml(XEP_0115_COMPLEX_INFO));
      assert.equal(info.node, 'http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w=');
      assert.deepEqual(info.identities, [
        { category: 'client', type: 'pc', name: 'Psi 0.11', lang: 'en' },
        { category: 'client', type: 'pc', name: 'Ψ 0.11', lang: 'el' },
      ]);
      assert.equal(info.features.length, 4);
      assert.equal(info.forms.length, 1);
      assert.equal(dataFormType(info.forms[0]!), 'urn:xmpp:dataforms:softwareinfo');
      assert.deepEqual(info.forms[0]!.fields.map((f) => [f.var, f.values]), [
        ['FORM_TYPE', ['urn:xmpp:dataforms:softwareinfo']], ['ip_version', ['ipv4', 'ipv6']], ['os', ['Mac']],
        ['os_version', ['10.5.1']], ['software', ['Psi']], ['software_version', ['0.11']],
      ]);
      assertXmlEqual(buildDiscoInfo(info), parseXml(XEP_0115_COMPLEX_INFO).getChild('query')!);
    });

    it("reads XEP-0030 'Service returns nodes' and builds it back", () => {
      const iq = parseXml(XEP_ITEMS_NODES);
      const items = parseDiscoItems(iq);
      assert.deepEqual(items, {
        items: [
          { jid: 'catalog.shakespeare.lit', node: 'books', name: 'Books by and about Shakespeare' },
          { jid: 'catalog.shakespeare.lit', node: 'clothing', name: 'Wear your literary taste with pride' },
          { jid: 'catalog.shakespeare.lit', node: 'music', name: 'Music from the time of Shakespeare' },
        ],
      });
      assertXmlEqual(buildDiscoItems(items), iq.getChild('query', NS_DISCO_ITEMS)!);
      assert.deepEqual(parseDiscoItems(parseXml("<query xmlns='http://jabber.org/protocol/disco#items' node='music'/>")), { node: 'music', items: [] });
    });

    it("reads Prosody's and ejabberd's server disco#info", () => {
      const prosody = parseDiscoInfo(realStanza('disco#info server', 'prosody'));
      assert.deepEqual(prosody.identities, [{ category: 'server', type: 'im', name: 'Prosody' }]);
      assert.equal(prosody.features.length, 17);
      assert.deepEqual(prosody.forms, []);
      for (const feature of ['urn:xmpp:blocking', 'jabber:iq:privacy', 'jabber:iq:last', 'vcard-temp', 'jabber:iq:register', 'urn:example:test']) {
        assert.ok(hasFeature(prosody, feature), feature);
      }
      const ejabberd = parseDiscoInfo(realStanza('disco#info server', 'ejabberd'));
      // The stanza's xml:lang='en' is not the identities' own language.
      assert.deepEqual(ejabberd.identities, [{ category: 'pubsub', type: 'pep' }, { category: 'server', type: 'im', name: 'ejabberd' }]);
      assert.equal(ejabberd.features.length, 54);
      assert.ok(hasFeature(ejabberd, 'urn:xmpp:blocking') && hasFeature(ejabberd, 'vcard-temp'));
      assert.equal(hasFeature(ejabberd, 'urn:example:test'), false);
      assert.deepEqual(ejabberd.forms, [{ type: 'result', instructions: [], fields: [field('FORM_TYPE', ['http://jabber.org/network/serverinfo'], 'hidden')] }]);
    });

    it("reads Prosody's and ejabberd's disco#items", () => {
      assert.deepEqual(parseDiscoItems(realStanza('disco#items server', 'prosody')), { items: [{ jid: 'sandbox.localhost' }, { jid: 'upload.localhost' }] });
      assert.deepEqual(parseDiscoItems(realStanza('disco#items server', 'ejabberd')), { items: [{ jid: 'pubsub.localhost' }, { jid: 'upload.localhost' }] });
    });

    it("reads the upload services' disco#info (ejabberd: three forms)", () => {
      const identity = { category: 'store', type: 'file', name: 'HTTP File Upload' };
      const prosody = parseDiscoInfo(realStanza('upload service disco#info', 'prosody'));
      assert.deepEqual(prosody, {
        identities: [identity],
        features: ['urn:xmpp:http:upload:0', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items'],
        forms: [{ type: 'result', instructions: [], fields: [field('FORM_TYPE', ['urn:xmpp:http:upload:0'], 'hidden'), field('max-file-size', ['10485760'], 'text-single')] }],
      });
      const ejabberd = parseDiscoInfo(realStanza('upload service disco#info', 'ejabberd'));
      assert.deepEqual(ejabberd.identities, [identity]);
      assert.deepEqual(ejabberd.features, ['urn:xmpp:http:upload', 'urn:xmpp:http:upload:0', 'eu:siacs:conversations:http:upload', 'vcard-temp',
        'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items']);
      const maxSize = { ...field('max-file-size', ['10485760'], 'text-single'), label: 'Maximum file size' };
      assert.deepEqual(ejabberd.forms, [
        { type: 'result', instructions: [], fields: [field('FORM_TYPE', ['urn:xmpp:http:upload'], 'hidden'), maxSize] },
        { type: 'result', instructions: [], fields: [field('FORM_TYPE', ['urn:xmpp:http:upload:0'], 'hidden'), maxSize] },
        { type: 'result', instructions: [], fields: [field('FORM_TYPE', ['http://jabber.org/network/serverinfo'], 'hidden')] },
      ]);
    });

    it('refuses an identity without category or type, a feature or an item without its attribute', () => {
      const missing = (e: unknown): boolean => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART';
      for (const bad of ["<identity type='pc'/>", "<identity category='client'/>", '<feature/>']) {
        assert.throws(() => parseDiscoInfo(parseXml(`<query xmlns='${NS_DISCO_INFO}'>${bad}</query>`)), missing, bad);
      }
      assert.throws(() => parseDiscoItems(parseXml(`<query xmlns='${NS_DISCO_ITEMS}'><item name='x'/></query>`)), missing);
      assert.throws(() => parseDiscoInfo(parseXml(`<query xmlns='${NS_DISCO_ITEMS}'/>`)), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
      assert.throws(() => parseDiscoInfo(parseXml("<iq type='result' id='a'/>")), missing);
    });

    it('ignores unknown children and elements of other namespaces, and reads prefixed ones', () => {
      const info = parseDiscoInfo(parseXml(`<query xmlns='${NS_DISCO_INFO}'><feature xmlns='urn:other' /><other var='x'/><feature var='a'>text</feature>`
        + `<d:feature xmlns:d='${NS_DISCO_INFO}' var='b'/><x xmlns='urn:other' type='odd'/></query>`));
      assert.deepEqual(info, { identities: [], features: ['a', 'b'], forms: [] });
      const prefixed = parseDiscoItems(parseXml(`<d:query xmlns:d='${NS_DISCO_ITEMS}'><item jid='no-namespace'/><d:item jid='a.example'/></d:query>`));
      assert.deepEqual(prefixed, { items: [{ jid: 'a.example' }] });
    });
  });

  describe('round trip', () => {
    const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
    const identity = fc.record({ category: xmlText(10), type: xmlText(10), name: xmlText(), lang: fc.constantFrom('en', 'el', 'de-CH', '') },
      { requiredKeys: ['category', 'type'], noNullPrototype: true });
    const info: fc.Arbitrary<DiscoInfo> = fc.record({
      node: xmlText(),
      identities: fc.array(identity, { maxLength: 4 }),
      features: fc.array(xmlText(), { maxLength: 6 }),
      forms: fc.array(dataForm, { maxLength: 2 }),
    }, { requiredKeys: ['identities', 'features', 'forms'], noNullPrototype: true });
    const items: fc.Arbitrary<DiscoItems> = fc.record({
      node: xmlText(),
      items: fc.array(fc.record({ jid: fc.oneof(bareJid, fullJid, jidDomain, xmlText()), node: xmlText(), name: xmlText() },
        { requiredKeys: ['jid'], noNullPrototype: true }), { maxLength: 6 }),
    }, { requiredKeys: ['items'], noNullPrototype: true });

    it('parseDiscoInfo(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(info, (v) => {
        assert.deepEqual(parseDiscoInfo(throughText(buildDiscoInfo(v))), v);
      }), { numRuns: 150 });
    });

    it('parseDiscoItems(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(items, (v) => {
        assert.deepEqual(parseDiscoItems(throughText(buildDiscoItems(v))), v);
      }));
    });

    it('the requests carry the id, the addressee and the node', () => {
      fc.assert(fc.property(stanzaId, fc.oneof(bareJid, jidDomain), optional(xmlText()), (id, to, node) => {
        for (const [iq, ns] of [[buildDiscoInfoGet(id, to, node), NS_DISCO_INFO], [buildDiscoItemsGet(id, to, node), NS_DISCO_ITEMS]] as const) {
          const read = throughText(iq);
          assert.deepEqual([read.attrs.type, read.attrs.id, read.attrs.to], ['get', id, to]);
          const query = read.getChild('query', ns);
          assert.ok(query);
          assert.equal(query.attrs.node, node);
          assert.equal(query.children.length, 0); // XEP-0030 §3.1: an empty <query/>
        }
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseDiscoInfo only returns or throws StanzaParseError', () => {
      fuzzParser(parseDiscoInfo, {
        names: ['iq', 'query', 'identity', 'feature', 'x', 'field', 'value', 'error'],
        namespaces: [NS_DISCO_INFO, NS_DATA, 'jabber:client'],
        attrs: ['category', 'type', 'name', 'xml:lang', 'var', 'node', 'id'],
        seeds: [XEP_INFO_RESULT, XEP_NODE_RESULT, XEP_0115_COMPLEX_INFO, XEP_INFO_NOT_FOUND],
      });
    });

    it('parseDiscoItems only returns or throws StanzaParseError', () => {
      fuzzParser(parseDiscoItems, {
        names: ['iq', 'query', 'item', 'error'],
        namespaces: [NS_DISCO_ITEMS, 'jabber:client'],
        attrs: ['jid', 'node', 'name', 'type', 'id'],
        seeds: [XEP_ITEMS_NODES],
      });
    });
  });
});
