import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { StreamError, TransportError } from '../../lib/errors.js';
import { NS_FRAMING } from '../../lib/stanzas/ns.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import type { TransportCloseInfo } from '../../lib/transport/transport.js';
import { createWebSocketTransport, type WebSocketLike } from '../../lib/transport/websocket.js';
import { randomElement } from '../support/fuzz.js';

type Listener = (event: { data?: unknown; code?: number }) => void;

/** A fake WebSocket: records what is sent, lets the test play the server. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  protocol: string;
  readonly sent: string[] = [];
  readonly url: string;
  readonly protocols: string | string[] | undefined;
  closedWith: number | undefined;
  readonly #listeners = new Map<string, Listener[]>();

  constructor(url: string, protocols?: string | string[]) {
    this.url = url;
    this.protocols = protocols;
    this.protocol = FakeSocket.agree;
    FakeSocket.last = this;
  }

  static agree = 'xmpp';

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.closedWith = code;
    this.readyState = 3;
    queueMicrotask(() => this.fire('close', { code: code ?? 1005 }));
  }

  fire(type: string, event: { data?: unknown; code?: number } = {}): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }

  open(): void {
    this.readyState = 1;
    this.fire('open');
  }

  serverSays(xml: string): void {
    this.fire('message', { data: xml });
  }
}

const SERVER_OPEN = `<open xmlns='${NS_FRAMING}' from='localhost' id='s1' version='1.0' xml:lang='en'/>`;

async function connected(): Promise<{ socket: FakeSocket; transport: ReturnType<typeof createWebSocketTransport>; elements: Element[]; closes: TransportCloseInfo[] }> {
  const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/xmpp-websocket', WebSocket: FakeSocket, openTimeoutMs: 500, closeTimeoutMs: 50 });
  const elements: Element[] = [];
  const closes: TransportCloseInfo[] = [];
  transport.on('element', (element) => elements.push(element));
  transport.on('close', (info) => closes.push(info));
  const opened = transport.connect('localhost', { lang: 'en' });
  const socket = FakeSocket.last as FakeSocket;
  socket.open();
  socket.serverSays(SERVER_OPEN);
  const info = await opened;
  assert.equal(info.id, 's1');
  return { socket, transport, elements, closes };
}

describe('transport/websocket (RFC 7395)', () => {
  beforeEach(() => {
    FakeSocket.agree = 'xmpp';
  });

  it('asks for the xmpp subprotocol and opens the stream with <open/> (RFC 7395 §3.1, §3.4)', async () => {
    const { socket, transport } = await connected();
    assert.equal(socket.protocols, 'xmpp');
    const open = parseXml(socket.sent[0] ?? '');
    assert.deepEqual([open.getName(), open.getNS(), open.attrs.to, open.attrs.version, open.attrs['xml:lang']], ['open', NS_FRAMING, 'localhost', '1.0', 'en']);
    assert.equal(transport.secure, false);
    assert.equal(transport.host, '127.0.0.1');
  });

  it('fails when the server does not agree to the subprotocol', async () => {
    FakeSocket.agree = '';
    const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/', WebSocket: FakeSocket, openTimeoutMs: 500 });
    const opened = transport.connect('localhost');
    (FakeSocket.last as FakeSocket).open();
    await assert.rejects(opened, (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE' && /subprotocol/.test(e.message));
  });

  it('restarts with a new <open/> on the same socket (RFC 7395 §3.5)', async () => {
    const { socket, transport } = await connected();
    const restarted = transport.restart();
    assert.equal(parseXml(socket.sent[1] ?? '').getName(), 'open');
    socket.serverSays(`<open xmlns='${NS_FRAMING}' from='localhost' id='s2' version='1.0'/>`);
    assert.equal((await restarted).id, 's2');
  });

  it('closes with <close/> and waits for the server\'s (RFC 7395 §3.6)', async () => {
    const { socket, transport, closes } = await connected();
    const closing = transport.close();
    assert.equal(parseXml(socket.sent.at(-1) ?? '').getName(), 'close');
    socket.serverSays(`<close xmlns='${NS_FRAMING}'/>`);
    await closing;
    assert.deepEqual(closes.map((c) => [c.reason, c.requested]), [['closed', true]]);
    assert.throws(() => transport.send(new Element('presence')), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
  });

  it('answers a server <close/> with <close/>, and reports see-other-uri (RFC 7395 §3.6.1)', async () => {
    const { socket, closes } = await connected();
    socket.serverSays(`<close xmlns='${NS_FRAMING}' see-other-uri='wss://other.example/ws'/>`);
    assert.equal(parseXml(socket.sent.at(-1) ?? '').getName(), 'close');
    assert.deepEqual(closes.map((c) => [c.reason, c.seeOtherUri, c.requested]), [['see-other-uri', 'wss://other.example/ws', false]]);
  });

  it('turns a stream error into a StreamError close', async () => {
    const { socket, closes } = await connected();
    socket.serverSays("<stream:error xmlns:stream='http://etherx.jabber.org/streams'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
    assert.equal(closes.length, 1);
    assert.equal(closes[0]?.reason, 'stream-error');
    assert.ok(closes[0]?.error instanceof StreamError && closes[0].error.condition === 'conflict');
  });

  it('an unexpected socket close is an error close with the code; a malformed or huge frame ends the connection', async () => {
    const a = await connected();
    a.socket.close(1006);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(a.closes.map((c) => [c.reason, c.code, c.error?.code]), [['error', 1006, 'TRANSPORT_CLOSED']]);
    const b = await connected();
    b.socket.serverSays('<message><body>broken</message>');
    assert.deepEqual(b.closes.map((c) => [c.reason, c.error?.code, (c.error?.cause as { code?: string } | undefined)?.code]), [['error', 'STREAM_ERROR', 'XML_MALFORMED']]);
  });

  it('framing: every element sent is exactly one frame that parses back to it; every frame received is one element, in order', async () => {
    await fc.assert(fc.asyncProperty(fc.array(randomElement(['message', 'presence', 'iq', 'body'], ['jabber:client', 'urn:x']), { minLength: 1, maxLength: 6 }), async (elements) => {
      const { socket, transport, elements: received } = await connected();
      const before = socket.sent.length;
      for (const element of elements) transport.send(element);
      assert.equal(socket.sent.length - before, elements.length);
      socket.sent.slice(before).forEach((frame, i) => assert.equal(serialize(parseXml(frame, { maxDepth: 1000 })), serialize(elements[i] as Element)));
      for (const element of elements) socket.serverSays(serialize(element));
      assert.deepEqual(received.map((e) => serialize(e)), elements.map((e) => serialize(e)));
    }), { numRuns: 50 });
  });

  it('refuses non-WebSocket URLs', () => {
    assert.throws(() => createWebSocketTransport({ url: 'http://127.0.0.1/', WebSocket: FakeSocket }), TransportError);
  });
});
