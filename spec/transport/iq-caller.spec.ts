import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { StanzaError, TimeoutError, TransportError } from '../../lib/errors.js';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { IqCaller } from '../../lib/transport/iq-caller.js';

const ping = () => new Element('ping', { xmlns: 'urn:xmpp:ping' });

function caller(timeoutMs = 200): { caller: IqCaller; sent: Element[] } {
  const sent: Element[] = [];
  const c = new IqCaller({ send: (e) => sent.push(e), ownJid: () => 'alice@localhost/phone', domain: () => 'localhost' }, timeoutMs, 'x');
  return { caller: c, sent };
}

const answer = (id: string, attrs: string, body = ''): Element => parseXml(`<iq xmlns='jabber:client' id='${id}' ${attrs}>${body}</iq>`);

describe('transport/iq-caller (RFC 6120 §8.2.3)', () => {
  it('gives unique ids and resolves with the result of the entity asked', async () => {
    const { caller: c, sent } = caller();
    const a = c.call((id) => buildIqGet(id, 'bob@localhost', ping()));
    const b = c.call((id) => buildIqGet(id, 'localhost', ping()));
    const [ida, idb] = sent.map((e) => String(e.attrs.id));
    assert.notEqual(ida, idb);
    assert.equal(c.handle(answer(ida ?? '', "type='result' from='bob@localhost'")), true);
    assert.equal(c.handle(answer(idb ?? '', "type='result' from='localhost'")), true);
    assert.equal((await a).attrs.from, 'bob@localhost');
    assert.equal((await b).attrs.from, 'localhost');
    assert.equal(c.pending, 0);
  });

  it('ignores an answer from another entity than the one asked (spoofing), and unknown ids', async () => {
    const { caller: c, sent } = caller(100);
    const call = c.call((id) => buildIqGet(id, 'bob@localhost', ping()));
    const id = String(sent[0]?.attrs.id);
    assert.equal(c.handle(answer(id, "type='result' from='mallory@localhost'")), false);
    assert.equal(c.handle(answer(id, "type='result'")), false);
    assert.equal(c.handle(answer('other', "type='result' from='bob@localhost'")), false);
    await assert.rejects(call, (e: unknown) => e instanceof TimeoutError && e.code === 'TIMEOUT' && e.timeoutMs === 100);
  });

  it("accepts the server's answers on the account's behalf for requests without 'to' (RFC 6120 §10.1)", async () => {
    for (const from of [undefined, 'alice@localhost', 'alice@localhost/phone', 'localhost']) {
      const { caller: c, sent } = caller();
      const call = c.call((id) => new Element('iq', { xmlns: 'jabber:client', type: 'get', id }).cnode(ping()).root());
      assert.equal(c.handle(answer(String(sent[0]?.attrs.id), `type='result'${from ? ` from='${from}'` : ''}`)), true, String(from));
      await call;
    }
    const { caller: c, sent } = caller(50);
    const call = c.call((id) => new Element('iq', { xmlns: 'jabber:client', type: 'get', id }).cnode(ping()).root());
    assert.equal(c.handle(answer(String(sent[0]?.attrs.id), "type='result' from='bob@localhost'")), false);
    await assert.rejects(call, TimeoutError);
  });

  it('rejects with StanzaError for an error answer', async () => {
    const { caller: c, sent } = caller();
    const call = c.call((id) => buildIqGet(id, 'carol@localhost', ping()));
    c.handle(answer(String(sent[0]?.attrs.id), "type='error' from='carol@localhost'",
      "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"));
    await assert.rejects(call, (e: unknown) => e instanceof StanzaError && e.condition === 'item-not-found');
  });

  it('a failed send leaves nothing pending; failAll rejects every pending call at once', async () => {
    const c = new IqCaller({ send: () => { throw new TransportError('TRANSPORT_CLOSED', 'gone'); }, ownJid: () => '', domain: () => 'localhost' }, 1000, 'y');
    await assert.rejects(c.call((id) => buildIqGet(id, 'localhost', ping())), TransportError);
    assert.equal(c.pending, 0);
    const { caller: d } = caller(10_000);
    const calls = [1, 2, 3].map(() => d.call((id) => buildIqGet(id, 'localhost', ping())));
    d.failAll(new TransportError('TRANSPORT_CLOSED', 'lost'));
    for (const call of calls) await assert.rejects(call, (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
    assert.equal(d.pending, 0);
  });

  it('ids stay unique over many calls (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
      const c = new IqCaller({ send: () => undefined, ownJid: () => '', domain: () => 'd' }, 1000, 'p');
      const ids = new Set(Array.from({ length: n }, () => c.nextId()));
      assert.equal(ids.size, n);
    }));
  });
});
