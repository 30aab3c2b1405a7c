// Test support: a minimal raw XMPP-over-WebSocket client for integration specs (not the library).
//
// RFC 7395 (https://www.rfc-editor.org/rfc/rfc7395): subprotocol "xmpp", one complete XML element per
// frame, streams opened with <open xmlns='urn:ietf:params:xml:ns:xmpp-framing'/> and ended with <close/>.
// Every incoming frame is parsed with the library's parseXml and queued; `next(predicate)` takes the first match, so a
// spec can wait for a reply without losing pushes that arrive in between.

import WebSocket from 'ws';
import { Element, parse } from 'ltx';
import { parseXml } from '../../lib/stanzas/xml.js';

export const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
export const NS_CLIENT = 'jabber:client';
export const NS_STREAMS = 'http://etherx.jabber.org/streams';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
export const NS_REGISTER = 'jabber:iq:register';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

const DEFAULT_TIMEOUT_MS = 5_000;

export interface RawStream {
  /** The next incoming element that matches (taken from the queue or awaited). */
  next(predicate?: (element: Element) => boolean, timeoutMs?: number): Promise<Element>;
  send(stanza: string | Element): void;
  /** Sends an iq (which must carry an id) and resolves with the result or error iq of that id. */
  iq(stanza: string | Element, timeoutMs?: number): Promise<Element>;
  /** The latest <stream:features/>. */
  features(): Element;
  /** The server's latest `<open/>` (RFC 7395 §3.4). */
  opened(): Element;
  /** XEP-0077 registration on the unauthenticated stream; resolves with the reply iq (result or error). */
  register(username: string, password: string): Promise<Element>;
  /** SASL PLAIN, then the stream restart; rejects on <failure/>. */
  authPlain(username: string, password: string): Promise<void>;
  /** Resource binding; resolves with the full JID. */
  bind(resource: string): Promise<string>;
  close(): Promise<void>;
}

interface Waiter {
  readonly predicate: (element: Element) => boolean;
  readonly resolve: (element: Element) => void;
  readonly reject: (error: Error) => void;
}

/** Opens a WebSocket to `url`, opens the XMPP stream to `domain`, and waits for the stream features. */
export async function openRawStream(url: string, domain: string): Promise<RawStream> {
  const socket = new WebSocket(url, 'xmpp');
  const queue: Element[] = [];
  const waiters: Waiter[] = [];
  let latestFeatures: Element | undefined;
  let latestOpen: Element | undefined;
  let closedError: Error | undefined;
  let ids = 0;

  const fail = (error: Error): void => {
    closedError ??= error;
    for (const waiter of waiters.splice(0)) waiter.reject(closedError);
  };

  socket.on('message', (data: WebSocket.RawData) => {
    let element: Element;
    try {
      element = parseXml(data.toString()); // the library's own parser, on what the server really sent
    } catch (error) {
      fail(new Error(`unparsable frame: ${data.toString()}`, { cause: error }));
      return;
    }
    if (element.is('features', NS_STREAMS)) latestFeatures = element;
    if (element.is('open', NS_FRAMING)) latestOpen = element;
    const index = waiters.findIndex((waiter) => waiter.predicate(element));
    const waiter = index >= 0 ? waiters.splice(index, 1)[0] : undefined;
    if (waiter) waiter.resolve(element);
    else queue.push(element);
  });
  socket.on('error', (error: Error) => fail(error));
  socket.on('close', () => fail(new Error('WebSocket closed')));

  const next = (predicate: (element: Element) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Element> => {
    const index = queue.findIndex(predicate);
    const queued = index >= 0 ? queue.splice(index, 1)[0] : undefined;
    if (queued) return Promise.resolve(queued);
    if (closedError) return Promise.reject(closedError);
    return new Promise<Element>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        const seen = queue.map((element) => element.toString()).join('\n  ') || '(nothing)';
        reject(new Error(`no matching element within ${timeoutMs} ms; unclaimed:\n  ${seen}`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (element) => { clearTimeout(timer); resolve(element); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      waiters.push(waiter);
    });
  };

  // RFC 7395 §3.3.3: each frame is a complete, namespace-qualified element; Prosody rejects a stanza
  // without xmlns='jabber:client' (ejabberd tolerates it), so stanzas get it when they lack one.
  const send = (stanza: string | Element): void => {
    const element = typeof stanza === 'string' ? parse(stanza) : stanza;
    if (['iq', 'message', 'presence'].includes(element.name) && element.attrs.xmlns === undefined) {
      element.attrs.xmlns = NS_CLIENT;
    }
    socket.send(element.toString());
  };

  const openStream = async (): Promise<void> => {
    send(`<open xmlns='${NS_FRAMING}' to='${domain}' version='1.0'/>`);
    await next((element) => element.is('open', NS_FRAMING));
    await next((element) => element.is('features', NS_STREAMS));
  };

  const iq = (stanza: string | Element, timeoutMs?: number): Promise<Element> => {
    const element = typeof stanza === 'string' ? parse(stanza) : stanza;
    const id: unknown = element.attrs.id;
    if (typeof id !== 'string' || id === '') throw new Error(`iq without id: ${element.toString()}`);
    const reply = next(
      (incoming) => incoming.name === 'iq' && incoming.attrs.id === id &&
        (incoming.attrs.type === 'result' || incoming.attrs.type === 'error'),
      timeoutMs,
    );
    send(element);
    return reply;
  };

  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  await openStream();

  return {
    next,
    send,
    iq,
    features() {
      if (!latestFeatures) throw new Error('no stream features received');
      return latestFeatures;
    },
    opened() {
      if (!latestOpen) throw new Error('no <open/> received');
      return latestOpen;
    },
    register(username, password) {
      const request = new Element('iq', { type: 'set', id: `reg${++ids}` })
        .c('query', { xmlns: NS_REGISTER })
        .c('username').t(username).up()
        .c('password').t(password)
        .root();
      return iq(request);
    },
    async authPlain(username, password) {
      const payload = Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
      send(new Element('auth', { xmlns: NS_SASL, mechanism: 'PLAIN' }).t(payload));
      const outcome = await next((element) => element.getNS() === NS_SASL && ['success', 'failure'].includes(element.name));
      if (outcome.name !== 'success') throw new Error(`SASL PLAIN failed: ${outcome.toString()}`);
      await openStream();
    },
    async bind(resource) {
      const request = new Element('iq', { type: 'set', id: `bind${++ids}` })
        .c('bind', { xmlns: NS_BIND })
        .c('resource').t(resource)
        .root();
      const reply = await iq(request);
      const jid = reply.getChild('bind', NS_BIND)?.getChildText('jid');
      if (reply.attrs.type !== 'result' || !jid) throw new Error(`bind failed: ${reply.toString()}`);
      return jid;
    },
    async close() {
      if (socket.readyState === WebSocket.OPEN) {
        send(`<close xmlns='${NS_FRAMING}'/>`);
        await next((element) => element.is('close', NS_FRAMING), 1_000).catch(() => undefined);
      }
      if (socket.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { socket.terminate(); resolve(); }, 1_000);
        socket.once('close', () => { clearTimeout(timer); resolve(); });
        socket.close();
      });
    },
  };
}
