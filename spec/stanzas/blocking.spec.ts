import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import {
  buildBlock,
  buildBlocklist,
  buildBlocklistGet,
  buildBlockingPush,
  buildUnblock,
  isBlockedError,
  parseBlockingPush,
  parseBlocklist,
} from '../../lib/stanzas/blocking.js';
import { NS_BLOCKING, NS_BLOCKING_ERRORS } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, fullJid, jidDomain, stanzaId } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isParseError = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;
const anyJid = fc.oneof(bareJid, fullJid, jidDomain);
const SERVERS = [
  ['prosody', 'carol_mwzrbr01@localhost'],
  ['ejabberd', 'carol_mwzrbybw@localhost'],
] as const;

describe('stanzas/blocking (XEP-0191)', () => {
  describe('golden fixtures: XEP-0191 examples', () => {
    it('builds the blocklist request of Example 3', () => {
      assertXmlEqual(buildBlocklistGet('blocklist1'), `
        <iq xmlns='jabber:client' type='get' id='blocklist1'>
          <blocklist xmlns='urn:xmpp:blocking'/>
        </iq>`);
    });

    it('reads Example 4 (two blocked JIDs) and Example 5 (empty), and builds their payloads', () => {
      const four = parseXml(`
        <iq type='result' id='blocklist1'>
          <blocklist xmlns='urn:xmpp:blocking'>
            <item jid='romeo@montague.net'/>
            <item jid='iago@shakespeare.lit'/>
          </blocklist>
        </iq>`);
      assert.deepEqual(parseBlocklist(four), { jids: ['romeo@montague.net', 'iago@shakespeare.lit'] });
      assertXmlEqual(buildBlocklist(['romeo@montague.net', 'iago@shakespeare.lit']), four.getChild('blocklist', NS_BLOCKING) ?? '');
      const five = parseXml("<iq type='result' id='blocklist1'><blocklist xmlns='urn:xmpp:blocking'/></iq>");
      assert.deepEqual(parseBlocklist(five), { jids: [] });
      assertXmlEqual(buildBlocklist([]), "<blocklist xmlns='urn:xmpp:blocking'/>");
    });

    it('builds the block command of Example 6 (the server stamps from)', () => {
      assertXmlEqual(buildBlock('block1', ['romeo@montague.net']), `
        <iq xmlns='jabber:client' type='set' id='block1'>
          <block xmlns='urn:xmpp:blocking'>
            <item jid='romeo@montague.net'/>
          </block>
        </iq>`);
    });

    it('reads and builds the block push of Example 8', () => {
      const push = `
        <iq to='juliet@capulet.com/chamber' type='set' id='push1'>
          <block xmlns='urn:xmpp:blocking'>
            <item jid='romeo@montague.net'/>
          </block>
        </iq>`;
      assert.deepEqual(parseBlockingPush(parseXml(push)), { action: 'block', jids: ['romeo@montague.net'] });
      assertXmlEqual(
        buildBlockingPush('push1', { action: 'block', jids: ['romeo@montague.net'] }, 'juliet@capulet.com/chamber'),
        push.replace('<iq ', "<iq xmlns='jabber:client' "),
      );
    });

    it('recognizes the <blocked/> error of Example 9, on the stanza and on its <error/>', () => {
      const message = parseXml(`
        <message type='error' from='romeo@montague.net' to='juliet@capulet.com'>
          <body>Can you hear me now?</body>
          <error type='cancel'>
            <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
            <blocked xmlns='urn:xmpp:blocking:errors'/>
          </error>
        </message>`);
      assert.equal(isBlockedError(message), true);
      assert.equal(isBlockedError(message.getChild('error') ?? message), true);
      const notAcceptable = parseXml("<error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>");
      assert.equal(isBlockedError(notAcceptable), false);
      assert.equal(isBlockedError(parseXml("<error type='cancel'><blocked xmlns='urn:xmpp:blocking'/></error>")), false);
      assert.equal(isBlockedError(parseXml('<message><body>hi</body></message>')), false);
    });

    it('builds the unblock command of Example 10 and reads the unblock push of Example 12', () => {
      assertXmlEqual(buildUnblock('unblock1', ['romeo@montague.net']), `
        <iq xmlns='jabber:client' type='set' id='unblock1'>
          <unblock xmlns='urn:xmpp:blocking'>
            <item jid='romeo@montague.net'/>
          </unblock>
        </iq>`);
      const push = parseXml(`
        <iq to='juliet@capulet.com/balcony' type='set' id='push4'>
          <unblock xmlns='urn:xmpp:blocking'>
            <item jid='romeo@montague.net'/>
          </unblock>
        </iq>`);
      assert.deepEqual(parseBlockingPush(push), { action: 'unblock', jids: ['romeo@montague.net'] });
    });

    it('builds the unblock-all command of Example 13 and reads the unblock-all push of Example 15', () => {
      assertXmlEqual(buildUnblock('unblock2', []), "<iq xmlns='jabber:client' type='set' id='unblock2'><unblock xmlns='urn:xmpp:blocking'/></iq>");
      const push = parseXml("<iq to='juliet@capulet.com/chamber' type='set' id='push5'><unblock xmlns='urn:xmpp:blocking'/></iq>");
      assert.deepEqual(parseBlockingPush(push), { action: 'unblock', jids: [] });
    });

    it('refuses to block nobody (§3.3: at least one item)', () => {
      assert.throws(() => buildBlock('b', []), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => buildBlockingPush('p', { action: 'block', jids: [] }), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parseBlockingPush(parseXml("<iq type='set' id='p'><block xmlns='urn:xmpp:blocking'/></iq>")), isParseError('STANZA_MISSING_PART'));
    });
  });

  describe('golden fixtures: real servers', () => {
    for (const [server, carol] of SERVERS) {
      it(`reads ${server}'s block lists, pushes and bounce`, () => {
        assert.deepEqual(parseBlocklist(realStanza('blocklist get (empty)', server)), { jids: [] });
        assert.deepEqual(parseBlocklist(realStanza('blocklist get (carol blocked)', server)), { jids: [carol] });
        assert.deepEqual(parseBlockingPush(realStanza('block push', server)), { action: 'block', jids: [carol] });
        assert.deepEqual(parseBlockingPush(realStanza('unblock-all push', server)), { action: 'unblock', jids: [] });
        // Inbound to a user who blocked the sender: service-unavailable, not <blocked/> (XEP-0191 §3.3).
        const bounce = realStanza('message from blocked user bounced (carol -> alice)', server);
        assert.equal(isBlockedError(bounce), false);
        assert.equal(bounce.getChild('error')?.getChild('service-unavailable')?.getNS(), 'urn:ietf:params:xml:ns:xmpp-stanzas');
      });

      it(`refuses ${server}'s block result (no payload) as a block list or push`, () => {
        assert.throws(() => parseBlocklist(realStanza('block result', server)), isParseError('STANZA_MISSING_PART'));
        assert.throws(() => parseBlockingPush(realStanza('block result', server)), isParseError('STANZA_UNEXPECTED'));
      });
    }
  });

  describe('errors and tolerance', () => {
    it('throws the StanzaError of an IQ error', () => {
      const error = parseXml("<iq type='error' id='b'><error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
      assert.throws(() => parseBlocklist(error), (e: unknown) => e instanceof StanzaError && e.condition === 'feature-not-implemented');
      assert.throws(() => parseBlockingPush(error), (e: unknown) => e instanceof StanzaError && e.condition === 'feature-not-implemented');
    });

    it('refuses items without or with an empty jid, and other elements', () => {
      assert.throws(() => parseBlocklist(parseXml("<blocklist xmlns='urn:xmpp:blocking'><item/></blocklist>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parseBlocklist(parseXml("<blocklist xmlns='urn:xmpp:blocking'><item jid=''/></blocklist>")), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => parseBlocklist(parseXml("<blocklist xmlns='urn:xmpp:blocked'/>")), isParseError('STANZA_UNEXPECTED'));
      assert.throws(() => parseBlockingPush(parseXml("<blocklist xmlns='urn:xmpp:blocking'/>")), isParseError('STANZA_UNEXPECTED'));
    });

    it('ignores items and extensions of other namespaces, reads prefixed items', () => {
      const list = parseXml(`<blocklist xmlns='urn:xmpp:blocking' xmlns:b='urn:xmpp:blocking'>
        <item jid='a@b'/><item xmlns='urn:example' jid='x@y'/><b:item jid='c@d'/><ext xmlns='urn:example'/>
      </blocklist>`);
      assert.deepEqual(parseBlocklist(list), { jids: ['a@b', 'c@d'] });
      const prefixed = parseXml("<b:blocklist xmlns:b='urn:xmpp:blocking' xmlns='urn:other'><item jid='x@y'/><b:item jid='a@b'/></b:blocklist>");
      assert.deepEqual(parseBlocklist(prefixed), { jids: ['a@b'] });
    });
  });

  describe('round trip', () => {
    it('parseBlocklist(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(fc.array(anyJid, { maxLength: 8 }), (jids) => {
        assert.deepEqual(parseBlocklist(throughText(buildBlocklist(jids))), { jids });
      }));
    });

    it('parseBlockingPush(buildBlockingPush(v)) deep-equals v, through text', () => {
      const push = fc.oneof(
        fc.record({ action: fc.constant('block' as const), jids: fc.array(anyJid, { minLength: 1, maxLength: 5 }) }, { noNullPrototype: true }),
        fc.record({ action: fc.constant('unblock' as const), jids: fc.array(anyJid, { maxLength: 5 }) }, { noNullPrototype: true }),
      );
      fc.assert(fc.property(stanzaId, push, fc.option(fullJid, { nil: undefined }), (id, v, to) => {
        const iq = throughText(buildBlockingPush(id, v, to));
        assert.deepEqual(parseBlockingPush(iq), v);
        assert.equal(iq.attrs.id, id);
        assert.equal(iq.attrs.to, to);
      }));
    });

    it('the commands read back as what they ask for, with id and no to', () => {
      fc.assert(fc.property(stanzaId, fc.array(anyJid, { minLength: 1, maxLength: 5 }), fc.array(anyJid, { maxLength: 5 }), (id, block, unblock) => {
        const b = throughText(buildBlock(id, block));
        assert.deepEqual(parseBlockingPush(b), { action: 'block', jids: block });
        assert.deepEqual([b.attrs.id, b.attrs.type, b.attrs.to], [id, 'set', undefined]);
        assert.deepEqual(parseBlockingPush(throughText(buildUnblock(id, unblock))), { action: 'unblock', jids: unblock });
        const get = throughText(buildBlocklistGet(id));
        assert.deepEqual([get.attrs.id, get.attrs.type, get.attrs.to], [id, 'get', undefined]);
        assert.deepEqual(parseBlocklist(get), { jids: [] });
      }));
    });
  });

  describe('random and mutated input', () => {
    const vocabulary = {
      names: ['iq', 'blocklist', 'block', 'unblock', 'item', 'error', 'blocked'],
      namespaces: [NS_BLOCKING, NS_BLOCKING_ERRORS, 'jabber:client', 'urn:ietf:params:xml:ns:xmpp-stanzas'],
      attrs: ['jid', 'type', 'id'],
    };

    it('parseBlocklist only returns or throws StanzaParseError', () => {
      fuzzParser(parseBlocklist, vocabulary);
    });

    it('parseBlockingPush only returns or throws StanzaParseError', () => {
      fuzzParser(parseBlockingPush, vocabulary);
    });

    it('isBlockedError never throws', () => {
      fuzzParser((element) => assert.equal(typeof isBlockedError(element), 'boolean'), vocabulary);
    });
  });
});
