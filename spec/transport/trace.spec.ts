import { strict as assert } from 'node:assert';
import { parseXml } from '../../lib/stanzas/xml.js';
import { redact, trace, type TraceEntry } from '../../lib/transport/trace.js';

describe('transport/trace', () => {
  it('redacts SASL payloads and registration passwords, and leaves other elements untouched', () => {
    const auth = parseXml("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFsaWNlAHNlY3JldA==</auth>");
    assert.equal(redact(auth).getText(), '[redacted]');
    assert.equal(auth.getText(), 'AGFsaWNlAHNlY3JldA==', 'the original is not changed');
    const register = parseXml("<iq xmlns='jabber:client' type='set' id='r'><query xmlns='jabber:iq:register'><username>alice</username><password>s3cret</password>" +
      "<x xmlns='jabber:x:data' type='submit'><field var='password'><value>s3cret</value></field><field var='username'><value>alice</value></field></x></query></iq>");
    const entries: TraceEntry[] = [];
    trace((entry) => entries.push(entry), 'out', register);
    assert.doesNotMatch(entries[0]?.xml ?? '', /s3cret/);
    assert.match(entries[0]?.xml ?? '', /alice/);
    const message = parseXml("<message xmlns='jabber:client'><body>s3cret is fine here</body></message>");
    assert.equal(redact(message), message);
    trace(() => { throw new Error('hook bug'); }, 'in', message);
  });
});
