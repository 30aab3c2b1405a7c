/**
 * The session: an XMPP client stream over any {@link Transport}. It opens the stream, reads the
 * features, authenticates with the strongest SASL mechanism the credentials and the connection allow,
 * binds a resource, and is then ready: it sends stanzas, calls and answers IQs, and hands incoming
 * messages and presences to its listeners. In-band registration runs on the unauthenticated stream
 * and can continue to a login on the same stream. Once it has authenticated with a server, its later
 * connections (reconnects, a login after close) send the SCRAM `<auth/>` right behind the stream
 * header, before the features come (session-pipelining.ts).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-9 (the order of negotiation)
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register
 * @see https://xmpp.org/extensions/xep-0305.html#pipelining
 */
import type { Element } from 'ltx';
import { SaslError, StanzaParseError, TimeoutError, TransportError, type XmppError } from '../errors.js';
import { buildBind, buildSessionStart, parseBind } from '../stanzas/bind.js';
import { buildRegisterFormSubmit, buildRegisterGet, buildRegisterSet, parseRegisterForm } from '../stanzas/register.js';
import { parseStreamFeatures, type StreamFeatures } from '../stanzas/stream-features.js';
import { buildSmEnable, buildSmResume, isStreamManagement, parseStreamManagement } from '../stanzas/stream-management.js';
import { isStreamElement } from '../stanzas/stream.js';
import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import { IqCaller, type IqCallOptions } from './iq-caller.js';
import { Inbox } from './inbox.js';
import { IqHandlers } from './iq-handlers.js';
import { runSaslExchange, type SaslExchangeIo } from './sasl-exchange.js';
import type { SaslContext, SaslCredentials } from './sasl-mechanism.js';
import { chooseMechanism, isLoopbackHost, selectMechanism } from './sasl-select.js';
import { createScramKeyCache, type ScramKeyCache } from './scram.js';
import type { LoginCredentials, SessionEvents, SessionOptions, SessionStatus } from './session-options.js';
import { EarlyAuth, prepareEarlyAuth, type ServerMemory } from './session-pipelining.js';
import { StreamManager } from './stream-manager.js';
import { trace } from './trace.js';
import type { Transport, TransportCloseInfo } from './transport.js';

export type { LoginCredentials, ReconnectOptions, SessionEvents, SessionOptions, SessionStatus } from './session-options.js';

const isFeatures = (element: Element): boolean => isStreamElement(element, 'features');

/** The mechanism the selection would pick, or `undefined` when none is usable (the selection then says why). */
function preferredMechanism(offered: readonly string[], credentials: SaslCredentials, context: SaslContext): string | undefined {
  try {
    return chooseMechanism(offered, credentials, context);
  } catch {
    return undefined;
  }
}

/** What pending requests fail with when the connection is gone for good: a `TransportError` with the cause. */
function connectionLost(cause: XmppError): TransportError {
  return cause instanceof TransportError ? cause : new TransportError('TRANSPORT_CLOSED', `the connection was lost (${cause.message})`, { cause });
}

/**
 * A copy of parsed data made of strings of its own. Strings read from a received frame are slices of
 * it in V8, and keep the whole frame in memory for as long as they live.
 */
function ownCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** How long the answer to the server's `<r/>` waits for more stanzas to count, in ms. */
const ACK_ANSWER_DELAY_MS = 100;

/** How long a reconnect waits for the answer to `<resume/>` before starting a fresh session, in ms. */
const RESUME_TIMEOUT_MS = 3000;

