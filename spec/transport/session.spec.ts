// Specs of lib/transport/session.ts (and session-pipelining.ts) over a fake transport that plays the
// server: what real servers cannot be made to do (a tampered SCRAM server signature, a non-loopback
// host without TLS, a mechanism offered one time and gone the next), and the order of negotiation,
// pipelined (XEP-0305 §3) or not.

import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { Element } from 'ltx';
import { SaslError, TimeoutError } from '../../lib/errors.js';
import { buildBase64, parseBase64 } from '../../lib/stanzas/base64.js';
import { buildBindResult } from '../../lib/stanzas/bind.js';
import { buildSaslChallenge, buildSaslFailure, buildSaslSuccess, parseSaslMessage } from '../../lib/stanzas/sasl.js';
import { buildStreamFeatures } from '../../lib/stanzas/stream-features.js';
import type { StreamOpen } from '../../lib/stanzas/stream.js';
import { Emitter } from '../../lib/transport/emitter.js';
import { Session } from '../../lib/transport/session.js';
import type { Transport, TransportConnectOptions, TransportEvents } from '../../lib/transport/transport.js';
import { scramServer } from '../support/scram-server.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

interface FakeServerOptions {
  readonly host?: string;
  readonly secure?: boolean;
  readonly mechanisms?: readonly string[];
  /** The mechanisms the server runs when asked (default: those it offers); others get invalid-mechanism. */
  readonly accepts?: readonly string[];
  /** Flip a bit of the SCRAM server signature. */
  readonly tamper?: boolean;
  /** Call `onHeaderSent` (after a socket-like delay of 1 ms, or at once); default: after the delay. */
  readonly headerSent?: 'delayed' | 'at-once' | 'never';
}

/**
 * A transport whose other end is a tiny scripted XMPP server: SCRAM-SHA-1 (and PLAIN) for
 * 'alice'/'pencil', bind. `log` lists what happened in order: `header` (the stream header out),
 * `features` (in), `out <name>` for each element sent.
 */
class FakeServerTransport implements Transport {
  readonly kind = 'fake';
  readonly secure: boolean;
  readonly host: string;
  readonly sent: Element[] = [];
  readonly log: string[] = [];
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

