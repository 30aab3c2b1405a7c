import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { buildBind, buildBindResult, buildSessionStart, parseBind } from '../../lib/stanzas/bind.js';
import { parseJid } from '../../lib/stanzas/jid.js';
import { NS_BIND, NS_CLIENT, NS_STANZAS } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { fullJid, jidResource, stanzaId } from '../support/arbitraries.js';
import { transcript } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

/** The `<iq/>`s inside the `<body/>`s of a BOSH transcript, in order, client and server side. */
function boshIqs(title: string): Element[] {
  const found: Element[] = [];
  for (const line of transcript(title)) {
    const at = line.indexOf('<body');
    if (at === -1) continue;
    for (const child of parseXml(line.slice(at)).children) if (typeof child !== 'string' && child.getName() === 'iq') found.push(child);
  }
  return found;
}

describe('stanzas/bind (RFC 6120 §7)', () => {
  describe('golden fixtures', () => {
    it('builds and reads the RFC 6120 §9.1.3 binding of a client-submitted resource', () => {
      // The RFC writes stanzas inside a stream whose default namespace is jabber:client; here it is explicit.
      assertXmlEqual(buildBind('yhc13a95', 'balcony'), `<iq xmlns='jabber:client' id='yhc13a95' type='set'>
     <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
       <resource>balcony</resource>
     </bind>
   </iq>`);
      assert.deepEqual(parseBind(parseXml(`<iq id='yhc13a95' type='result'>
     <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
       <jid>
         juliet@im.example.com/balcony
       </jid>
     </bind>
   </iq>`)), { jid: 'juliet@im.example.com/balcony' });
    });

    it('reads the RFC 6120 §7.7.1 results: the submitted resource, and the one the server overrides it with', () => {
      assertXmlEqual(buildBind('wy2xa82b4', 'balcony'), `<iq xmlns='jabber:client' id='wy2xa82b4' type='set'>
     <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
       <resource>balcony</resource>
     </bind>
   </iq>`);
      assert.deepEqual(parseBind(parseXml(`<iq id='wy2xa82b4' type='result'>
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
      <jid>juliet@im.example.com/balcony</jid>
    </bind>
   </iq>`)), { jid: 'juliet@im.example.com/balcony' });
      assert.deepEqual(parseBind(parseXml(`<iq id='wy2xa82b4' type='result'>
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
      <jid>
   juliet@im.example.com/balcony 4db06f06-1ea4-11dc-aca3-000bcd821bfb
      </jid>
    </bind>
   </iq>`)), { jid: 'juliet@im.example.com/balcony 4db06f06-1ea4-11dc-aca3-000bcd821bfb' });
    });

    it('builds and reads the RFC 6120 §7.6.1 binding of a server-generated resource (JID on a line of its own)', () => {
      assertXmlEqual(buildBind('tn281v37'), `<iq xmlns='jabber:client' id='tn281v37' type='set'>
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>
   </iq>`);
      assert.deepEqual(parseBind(parseXml(`<iq id='tn281v37' type='result'>
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>
      <jid>
        juliet@im.example.com/4db06f06-1ea4-11dc-aca3-000bcd821bfb
      </jid>
    </bind>
   </iq>`)), { jid: 'juliet@im.example.com/4db06f06-1ea4-11dc-aca3-000bcd821bfb' });
    });

    for (const server of ['Prosody', 'ejabberd']) {
      it(`builds the request and reads the result of the ${server} BOSH transcript`, () => {
        const [request, result] = boshIqs(`BOSH transcript (${server})`);
        assertXmlEqual(buildBind('b1', 'bosh'), request!);
        assert.deepEqual(parseBind(result!), { jid: 'admin@localhost/bosh' });
        assert.deepEqual(parseBind(result!.getChild('bind', NS_BIND)!), { jid: 'admin@localhost/bosh' });
      });
    }

    it('throws the server refusals (RFC 6120 §7.7.2.2 conflict, §9.1.3 step 16 alt) as StanzaError', () => {
      const conflict = parseXml(`<iq id='wy2xa82b4' type='error'>
     <error type='modify'>
       <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     </error>
   </iq>`);
      assert.throws(() => parseBind(conflict), (e: unknown) => e instanceof StanzaError && e.condition === 'conflict' && e.type === 'modify');
      const refused = parseXml(`<iq id='yhc13a95' type='error'>
     <error type='cancel'>
       <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     </error>
   </iq>`);
      assert.throws(() => parseBind(refused), (e: unknown) => e instanceof StanzaError && e.condition === 'conflict' && e.type === 'cancel');
    });

    it('throws the RFC 6120 §7.6.2 refusals of a server-generated resource (resource-constraint, not-allowed)', () => {
      const constraint = parseXml(`<iq id='tn281v37' type='error'>
     <error type='wait'>
       <resource-constraint 
           xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     </error>
   </iq>`);
      assert.throws(() => parseBind(constraint), (e: unknown) => e instanceof StanzaError && e.condition === 'resource-constraint' && e.type === 'wait');
      const notAllowed = parseXml(`<iq id='tn281v37' type='error'>
     <error type='cancel'>
       <not-allowed 
           xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
     </error>
   </iq>`);
      assert.throws(() => parseBind(notAllowed), (e: unknown) => e instanceof StanzaError && e.condition === 'not-allowed' && e.type === 'cancel');
    });

    it('refuses a result without <jid/>, with an invalid JID or without local part or resource', () => {
      assert.throws(() => parseBind(parseXml(`<iq type='result' id='b'><bind xmlns='${NS_BIND}'/></iq>`)),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => parseBind(parseXml(`<iq type='result' id='b'/>`)),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      for (const bad of ['', 'juliet@', 'juliet@im.example.com', 'im.example.com/balcony', 'a b@c/d', '@c/d']) {
        assert.throws(() => parseBind(buildBindResult('b', bad)),
          (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE', bad);
      }
    });

    it('normalizes the bound JID as parseJid does', () => {
      assert.deepEqual(parseBind(buildBindResult('b', 'Juliet@IM.Example.com./Balcony')), { jid: 'juliet@im.example.com/Balcony' });
    });

    it('builds the RFC 3921 §3 session request', () => {
      assertXmlEqual(buildSessionStart('sess_1', 'example.com'),
        "<iq xmlns='jabber:client' to='example.com' type='set' id='sess_1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
      assertXmlEqual(buildSessionStart('sess_2'),
        "<iq xmlns='jabber:client' type='set' id='sess_2'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>");
    });
  });

  describe('round trip', () => {
    // White space around the JID is dropped (RFC examples), so resources do not start or end with a space.
    const boundJid = fullJid.filter((jid) => jid.trim() === jid);

    it('parseBind(buildBindResult(id, jid)) gives jid back, through text', () => {
      fc.assert(fc.property(stanzaId, boundJid, (id, jid) => {
        const iq = throughText(buildBindResult(id, jid));
        assert.equal(iq.attrs.id, id);
        assert.deepEqual(parseBind(iq), { jid });
      }));
    });

    it('reads any JID text as parseJid does', () => {
      const part = (chars: string) => fc.array(fc.constantFrom(...chars.split('')), { maxLength: 8 }).map((c) => c.join(''));
      const text = fc.tuple(part('abzAZ09._+-@/é "'), part('abz09.-@/É'), part('aZ09 /@.-\u00e9\u0301'))
        .map(([local, domain, resource]) => `${local}@${domain}/${resource}`);
      fc.assert(fc.property(text, (t) => {
        let expected: string | undefined;
        try {
          const jid = parseJid(t.trim());
          if (jid.local !== '' && jid.resource !== '') expected = `${jid.local}@${jid.domain}/${jid.resource}`;
        } catch {
          expected = undefined;
        }
        let actual: string | undefined;
        try {
          actual = parseBind(buildBindResult('b', t)).jid;
        } catch (error) {
          assert.ok(error instanceof StanzaParseError && error.code === 'STANZA_INVALID_VALUE', String(error));
        }
        assert.equal(actual, expected, t);
      }), { numRuns: 500 });
    });

    it('the request carries the id and the resource', () => {
      fc.assert(fc.property(stanzaId, fc.option(jidResource, { nil: undefined }), (id, resource) => {
        const iq = throughText(buildBind(id, resource));
        assert.equal(iq.attrs.id, id);
        assert.equal(iq.attrs.type, 'set');
        assert.equal(iq.getNS(), NS_CLIENT);
        assert.equal(iq.getChild('bind', NS_BIND)?.getChildText('resource', NS_BIND) ?? undefined, resource);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('only returns or throws StanzaParseError', () => {
      fuzzParser(parseBind, {
        names: ['iq', 'bind', 'jid', 'resource', 'error'],
        namespaces: [NS_BIND, NS_CLIENT, NS_STANZAS],
        attrs: ['type', 'id'],
        seeds: [`<iq type='result' id='b1'><bind xmlns='${NS_BIND}'><jid>admin@localhost/bosh</jid></bind></iq>`],
      });
    });
  });
});
