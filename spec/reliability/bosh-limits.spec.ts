// Reliability: BOSH response bodies beyond the transport's limits (maxBodyLength, maxDepth) end the
// session with a StreamError policy-violation, the parse error as its cause, never an out-of-memory
// or an untyped throw; within them, the same answer is read as usual.

import { strict as assert } from 'node:assert';
import { StanzaParseError, StreamError } from '../../lib/errors.js';
import { NS_HTTPBIND } from '../../lib/stanzas/ns.js';
import { createBoshTransport } from '../../lib/transport/bosh.js';

/** A session creation response with `inside` in its body. */
const creation = (inside: string): string =>
  `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' xmlns:stream='http://etherx.jabber.org/streams' sid='s1' wait='10' requests='2' hold='1' ver='1.6' xmpp:version='1.0' authid='a1' from='localhost'>${inside}</body>`;

/** Connects with `answer` as the creation response; every later request is answered with a terminate. */
async function connectTo(answer: string, limits: { maxBodyLength?: number; maxDepth?: number }): Promise<void> {
  let requests = 0;
  const transport = createBoshTransport({
    url: 'http://127.0.0.1:1/http-bind',
    fetch: async () => new Response(requests++ === 0 ? answer : `<body xmlns='${NS_HTTPBIND}' type='terminate'/>`, { status: 200, headers: { 'content-type': 'text/xml' } }),
    maxRetries: 0,
    ...limits,
  });
  try {
    await transport.connect('localhost');
  } finally {
    await transport.close().catch(() => undefined);
  }
}

describe('BOSH transport: incoming limits', () => {
  const features = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>";

  it('a body within the limits is read as usual', async () => {
    await connectTo(creation(features), { maxBodyLength: 4096, maxDepth: 8 });
  });

  const cases = [
    { what: 'a body over maxBodyLength', answer: creation(`${features}<!-- ${'x'.repeat(5000)} -->`), limits: { maxBodyLength: 4096 }, code: 'XML_TOO_LARGE' },
    { what: 'a body nested deeper than maxDepth', answer: creation(`${'<a>'.repeat(20)}${'</a>'.repeat(20)}`), limits: { maxDepth: 8 }, code: 'XML_TOO_DEEP' },
    { what: 'a body nested deeper than the default 32', answer: creation(`${'<a>'.repeat(40)}${'</a>'.repeat(40)}`), limits: {}, code: 'XML_TOO_DEEP' },
  ] as const;
  for (const { what, answer, limits, code } of cases) {
    it(`${what} ends the session with a StreamError policy-violation`, async () => {
      await assert.rejects(connectTo(answer, limits), (error: unknown) => {
        assert.ok(error instanceof StreamError, String(error));
        assert.equal(error.condition, 'policy-violation');
        assert.ok(error.cause instanceof StanzaParseError && error.cause.code === code, String(error.cause));
        return true;
      });
    });
  }
});