/** An XMPP client session over one transport at a time. */
export class Session {
  /** Handlers of incoming IQ get/set; unhandled ones are answered `service-unavailable`. */
  readonly iqHandlers = new IqHandlers();
  readonly #options: SessionOptions;
  readonly #events = new Emitter<SessionEvents>();
  readonly #caller: IqCaller;
  readonly #scramCache: ScramKeyCache;
  #transport: Transport | undefined;
  #unsubscribe: (() => void)[] = [];
  #status: SessionStatus = 'offline';
  #jid = '';
  #features: StreamFeatures | undefined;
  #negotiating = false;
  readonly #inbox = new Inbox();
  #lost: XmppError | undefined;
  readonly #sm = new StreamManager();
  #credentials: LoginCredentials | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #ackAnswerTimer: ReturnType<typeof setTimeout> | undefined;
  /** The transport lost on an error, for the one that replaces it when a resumption follows. */
  #lostTransport: Transport | undefined;
  /** What the server showed at the last authentication, for pipelining the next (session-pipelining.ts). */
  #server: ServerMemory | undefined;
  /**
   * The server left a `<resume/>` unanswered (Prosody 0.12 over BOSH fails on it and never answers):
   * it is not asked to resume again, nor to keep a stream for resumption, for the session's life.
   */
  #resumeUnanswered = false;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#scramCache = options.scramCache ?? createScramKeyCache();
    const prefix = Array.from(crypto.getRandomValues(new Uint8Array(3)), (byte) => (byte % 36).toString(36)).join('');
    this.#caller = new IqCaller(
      { send: (element) => this.#write(element), ownJid: () => this.#jid, domain: () => options.domain },
      options.requestTimeoutMs ?? 15_000,
      prefix,
    );
  }

  /** The bound full JID, `''` before login. */
  get jid(): string {
    return this.#jid;
  }

  get status(): SessionStatus {
    return this.#status;
  }

  /** The features of the current stream. */
  get features(): StreamFeatures | undefined {
    return this.#features;
  }

  /** The transport in use. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  on<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Opens a stream, authenticates, binds and asks for stream management.
   * Resolves with the bound full JID.
   * @throws {SaslError} `SASL_FAILURE` (wrong credentials: `condition` says which), `SASL_NO_MECHANISM`,
   *   `SASL_SERVER_SIGNATURE`, `SASL_PROTOCOL`.
   * @throws {TransportError} / {@link TimeoutError} when the server cannot be reached or does not answer.
   * @see https://www.rfc-editor.org/rfc/rfc6120#section-6
   */
  async login(credentials: LoginCredentials): Promise<string> {
    if (this.#status !== 'offline') throw new TransportError('TRANSPORT_FAILURE', `the session is ${this.#status}; close it first`);
    return this.#negotiate(async () => {
      const early = this.#earlyAuth(credentials);
      return this.#logIn(await this.#openStream('connecting', undefined, early), credentials, early);
    });
  }

  /**
   * Registers an account in-band on a fresh, unauthenticated stream (XEP-0077 §3.1), filling the data
   * form when the server sends one. With `login`, continues to log in on the same stream.
   * @throws {StanzaError} `conflict` when the username is taken, `not-acceptable` for a refused field.
   * @see https://xmpp.org/extensions/xep-0077.html#usecases-register
   */
  async register(account: { readonly username: string; readonly password: string }, options: { readonly login?: boolean } = {}): Promise<string | undefined> {
    if (this.#status !== 'offline') throw new TransportError('TRANSPORT_FAILURE', `the session is ${this.#status}; register on a closed one`);
    return this.#negotiate(async () => {
      const features = await this.#openStream();
      const form = parseRegisterForm(await this.iq((id) => buildRegisterGet(id)));
      await this.iq((id) => form.form
        ? buildRegisterFormSubmit(id, form.form, { username: account.username, password: account.password })
        : buildRegisterSet(id, { username: account.username, password: account.password }));
      if (!options.login) {
        await this.close();
        return undefined;
      }
      return this.#logIn(features, account);
    });
  }

  /** Runs a negotiation; on any failure the stream is abandoned and the session is offline with the error. */
  async #negotiate<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await this.#abandon(error as XmppError);
      throw error;
    }
  }

  /** SASL, bind, stream management: from an unauthenticated stream's features to online. */
  async #logIn(features: StreamFeatures, credentials: LoginCredentials, early?: EarlyAuth): Promise<string> {
    let bound: Promise<Element> | undefined;
    await this.#authenticate(features, credentials, () => {
      bound = this.#requestBind();
    }, early);
    await this.#bind(bound);
    this.#enableStreamManagement();
    this.#online(credentials);
    return this.#jid;
  }

  /**
   * Sends the IQ that `build(id)` makes; resolves with the result.
   * @throws {StanzaError} for an error answer; {@link TimeoutError} `TIMEOUT`; {@link TransportError}.
   */
  iq(build: (id: string) => Element, options?: IqCallOptions): Promise<Element> {
    if (this.#status === 'reconnecting') return Promise.reject(reconnecting());
    return this.#caller.call(build, options);
  }

  /**
   * Sends an element.
   * @throws {TransportError} `TRANSPORT_CLOSED` when there is no open stream, also while the session is
   *   being re-established (the new stream is still negotiating: what went into it now would be neither
   *   answered nor kept for resumption).
   */
  send(element: Element): void {
    if (this.#status === 'reconnecting') throw reconnecting();
    this.#write(element);
  }

  /** Writes to the stream: the session's own negotiation, and what `send` and `iq` let through. */
  #write(element: Element): void {
    const transport = this.#transport;
    if (!transport || this.#lost) {
      const lost = this.#lost;
      throw new TransportError('TRANSPORT_CLOSED', lost ? `no open stream (${lost.message})` : 'no open stream', lost ? { cause: lost } : {});
    }
    trace(this.#options.onTrace, 'out', element);
    transport.send(element);
    if (this.#negotiating) return; // no <r/> on a stream that is not bound (or resumed) yet
    if (this.#sm.sent(element)) this.#requestAck();
    else if (this.#sm.unacked.length > 0 && this.#ackTimer === undefined) {
      // XEP-0198 §4: ask for an ack soon after stanzas were sent, so the queue of unacked ones stays short.
      this.#ackTimer = setTimeout(() => this.#requestAck(), 1000);
    }
  }

  /** A fresh stanza id. */
  nextId(): string {
    return this.#caller.nextId();
  }

  /** Closes the stream and the transport. Pending IQs fail with `TRANSPORT_CLOSED`. */
  async close(): Promise<void> {
    this.#credentials = undefined; // also stops a reconnect in progress
    this.#lostTransport = undefined;
    this.#clearAckTimer();
    this.#clearAckAnswer();
    this.#lost = new TransportError('TRANSPORT_CLOSED', 'the session was closed');
    this.#inbox.lose(this.#lost);
    const transport = this.#transport;
    if (transport) {
      this.#setStatus('closing');
      await transport.close().catch(() => undefined);
      this.#detach();
    }
    this.#caller.failAll(this.#lost);
    this.#sm.reset();
    this.#setStatus('offline');
  }

  /**
   * Opens a stream on a fresh transport and reads its features. `early`: an `<auth/>` to send right
   * behind the stream header when the transport can (XEP-0305 §3; see session-pipelining.ts).
   */
  async #openStream(status: SessionStatus = 'connecting', replaces?: Transport, early?: EarlyAuth): Promise<StreamFeatures> {
    await this.#dropTransport();
    this.#setStatus(status);
    const source = this.#options.transport;
    const transport = typeof source === 'function' ? source() : source;
    this.#transport = transport;
    this.#lost = undefined;
    this.#jid = '';
    this.#negotiating = true;
    this.#inbox.reset();
    this.#unsubscribe = [
      transport.on('element', (element) => this.#onElement(element)),
      transport.on('close', (info) => this.#onClose(info)),
    ];
    const connected = transport.connect(this.#options.domain, {
      ...(this.#options.lang !== undefined ? { lang: this.#options.lang } : {}),
      ...(replaces ? { replaces } : {}),
      ...(early ? { onHeaderSent: () => early.headerSent() } : {}),
    });
    await this.#inTime(connected, 'stream header'); // a BOSH session creation may otherwise wait 'wait' + 10 s
    return this.#readFeatures();
  }

  /**
   * `step`, or a `TimeoutError` once the request timeout has passed: connecting is a negotiation step
   * like the others (a server that accepts the connection and says nothing fails it in time).
   */
  #inTime<T>(step: Promise<T>, what: string): Promise<T> {
    const ms = this.#options.requestTimeoutMs ?? 15_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no ${what} from the server within ${ms} ms`, ms)), ms);
    });
    step.catch(() => undefined); // when late, it still settles (the transport is dropped): nobody reads it
    return Promise.race([step, late]).finally(() => clearTimeout(timer));
  }

  /**
   * An `<auth/>` to send ahead of the features, from what the server offered last time
   * (session-pipelining.ts); prepared while the connection is being made.
   */
  #earlyAuth(credentials: LoginCredentials): EarlyAuth | undefined {
    if (this.#server === undefined) return undefined;
    const preparing = prepareEarlyAuth(this.#server, this.#saslCredentials(credentials), { cache: this.#scramCache });
    return new EarlyAuth(preparing, (element) => this.#write(element));
  }

  #saslCredentials(credentials: LoginCredentials): SaslCredentials {
    return {
      username: credentials.username,
      domain: this.#options.domain,
      ...(credentials.password !== undefined ? { password: credentials.password } : {}),
      ...(credentials.token !== undefined ? { token: credentials.token } : {}),
    };
  }

  async #readFeatures(): Promise<StreamFeatures> {
    const features = parseStreamFeatures(await this.#next(isFeatures, 'stream features'));
    this.#features = ownCopy(features); // kept for the session's life: not a slice of the frame
    return features;
  }

  /**
   * RFC 6120 §6.4: the SASL exchange, then the stream restart of §6.4.6. `pipelined` sends what comes
   * next (bind, or resume) right behind the new stream header, without waiting for the server's
   * features: one round trip less. The server reads them in order, after the header; a server that
   * completes SASL MUST offer resource binding (RFC 6120 §7.2), and `<resume/>` is only sent where the
   * previous stream of the same server offered stream management. `early`: an `<auth/>` that may have
   * gone ahead of the features (session-pipelining.ts). The restart itself waits for `<success/>`: see
   * session-pipelining.ts for why it is not sent ahead.
   */
  async #authenticate(features: StreamFeatures, credentials: LoginCredentials, pipelined?: () => void, early?: EarlyAuth): Promise<void> {
    const transport = this.#transport;
    if (!transport) throw new TransportError('TRANSPORT_CLOSED', 'no open stream');
    const allowed = this.#options.mechanisms;
    const offered = allowed ? features.mechanisms.filter((name) => allowed.includes(name)) : features.mechanisms;
    this.#server = { mechanisms: [...offered] };
    const io: SaslExchangeIo = { send: (element) => this.#write(element), next: (match, what) => this.#next(match, what) };
    const sasl = this.#saslCredentials(credentials);
    const context = { secure: transport.secure, loopback: isLoopbackHost(transport.host), allowPlainAuth: this.#options.allowPlainAuth ?? false };
    const ahead = early ? await early.settle(offered, preferredMechanism(offered, sasl, context), io) : undefined;
    const mechanism = ahead ?? await selectMechanism(offered, sasl, context, { cache: this.#scramCache });
    await runSaslExchange(mechanism, io, { authSent: ahead !== undefined });
    const opened = transport.restart(); // RFC 6120 §6.4.6: the client MUST restart the stream after success
    pipelined?.();
    await opened;
    await this.#readFeatures();
  }

  /** Sends the bind request (RFC 6120 §7.6) and returns its answer to come, never rejected unread. */
  #requestBind(): Promise<Element> {
    const answer = this.#caller.call((id) => buildBind(id, this.#options.resource));
    answer.catch(() => undefined); // read (and thrown) by #bind; a failed negotiation may never read it
    return answer;
  }

  /** RFC 6120 §7: resource binding, and the legacy session establishment where it is not optional. */
  async #bind(requested?: Promise<Element>): Promise<void> {
    const features = this.#features;
    if (!features?.bind) throw new StanzaParseError('STANZA_MISSING_PART', 'the server offers no resource binding after authentication');
    this.#jid = ownCopy(parseBind(await (requested ?? this.#requestBind())).jid);
    if (features.session && !features.session.optional) await this.#caller.call((id) => buildSessionStart(id)); // RFC 3921 §3
  }

  #onElement(element: Element): void {
    trace(this.#options.onTrace, 'in', element);
    this.#sm.received(element);
    if (this.#negotiating) {
      if (!this.#caller.handle(element)) this.#inbox.push(element);
      return;
    }
    this.#route(element);
  }

  /** An element of the established stream: SM nonzas, IQ answers and requests, then the listeners. */
  #route(element: Element): void {
    if ((this.#sm.enabled || this.#sm.requested) && isStreamManagement(element)) {
      this.#onStreamManagement(element);
      return;
    }
    if (this.#caller.handle(element)) return;
    if (this.iqHandlers.handle(element, (answer) => this.#sendQuietly(answer))) return;
    this.#events.emit('stanza', element);
  }

  /**
   * Negotiation is over: what arrived meanwhile and was not claimed (a transport may deliver several
   * elements in one go, before the last negotiation step resumes) is handled now, in order.
   */
  #endNegotiation(): void {
    this.#negotiating = false;
    for (const element of this.#inbox.drain()) this.#route(element);
  }

  #onClose(info: TransportCloseInfo): void {
    const wasOnline = this.#status === 'online';
    if (wasOnline && !info.requested) this.#lostTransport = this.#transport;
    this.#lost = info.error ?? new TransportError('TRANSPORT_CLOSED', `the connection closed (${info.reason})`);
    this.#detach();
    this.#clearAckTimer();
    this.#clearAckAnswer();
    this.#inbox.lose(this.#lost);
    this.#events.emit('disconnected', info);
    if (this.#status === 'reconnecting') return; // a reconnect attempt failed: the loop goes on
    const failure = connectionLost(this.#lost);
    if (wasOnline && !info.requested && this.#canReconnect()) {
      // Requests in flight stay pending when the stream may be resumed: they are sent again and answered.
      if (!this.#sm.resumable) this.#caller.failAll(failure);
      void this.#reconnect();
      return;
    }
    this.#caller.failAll(failure);
    if (this.#status !== 'closing') this.#setStatus('offline', info.requested ? undefined : this.#lost);
  }

  #canReconnect(): boolean {
    return this.#options.reconnect !== false && typeof this.#options.transport === 'function' && this.#credentials !== undefined;
  }

  /** Reconnects with backoff: resumes the stream when possible, else starts a fresh session. */
  async #reconnect(): Promise<void> {
    const settings = typeof this.#options.reconnect === 'object' ? this.#options.reconnect : {};
    const maxAttempts = settings.maxAttempts ?? 40;
    let lastError: XmppError = this.#lost ?? new TransportError('TRANSPORT_CLOSED', 'the connection closed');
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      this.#setStatus('reconnecting');
      const delay = backoffDelay(attempt, Math.random(), settings);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay)); // no timer for 0: it costs 1 ms+
      const credentials = this.#credentials;
      if (!credentials || this.#status !== 'reconnecting') return; // closed meanwhile
      try {
        const jid = this.#jid;
        // The stream to resume was on this server, whose features (then) said whether it can resume.
        const resumable = !this.#resumeUnanswered && this.#sm.resumable && this.#sm.id !== undefined && (this.#features?.sm.includes(3) ?? false);
        const early = this.#earlyAuth(credentials);
        const features = await this.#openStream('reconnecting', resumable ? this.#lostTransport : undefined, early);
        // Right behind the restart's header: <resume/>, or for a fresh session the bind request.
        let bound: Promise<Element> | undefined;
        await this.#authenticate(features, credentials, resumable ? () => this.#requestResume() : () => { bound = this.#requestBind(); }, early);
        if (resumable && await this.#resume(jid)) return;
        await this.#bind(bound);
        this.#enableStreamManagement();
        this.#caller.failAll(new TransportError('TRANSPORT_CLOSED', 'the stream could not be resumed; a fresh session was started'));
        this.#online(credentials);
        this.#events.emit('reconnected', false);
        return;
      } catch (error) {
        lastError = error as XmppError;
        await this.#dropTransport();
        if (error instanceof SaslError && error.code === 'SASL_FAILURE') break; // wrong credentials now: stop
      }
    }
    this.#credentials = undefined;
    this.#sm.reset();
    this.#caller.failAll(connectionLost(lastError));
    this.#setStatus('offline', lastError);
  }

  /** XEP-0198 §5: asks to resume the previous stream (sent right behind the restart's header). */
  #requestResume(): void {
    const previd = this.#sm.id;
    if (previd !== undefined) this.#write(buildSmResume(this.#sm.inbound, previd));
  }

  /** XEP-0198 §5: the answer to `<resume/>`: true when resumed, false when the server refused. */
  async #resume(jid: string): Promise<boolean> {
    let reply: Element;
    try {
      // A server answers <resume/> at once; one that does not (Prosody 0.12 over BOSH) costs 3 s at most.
      const timeoutMs = Math.min(this.#options.requestTimeoutMs ?? 15_000, RESUME_TIMEOUT_MS);
      reply = await this.#next((element) => isStreamManagement(element) && (element.name === 'resumed' || element.name === 'failed'), 'stream resumption', timeoutMs);
    } catch (error) {
      // No answer to <resume/> (a server may even crash on it): the next attempt starts a fresh session,
      // and later reconnects do not wait for this server's answer again.
      if (error instanceof TimeoutError) this.#resumeUnanswered = true;
      this.#sm.reset();
      throw error;
    }
    const answer = parseStreamManagement(reply);
    if (answer.kind !== 'resumed') {
      this.#sm.reset();
      return false;
    }
    this.#jid = jid;
    this.#lostTransport = undefined;
    this.#setStatus('online');
    // XEP-0198 §5: what the server did not get goes again, counted and kept again until acknowledged
    // (sent as part of the negotiation, it would not be: a second drop would then lose it, and the
    // server's count would acknowledge a later stanza in its place).
    this.#negotiating = false;
    for (const stanza of this.#sm.resumed(answer.h)) this.#write(stanza);
    this.#endNegotiation();
    this.#events.emit('reconnected', true);
    return true;
  }

  /**
   * XEP-0198 §3: asks for management with resumption when offered (and wanted; not from a server
   * that left a `<resume/>` unanswered). The answer is not waited for (one round trip less at login):
   * stanzas sent meanwhile are already kept, and `<enabled/>` or `<failed/>` is read when it comes.
   */
  #enableStreamManagement(): void {
    this.#sm.reset();
    if (this.#options.streamManagement === false || !this.#features?.sm.includes(3)) return;
    this.#write(buildSmEnable({ resume: !this.#resumeUnanswered }));
    this.#sm.enableSent();
  }

  #onStreamManagement(element: Element): void {
    let message;
    try {
      message = parseStreamManagement(element);
    } catch {
      return;
    }
    if (message.kind === 'enabled' && this.#sm.requested) this.#sm.start(message);
    else if (message.kind === 'failed' && this.#sm.requested) this.#sm.reset(); // no management on this stream
    else if (message.kind === 'r') this.#answerAckRequest(); // XEP-0198 §4: every <r/> is answered
    else if (message.kind === 'a') this.#sm.acknowledged(message.h);
  }

  #requestAck(): void {
    this.#clearAckTimer();
    if (this.#sm.enabled && this.#transport && !this.#lost && !this.#negotiating) this.#sendQuietly(this.#sm.request());
  }

  #clearAckTimer(): void {
    if (this.#ackTimer !== undefined) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  #clearAckAnswer(): void {
    if (this.#ackAnswerTimer !== undefined) clearTimeout(this.#ackAnswerTimer);
    this.#ackAnswerTimer = undefined;
  }

  /**
   * Answers the server's `<r/>` with `<a/>` a little later (ACK_ANSWER_DELAY_MS), counting what came
   * meanwhile: a server asks again only once answered, so under load one `<a/>` covers many stanzas
   * and the server spends less on acknowledgements. The count is read when the answer goes out.
   */
  #answerAckRequest(): void {
    if (this.#ackAnswerTimer !== undefined) return;
    this.#ackAnswerTimer = setTimeout(() => {
      this.#ackAnswerTimer = undefined;
      if (this.#sm.enabled && this.#transport && !this.#lost) this.#sendQuietly(this.#sm.answer());
    }, ACK_ANSWER_DELAY_MS);
  }

  #online(credentials: LoginCredentials): void {
    this.#credentials = credentials;
    this.#lostTransport = undefined;
    this.#setStatus('online');
    this.#endNegotiation();
  }

  async #dropTransport(): Promise<void> {
    const transport = this.#transport;
    if (!transport) return;
    this.#detach();
    await transport.close().catch(() => undefined);
  }

  /** The next incoming element that matches, during negotiation. */
  #next(match: (element: Element) => boolean, what: string, timeoutMs = this.#options.requestTimeoutMs ?? 15_000): Promise<Element> {
    return this.#inbox.next(match, what, timeoutMs);
  }

  #sendQuietly(element: Element): void {
    try {
      this.#write(element);
    } catch {
      // The connection is gone; the request that asked is gone with it.
    }
  }

  async #abandon(error: XmppError): Promise<void> {
    this.#negotiating = false;
    this.#lost ??= error;
    await this.#dropTransport();
    this.#caller.failAll(error);
    this.#setStatus('offline', error);
  }

  #detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#transport = undefined;
  }

  #setStatus(status: SessionStatus, error?: XmppError): void {
    if (this.#status === status && !error) return;
    this.#status = status;
    this.#events.emit('status', status, ...(error ? [error] : []));
  }
}

/**
 * A request made while the session is being re-established (e.g. the next step of a call that started
 * before the drop): it fails at once rather than wait for its timeout in a stream still negotiating.
 */
function reconnecting(): TransportError {
  return new TransportError('TRANSPORT_CLOSED', 'the connection is being re-established: try again once it is back');
}
