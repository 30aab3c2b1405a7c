/**
 * The BOSH transport itself: XEP-0206 (XMPP Over BOSH, version 1.4) on XEP-0124 (Bidirectional-streams
 * Over Synchronous HTTP, version 1.11.2). What to send when (the long poll, batched payloads, restart,
 * terminate) and what the answers mean (stream header, elements, the end of the session); the request
 * ids, the requests in flight and the order of the answers are the {@link BoshWindow}'s.
 *
 * @see https://xmpp.org/extensions/xep-0206.html
 * @see https://xmpp.org/extensions/xep-0124.html
 */
import type { Element } from 'ltx';
import { TimeoutError, TransportError, XmppError, type StreamError } from '../errors.js';
import { isStreamElement, isStreamErrorElement, type StreamOpen } from '../stanzas/stream.js';
import { serialize } from '../stanzas/xml.js';
import { buildBoshBodyText, type BoshBody, type BoshBodyAttrs } from './bosh-body.js';
import { drainBoshSession, type BoshLeftover } from './bosh-drain.js';
import type { BoshExchange, BoshFetch } from './bosh-requests.js';
import { boshCloseInfo, boshStreamHeader, readBoshStreamError } from './bosh-stream.js';
import { BoshWindow, initialBoshRid } from './bosh-window.js';
import { Emitter } from './emitter.js';
import type { BoshTransportOptions } from './bosh.js';
import type { Transport, TransportCloseInfo, TransportConnectOptions, TransportEvents } from './transport.js';

type Phase = 'idle' | 'connecting' | 'open' | 'closing' | 'closed';
type Kind = 'create' | 'poll' | 'payload' | 'restart' | 'terminate';

interface Waiter {
  readonly resolve: (open: StreamOpen) => void;
  readonly reject: (error: XmppError) => void;
}

/** A request waiting to be sent; `payloads` are serialized elements. */
interface Outgoing {
  readonly kind: 'payload' | 'restart' | 'terminate';
  readonly payloads: string[];
  readonly waiter?: Waiter;
}

/** What the transport keeps about a request sent. */
interface Sent {
  readonly kind: Kind;
  readonly waiter?: Waiter;
}

/**
 * Runs `run` in the next turn of the event loop, after what the current one set off (its microtasks
 * included): `setImmediate` where there is one (Node, where `setTimeout(0)` waits 1 ms at least),
 * else `setTimeout(0)`. Returns what cancels it.
 */
function nextTurn(run: () => void): () => void {
  const scope = globalThis as { setImmediate?: (run: () => void) => unknown; clearImmediate?: (handle: unknown) => void };
  if (scope.setImmediate && scope.clearImmediate) {
    const handle = scope.setImmediate(run);
    const clear = scope.clearImmediate;
    return () => clear(handle);
  }
  const timer = setTimeout(run, 0);
  return () => clearTimeout(timer);
}

/**
 * A {@link Transport} over one BOSH session; made by `createBoshTransport` (bosh.ts), which checks the
 * URL and finds `fetch`.
 * @see https://xmpp.org/extensions/xep-0206.html
 */
export class BoshTransport implements Transport {
  readonly kind = 'bosh';
  readonly secure: boolean;
  readonly host: string;
  readonly #options: BoshTransportOptions;
  readonly #fetch: BoshFetch;
  readonly #events = new Emitter<TransportEvents>();
  #window: BoshWindow<Sent> | undefined;
  #outbox: Outgoing[] = [];
  #phase: Phase = 'idle';
  #domain = '';
  #lang = 'en';
  #sid = '';
  #stream: StreamOpen = { version: '1.0' };
  #requests = 2;
  /** Cancels the poll scheduled for the next turn of the event loop. */
  #pollSoon: (() => void) | undefined;
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #restarting: { readonly rid: number; readonly waiter: Waiter } | undefined;
  #endError: XmppError | undefined;
  #closed: (() => void) | undefined;
  #scheduled = false;
  #wait = 30;
  #leftover: BoshLeftover | undefined;
  readonly #drainAbort = new AbortController();

  constructor(options: BoshTransportOptions, fetch: BoshFetch, secure: boolean, host: string) {
    this.#options = options;
    this.#fetch = fetch;
    this.secure = secure;
    this.host = host;
  }