  async connect(_domain: string, options: TransportConnectOptions = {}): Promise<StreamOpen> {
    const when = this.#options.headerSent ?? 'delayed';
    if (when === 'delayed') await new Promise((resolve) => setTimeout(resolve, 1)); // the socket opening
    this.log.push('header');
    this.#features(); // the server's answer to the header comes before its answer to what follows
    if (when !== 'never') options.onHeaderSent?.();
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
    this.log.push(`out ${element.name}${element.attrs.mechanism ? ` ${String(element.attrs.mechanism)}` : ''}`);
    queueMicrotask(() => this.#answer(element));
  }

  #features(): void {
    const features = this.#authenticated
      ? buildStreamFeatures({ mechanisms: [], register: false, bind: true, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [] })
      : buildStreamFeatures({ mechanisms: this.#offered(), register: true, bind: false, sm: [], rosterVersioning: false, preApproval: false, csi: false, other: [] });
    queueMicrotask(() => {
      this.log.push('features');
      this.#events.emit('element', features);
    });
  }

  #offered(): readonly string[] {
    return this.#options.mechanisms ?? ['SCRAM-SHA-1', 'PLAIN'];
  }

  #answer(element: Element): void {
    const reply = (answer: Element): void => this.#events.emit('element', answer);
    if (element.name === 'abort') {
      reply(buildSaslFailure('aborted')); // RFC 6120 §6.4.4
      return;
    }
    const mechanism = element.attrs.mechanism as string | undefined;
    if (element.name === 'auth' && !(this.#options.accepts ?? this.#offered()).includes(mechanism ?? '')) {
      reply(buildSaslFailure('invalid-mechanism')); // RFC 6120 §6.5.5
      return;
    }
    if (element.name === 'auth' && mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-1') {
      reply(buildSaslFailure('not-authorized')); // offered, but no account knows it here
      return;
    }
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

  describe('pipelining on a later login (XEP-0305 §3)', () => {
    /** A session over the given fake servers, one per connection, in turn. */
    const over = (...transports: FakeServerTransport[]): Session => {
      let next = 0;
      return new Session({
        transport: () => transports[next++] ?? assert.fail('no more fake servers'),
        domain: 'localhost',
        reconnect: false,
      });
    };
    const credentials = { username: 'alice', password: 'pencil' };

    it('the first login waits for the features; the next one sends its SCRAM <auth/> right behind the stream header', async () => {
      const first = new FakeServerTransport();
      const second = new FakeServerTransport();
      const session = over(first, second);
      await session.login(credentials);
      await session.close();
      assert.deepEqual(first.log.slice(0, 3), ['header', 'features', 'out auth SCRAM-SHA-1']);
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(second.log.slice(0, 4), ['header', 'out auth SCRAM-SHA-1', 'features', 'out response']);
      assert.deepEqual(second.sent.map((e) => e.name), ['auth', 'response', 'iq']);
    });

    it('the remembered mechanism gone: the server refuses it (invalid-mechanism) and the offered one is used', async () => {
      const plainOnly = new FakeServerTransport({ mechanisms: ['PLAIN'] });
      const session = over(new FakeServerTransport(), plainOnly);
      await session.login(credentials);
      await session.close();
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(plainOnly.log.slice(0, 4), ['header', 'out auth SCRAM-SHA-1', 'features', 'out auth PLAIN']);
    });

    it('the remembered mechanism no longer offered but started anyway: it is aborted, then the offered one is used', async () => {
      const hidesScram = new FakeServerTransport({ mechanisms: ['PLAIN'], accepts: ['SCRAM-SHA-1', 'PLAIN'] });
      const session = over(new FakeServerTransport(), hidesScram);
      await session.login(credentials);
      await session.close();
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(hidesScram.log.slice(0, 5), ['header', 'out auth SCRAM-SHA-1', 'features', 'out abort', 'out auth PLAIN']);
    });

    it('a stronger mechanism offered only now: the exchange sent ahead goes on (the next connection picks the stronger)', async () => {
      const withSha256 = new FakeServerTransport({ mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] });
      const next = new FakeServerTransport({ mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] });
      const session = over(new FakeServerTransport(), withSha256, next);
      await session.login(credentials);
      await session.close();
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(withSha256.log.slice(0, 4), ['header', 'out auth SCRAM-SHA-1', 'features', 'out response']);
      await session.close();
      await session.login(credentials).catch(() => undefined); // the fake has no SCRAM-SHA-256 account
      assert.deepEqual(next.log.slice(0, 2), ['header', 'out auth SCRAM-SHA-256']);
    });

    it('a wrong password on a pipelined login is still SASL_FAILURE not-authorized', async () => {
      const second = new FakeServerTransport();
      const session = over(new FakeServerTransport(), second);
      await session.login(credentials);
      await session.close();
      await assert.rejects(session.login({ username: 'alice', password: 'wrong' }),
        (e: unknown) => e instanceof SaslError && e.code === 'SASL_FAILURE' && e.condition === 'not-authorized');
      assert.deepEqual(second.log.slice(0, 2), ['header', 'out auth SCRAM-SHA-1']);
      assert.equal(session.status, 'offline');
    });

    it('a wrong server signature on a pipelined login is still SASL_SERVER_SIGNATURE', async () => {
      const tampered = new FakeServerTransport({ tamper: true });
      const session = over(new FakeServerTransport(), tampered);
      await session.login(credentials);
      await session.close();
      await assert.rejects(session.login(credentials), (e: unknown) => e instanceof SaslError && e.code === 'SASL_SERVER_SIGNATURE');
      assert.deepEqual(tampered.log.slice(0, 2), ['header', 'out auth SCRAM-SHA-1']);
      assert.equal(session.jid, '');
    });

    it('a transport that sends nothing before the features (no onHeaderSent) gets the <auth/> after them', async () => {
      const noHook = new FakeServerTransport({ headerSent: 'never' });
      const session = over(new FakeServerTransport(), noHook);
      await session.login(credentials);
      await session.close();
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(noHook.log.slice(0, 3), ['header', 'features', 'out auth SCRAM-SHA-1']);
    });

    it('a header out before the <auth/> is prepared: it goes out once prepared, or not at all; exactly one <auth/> either way', async () => {
      const atOnce = new FakeServerTransport({ headerSent: 'at-once' });
      const session = over(new FakeServerTransport(), atOnce);
      await session.login(credentials);
      await session.close();
      assert.equal(await session.login(credentials), 'alice@localhost/fake');
      assert.deepEqual(atOnce.sent.map((e) => e.name), ['auth', 'response', 'iq']);
    });

    it('nothing ahead with a token only (the OAuth mechanisms send their secret at once)', async () => {
      const oauth = { mechanisms: ['SCRAM-SHA-1', 'OAUTHBEARER'] };
      const second = new FakeServerTransport(oauth);
      const session = over(new FakeServerTransport(oauth), second);
      await session.login(credentials);
      await session.close();
      await assert.rejects(session.login({ username: 'alice', token: 'dG9rZW4' }), // the fake knows no tokens
        (e: unknown) => e instanceof SaslError && e.condition === 'not-authorized');
      assert.deepEqual(second.log.slice(0, 3), ['header', 'features', 'out auth OAUTHBEARER']);
    });
  });

  it('a server that accepts and never answers: the login fails with a TimeoutError at requestTimeoutMs, the transport closed', async () => {
    let closed = 0;
    const silent: Transport = {
      kind: 'silent', secure: false, host: '127.0.0.1',
      connect: () => new Promise<StreamOpen>(() => undefined),
      send: () => undefined,
      restart: () => new Promise<StreamOpen>(() => undefined),
      close: async () => { closed++; },
      on: () => () => undefined,
    };
    const session = new Session({ transport: silent, domain: 'localhost', reconnect: false, requestTimeoutMs: 200 });
    const started = Date.now();
    await assert.rejects(session.login({ username: 'alice', password: 'pencil' }), (e: unknown) => e instanceof TimeoutError && e.timeoutMs === 200);
    const took = Date.now() - started;
    assert.ok(took >= 190 && took < 1000, `${took} ms`);
    assert.equal(session.status, 'offline');
    assert.equal(closed, 1);
  });

  it('sends nothing before connect and refuses to send when offline', () => {
    const session = new Session({ transport: new FakeServerTransport(), domain: 'localhost' });
    assert.throws(() => session.send(new Element('presence')), (e: unknown) => (e as { code?: string }).code === 'TRANSPORT_CLOSED');
  });
});
