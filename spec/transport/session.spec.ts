// Specs of lib/transport/session.ts over a fake transport that plays the server: what real servers
// cannot be made to do (a tampered SCRAM server signature, a non-loopback host without TLS), and the
// order of negotiation.

import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { Element } from 'ltx';
import { SaslError } from '../../lib/errors.js';
import { buildBase64, parseBase64 } from '../../lib/stanzas/base64.js';
import { buildBindResult } from '../../lib/stanzas/bind.js';
import { buildSaslChallenge, buildSaslFailure, buildSaslSuccess, parseSaslMessage } from '../../lib/stanzas/sasl.js';
import { buildStreamFeatures } from '../../lib/stanzas/stream-features.js';
import type { StreamOpen } from '../../lib/stanzas/stream.js';
import { Emitter } from '../../lib/transport/emitter.js';
import { Session } from '../../lib/transport/session.js';
import type { Transport, TransportEvents } from '../../lib/transport/transport.js';
import { scramServer } from '../support/scram-server.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

interface FakeServerOptions {
  readonly host?: string;
  readonly secure?: boolean;
  readonly mechanisms?: readonly string[];
  /** Flip a bit of the SCRAM server signature. */
  readonly tamper?: boolean;
}

/** A transport whose other end is a tiny scripted XMPP server: SCRAM-SHA-1 for 'alice'/'pencil', bind. */
class FakeServerTransport implements Transport {
  readonly kind = 'fake';
  readonly secure: boolean;
  readonly host: string;
  readonly sent: Element[] = [];
  readonly #events = new Emitter<TransportEvents>();
  readonly #options: FakeServerOptions;
  readonly #scram = scramServer('SHA-1', 'pencil', randomBytes(16), 4096, 'srvnonce');
  #authenticated = false;

  constructor(options: FakeServerOptions = {}) {
    this.#options = options;
    this.secure = options.secure ?? false;
    this.host = options.host ?? '127.0.0.1';
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  async connect(): Promise<StreamOpen> {
    this.#features();
    return { version: '1.0', id: 'fake1', from: 'localhost' };
  }

  async restart(): Promise<StreamOpen> {
    this.#features();
    return { version: '1.0', id: 'fake2', from: 'localhost' };
  }

  async close(): Promise<void> {
    this.#events.emit('close', { reason: 'closed', requested: true });
  }

  send(element: Element): void {
    this.sent.push(element);
    queueMicrotask(() => this.#answer(element));
  }

  #features(): void {
    const features = this.#authenticated
      ? buildStreamFeatures({ mechanisms: [], register: false, bind: true, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [] })
      : buildStreamFeatures({ mechanisms: this.#options.mechanisms ?? ['SCRAM-SHA-1', 'PLAIN'], register: true, bind: false, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [] });
    queueMicrotask(() => this.#events.emit('element', features));
  }

  #answer(element: Element): void {
    const reply = (answer: Element): void => this.#events.emit('element', answer);
    if (element.name === 'auth' || element.name === 'response') {
      const message = parseSaslMessage(element);
      const data = 'data' in message ? text(parseBase64(message.data)) : '';
      if (element.attrs.mechanism === 'PLAIN') {
        reply(data === '\0alice\0pencil' ? buildSaslSuccess() : buildSaslFailure('not-authorized'));
        if (data === '\0alice\0pencil') this.#authenticated = true;
      } else if (element.name === 'auth') {
        reply(buildSaslChallenge(buildBase64(bytes(this.#scram.first(data).serverFirst))));
      } else {
        let final = this.#scram.final(data);
        if (this.#options.tamper && final.startsWith('v=')) {
          const signature = Buffer.from(final.slice(2), 'base64');
          signature[0] = (signature[0] ?? 0) ^ 1;
          final = `v=${signature.toString('base64')}`;
        }
        if (final.startsWith('e=')) reply(buildSaslFailure('not-authorized'));
        else {
          this.#authenticated = true;
          reply(buildSaslSuccess(buildBase64(bytes(final))));
        }
      }
    } else if (element.name === 'iq' && element.getChild('bind')) {
      reply(buildBindResult(String(element.attrs.id), 'alice@localhost/fake'));
    }
  }
}

describe('transport/session (over a scripted fake server)', () => {
  it('logs in with SCRAM-SHA-1 and binds, in the order of RFC 6120 §9', async () => {
    const transport = new FakeServerTransport();
    const session = new Session({ transport, domain: 'localhost', reconnect: false });
    assert.equal(await session.login({ username: 'alice', password: 'pencil' }), 'alice@localhost/fake');
    assert.deepEqual(transport.sent.map((e) => e.name), ['auth', 'response', 'iq']);
    assert.equal(transport.sent[0]?.attrs.mechanism, 'SCRAM-SHA-1');
  });

  it('fails the login when the SCRAM server signature does not match (the server does not know the password)', async () => {
    const session = new Session({ transport: new FakeServerTransport({ tamper: true }), domain: 'localhost', reconnect: false });
    await assert.rejects(session.login({ username: 'alice', password: 'pencil' }), (e: unknown) => e instanceof SaslError && e.code === 'SASL_SERVER_SIGNATURE');
    assert.equal(session.status, 'offline');
    assert.equal(session.jid, '');
  });

  it('refuses PLAIN to a non-loopback host without TLS, unless allowed; allows it over TLS', async () => {
    const plainOnly = { mechanisms: ['PLAIN'], host: 'xmpp.example.com' };
    const refused = new Session({ transport: new FakeServerTransport(plainOnly), domain: 'localhost', reconnect: false });
    await assert.rejects(refused.login({ username: 'alice', password: 'pencil' }),
      (e: unknown) => e instanceof SaslError && e.code === 'SASL_NO_MECHANISM' && /PLAIN/.test(e.message));
    const allowed = new Session({ transport: new FakeServerTransport(plainOnly), domain: 'localhost', reconnect: false, allowPlainAuth: true });
    assert.equal(await allowed.login({ username: 'alice', password: 'pencil' }), 'alice@localhost/fake');
    const overTls = new Session({ transport: new FakeServerTransport({ ...plainOnly, secure: true }), domain: 'localhost', reconnect: false });
    assert.equal(await overTls.login({ username: 'alice', password: 'pencil' }), 'alice@localhost/fake');
  });

  it('a wrong password is SASL_FAILURE not-authorized', async () => {
    const session = new Session({ transport: new FakeServerTransport(), domain: 'localhost', reconnect: false });
    await assert.rejects(session.login({ username: 'alice', password: 'wrong' }), (e: unknown) => e instanceof SaslError && e.condition === 'not-authorized');
  });

  it('sends nothing before connect and refuses to send when offline', () => {
    const session = new Session({ transport: new FakeServerTransport(), domain: 'localhost' });
    assert.throws(() => session.send(new Element('presence')), (e: unknown) => (e as { code?: string }).code === 'TRANSPORT_CLOSED');
  });
});
