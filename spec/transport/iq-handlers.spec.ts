import { strict as assert } from 'node:assert';
import { Element } from 'ltx';
import { StanzaError } from '../../lib/errors.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { IqHandlers } from '../../lib/transport/iq-handlers.js';

describe('transport/iq-handlers (RFC 6120 §8.4, XEP-0199)', () => {
  const request = (type: string, payload: string) => parseXml(`<iq xmlns='jabber:client' type='${type}' id='r1' from='localhost'>${payload}</iq>`);

  it('answers ping with a result and anything unhandled with service-unavailable', () => {
    const handlers = new IqHandlers();
    const sent: Element[] = [];
    assert.equal(handlers.handle(request('get', "<ping xmlns='urn:xmpp:ping'/>"), (e) => sent.push(e)), true);
    assert.equal(handlers.handle(request('set', "<query xmlns='urn:unknown'/>"), (e) => sent.push(e)), true);
    assert.deepEqual(sent.map((e) => [e.attrs.type, e.attrs.id, e.attrs.to]), [['result', 'r1', 'localhost'], ['error', 'r1', 'localhost']]);
    assert.ok(sent[1]?.getChild('error')?.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    assert.equal(handlers.handle(parseXml("<iq type='result' id='x'/>"), () => assert.fail('answered a result')), false);
  });

  it('runs a registered handler (sync or async); a thrown StanzaError is the answer', async () => {
    const handlers = new IqHandlers();
    const sent: Element[] = [];
    const off = handlers.register('set', 'query', 'jabber:iq:roster', async () => new Element('ok'));
    handlers.register('get', 'query', 'jabber:iq:version', () => {
      throw new StanzaError({ type: 'auth', condition: 'forbidden', text: '', applicationCondition: '', by: '' });
    });
    handlers.handle(request('set', "<query xmlns='jabber:iq:roster'/>"), (e) => sent.push(e));
    handlers.handle(request('get', "<query xmlns='jabber:iq:version'/>"), (e) => sent.push(e));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(sent.map((e) => e.attrs.type).sort(), ['error', 'result']);
    assert.ok(sent.find((e) => e.attrs.type === 'error')?.getChild('error')?.getChild('forbidden'));
    off();
    handlers.handle(request('set', "<query xmlns='jabber:iq:roster'/>"), (e) => sent.push(e));
    assert.ok(sent.at(-1)?.getChild('error')?.getChild('service-unavailable'));
  });
});