  on<K extends keyof TransportEvents>(event: K, listener: TransportEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * The connection manager's session that this transport lost (it closed on a network failure or 5xx
   * answers after the retries, and the server may keep the session until `inactivity` runs out), for
   * the transport that replaces it to drain; `undefined` otherwise.
   */
  get leftover(): BoshLeftover | undefined {
    return this.#leftover;
  }

  /**
   * Connects (see {@link Transport.connect}). With `replaces`, a BOSH transport that closed on a network
   * failure and whose stream is about to be resumed on this one (XEP-0198 §5), the connection manager's
   * session of `replaces` is drained first, in the background: what it still holds is fetched and
   * dropped, so that the server does not route it to the resumed stream a second time (bosh-drain.ts).
   * Pass it only for a resumption: the stanzas dropped are those that stream management resends.
   * `onHeaderSent` is never called: nothing can be sent before the session creation response (it
   * brings the `sid`), which carries the stream features too.
   */
  connect(domain: string, options: TransportConnectOptions = {}): Promise<StreamOpen> {
    if (this.#phase !== 'idle') {
      const code = this.#phase === 'closed' ? 'TRANSPORT_CLOSED' : 'TRANSPORT_FAILURE';
      return Promise.reject(new TransportError(code, 'this BOSH transport was already used; make a new one'));
    }
    const leftover = options.replaces instanceof BoshTransport ? options.replaces.leftover : undefined;
    if (leftover) void drainBoshSession({ fetch: this.#fetch, leftover, signal: this.#drainAbort.signal });
    this.#phase = 'connecting';
    this.#domain = domain;
    this.#lang = options.lang ?? this.#options.lang ?? 'en';
    const wait = this.#options.wait ?? 30;
    this.#wait = wait;
    const window = new BoshWindow<Sent>({
      fetch: this.#fetch,
      url: this.#options.url,
      maxRetries: this.#options.maxRetries ?? 3,
      retryDelayMs: this.#options.retryDelayMs ?? 100,
      limits: {
        ...(this.#options.maxBodyLength !== undefined ? { maxLength: this.#options.maxBodyLength } : {}),
        ...(this.#options.maxDepth !== undefined ? { maxDepth: this.#options.maxDepth } : {}),
      },
      firstRid: initialBoshRid(),
      isPoll: (sent) => sent.kind === 'poll',
      onReady: () => this.#pump(),
      onAnswer: (rid, sent, result) => this.#process(rid, sent, result),
      // An error, a terminate, or the answer to our terminate end the session.
      isFinal: (sent, result) => !result.ok || result.body.type === 'terminate' || sent.kind === 'terminate',
      onFinal: () => this.#end({ reason: 'closed', requested: true }), // reached when closing only
    });
    window.timeoutMs = (wait + 10) * 1000; // the connection manager may hold a request 'wait' seconds
    this.#window = window;
    const attrs: BoshBodyAttrs = {
      // XEP-0124 §7.1: to, xml:lang, ver, wait, hold; XEP-0206 §3: xmpp:version='1.0'
      to: domain, lang: this.#lang, ver: '1.6', wait, hold: this.#options.hold ?? 1,
      ...(this.#options.route !== undefined ? { route: this.#options.route } : {}),
      xmppVersion: '1.0',
    };
    return new Promise<StreamOpen>((resolve, reject) => {
      // A connection manager that takes the request and never answers (or keeps failing) is a timeout,
      // in openTimeoutMs, not wait + 10 s per retry.
      const ms = this.#options.openTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        this.#end({ reason: 'error', requested: false, error: new TimeoutError(`no session creation response from the BOSH connection manager within ${ms} ms`, ms) });
      }, ms);
      const settle = <T>(then: (value: T) => void) => (value: T): void => {
        clearTimeout(timer);
        then(value);
      };
      window.dispatch({ kind: 'create', waiter: { resolve: settle(resolve), reject: settle(reject) } }, (rid) => buildBoshBodyText({ rid, ...attrs }, []));
    });
  }

  send(element: Element): void {
    if (this.#phase !== 'open') throw new TransportError('TRANSPORT_CLOSED', `the BOSH session is not open (${this.#phase})`);
    const text = serialize(element);
    const last = this.#outbox[this.#outbox.length - 1];
    if (last?.kind === 'payload') last.payloads.push(text); // one body for the elements of one tick
    else this.#outbox.push({ kind: 'payload', payloads: [text] });
    this.#schedule();
  }

  restart(): Promise<StreamOpen> {
    if (this.#phase !== 'open') return Promise.reject(new TransportError('TRANSPORT_CLOSED', `the BOSH session is not open (${this.#phase})`));
    return new Promise<StreamOpen>((resolve, reject) => {
      this.#outbox.push({ kind: 'restart', payloads: [], waiter: { resolve, reject } });
      this.#schedule();
    });
  }

  close(): Promise<void> {
    if (this.#phase === 'idle' || this.#phase === 'closed') {
      this.#phase = 'closed';
      return Promise.resolve();
    }
    if (this.#phase === 'connecting') {
      this.#end({ reason: 'closed', requested: true });
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve) => {
      const previous = this.#closed;
      this.#closed = () => { previous?.(); resolve(); };
    });
    if (this.#phase === 'closing') return done;
    this.#phase = 'closing';
    // XEP-0124 §13: the terminate request may carry the last payloads; a pending restart is dropped.
    const payloads = this.#outbox.flatMap((out) => out.payloads);
    for (const out of this.#outbox) out.waiter?.reject(new TransportError('TRANSPORT_CLOSED', 'the BOSH session is closing'));
    this.#outbox = [{ kind: 'terminate', payloads }];
    this.#closeTimer = setTimeout(() => this.#end({ reason: 'closed', requested: true }), this.#options.closeTimeoutMs ?? 2000);
    this.#pump();
    return done;
  }

  // -------------------------------------------------------------------------------------------------
  // Requests

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  /** Sends what waits while slots are free; then, with nothing in flight, the long poll. */
  #pump(): void {
    const window = this.#window;
    if (!window || (this.#phase !== 'open' && this.#phase !== 'closing')) return;
    for (let next = this.#outbox[0]; next; next = this.#outbox[0]) {
      // XEP-0124 §11: no more than 'requests' at a time, but one more MAY be made to terminate.
      const limit = next.kind === 'terminate' ? this.#requests + 1 : this.#requests;
      if (window.inFlight >= limit || !window.mayDispatch()) return;
      this.#outbox.shift();
      this.#dispatch(window, next.kind, next.payloads, next.waiter);
    }
    if (this.#phase === 'open' && window.inFlight === 0 && this.#pollSoon === undefined) {
      // After the elements of an answer have been handled: what they make the application send goes
      // out instead of the poll, so a poll and a request right behind it do not race to the server.
      this.#pollSoon = nextTurn(() => {
        this.#pollSoon = undefined;
        if (this.#phase === 'open' && window.inFlight === 0 && this.#outbox.length === 0) this.#poll(window);
      });
    }
  }

  /**
   * XEP-0124 §10: keep a request in flight so the session never goes idle; §11/§12: the window keeps
   * two empty requests in a row, the first answered empty, at least 'polling' seconds apart.
   */
  #poll(window: BoshWindow<Sent>): void {
    if (window.mayPoll()) this.#dispatch(window, 'poll', []);
  }

  #dispatch(window: BoshWindow<Sent>, kind: Kind, payloads: readonly string[], waiter?: Waiter): number | undefined {
    const attrs: BoshBodyAttrs =
      // XEP-0206 §5: the restart request carries to, xml:lang and xmpp:restart='true', and no payload.
      kind === 'restart' ? { sid: this.#sid, to: this.#domain, lang: this.#lang, xmppRestart: true }
        : kind === 'terminate' ? { sid: this.#sid, type: 'terminate' } // XEP-0124 §13
          : { sid: this.#sid };
    try {
      const rid = window.dispatch({ kind }, (at) => buildBoshBodyText({ rid: at, ...attrs }, payloads));
      if (kind === 'restart' && waiter) this.#restarting = { rid, waiter };
      return rid;
    } catch (caught) {
      const error = caught instanceof XmppError ? caught : new TransportError('TRANSPORT_FAILURE', 'cannot write the BOSH request', { cause: caught });
      waiter?.reject(error);
      this.#end({ reason: 'error', requested: false, error });
      return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Responses, in rid order

  #process(rid: number, sent: Sent, result: BoshExchange): void {
    this.#read(rid, sent, result);
    if (this.#phase === 'closed' && this.#endError) sent.waiter?.reject(this.#endError); // a failed connect
  }

  #read(rid: number, sent: Sent, result: BoshExchange): void {
    if (!result.ok) {
      if (this.#phase === 'closing') this.#end({ reason: 'closed', requested: true });
      else this.#end({ reason: 'error', requested: false, error: result.error, ...(result.status !== undefined ? { code: result.status } : {}) });
      return;
    }
    const { body, status } = result;
    if (body.type === 'terminate') {
      this.#terminated(body, status);
      return;
    }
    if (sent.kind === 'create') {
      if (!this.#opened(body, status)) return;
      sent.waiter?.resolve(this.#stream);
      this.#events.emit('open', this.#stream);
    }
    if (sent.kind === 'restart') {
      if (this.#restarting?.rid === rid) this.#reopened(body);
      else this.#stream = boshStreamHeader(body, this.#stream); // the features came first, on another answer
    }
    this.#deliver(body, status);
  }

  /** XEP-0124 §7.2 / XEP-0206 §4: the session creation response. */
  #opened(body: BoshBody, status: number): boolean {
    if (body.sid === undefined || body.sid === '') {
      const error = new TransportError('TRANSPORT_FAILURE', 'the BOSH session creation response has no sid');
      this.#end({ reason: 'error', requested: false, error, code: status });
      return false;
    }
    this.#sid = body.sid;
    const window = this.#window;
    if (window) {
      if (body.wait !== undefined) {
        this.#wait = body.wait;
        window.timeoutMs = (body.wait + 10) * 1000;
      }
      window.pollingMs = (body.polling ?? 0) * 1000;
    }
    // XEP-0124 §7.2: without 'requests', hold + 1 requests at a time.
    this.#requests = Math.max(1, body.requests ?? (body.hold ?? this.#options.hold ?? 1) + 1);
    this.#phase = 'open';
    this.#stream = boshStreamHeader(body, { version: '0.9', lang: this.#lang });
    return true;
  }

  /**
   * XEP-0206 §5: the stream after a restart; what the body leaves out stays as it was. The connection
   * manager may send the new features on an older request it was holding (Prosody answers the oldest),
   * so the first features after the restart request complete the restart as well as its own answer.
   */
  #reopened(body: BoshBody): void {
    const restarting = this.#restarting;
    if (!restarting) return;
    this.#restarting = undefined;
    this.#stream = boshStreamHeader(body, this.#stream);
    restarting.waiter.resolve(this.#stream);
    this.#events.emit('open', this.#stream);
  }

  #deliver(body: BoshBody, status: number): void {
    for (const child of body.children) {
      if (this.#phase === 'closed') return;
      if (isStreamErrorElement(child)) {
        this.#end({ reason: 'stream-error', requested: false, error: readBoshStreamError(child), code: status });
        return;
      }
      if (this.#restarting && isStreamElement(child, 'features')) this.#reopened(body);
      this.#events.emit('element', child);
    }
  }

  /** XEP-0124 §13 / §17.2, XEP-0206 §6: the session ended; the payloads before the end are delivered. */
  #terminated(body: BoshBody, status: number): void {
    let streamError: StreamError | undefined;
    for (const child of body.children) {
      if (this.#phase === 'closed') return;
      if (isStreamErrorElement(child)) streamError ??= readBoshStreamError(child);
      else this.#events.emit('element', child);
    }
    if (this.#phase === 'closing') this.#end({ reason: 'closed', requested: true, code: status });
    else this.#end(boshCloseInfo(body, status, streamError));
  }

  #end(info: TransportCloseInfo): void {
    if (this.#phase === 'closed') return;
    const wasOpen = this.#phase === 'open';
    this.#phase = 'closed';
    this.#pollSoon?.();
    this.#pollSoon = undefined;
    clearTimeout(this.#closeTimer);
    this.#drainAbort.abort();
    const window = this.#window;
    const lost = info.reason === 'error' && !info.requested && (info.code === undefined || info.code >= 500);
    if (wasOpen && lost && window) {
      this.#leftover = { url: this.#options.url, sid: this.#sid, fromRid: window.oldestUnanswered, nextRid: window.nextRid, wait: this.#wait };
    }
    const error = info.error ?? new TransportError('TRANSPORT_CLOSED', `the BOSH session ended (${info.reason})`);
    this.#endError = error;
    for (const sent of this.#window?.close() ?? []) sent.waiter?.reject(error);
    for (const out of this.#outbox) out.waiter?.reject(error);
    this.#restarting?.waiter.reject(error);
    this.#restarting = undefined;
    this.#outbox = [];
    this.#events.emit('close', info);
    this.#closed?.();
  }
}
