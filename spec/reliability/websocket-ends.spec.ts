// Reliability: the WebSocket transport ends with a typed error on what a broken or hostile server
// does, never with an exception thrown out of the socket's event handler: a stream error whose
// <see-other-host/> has no host (found by the fuzz campaign), and a server that opens the socket but
// never sends its <open/> (a TimeoutError, which the SDK answers with 408).

import { strict as assert } from 'node:assert';
import { StanzaParseError, StreamError, TimeoutError } from '../../lib/errors.js';
import { NS_FRAMING } from '../../lib/stanzas/ns.js';
import type { TransportCloseInfo } from '../../lib/transport/transport.js';
import { createWebSocketTransport, type WebSocketLike } from '../../lib/transport/websocket.js';

type Listener = (event: { data?: unknown; code?: number }) => void;

/** A socket the spec plays the server of. */
class ScriptedSocket implements WebSocketLike {
  static last: ScriptedSocket | undefined;
  readyState = 0;
  readonly protocol = 'xmpp';
  readonly #listeners = new Map<string, Listener[]>();

  constructor() {
    ScriptedSocket.last = this;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(): void {}

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.fire('close', { code: code ?? 1005 }));
  }

  fire(type: string, event: { data?: unknown; code?: number } = {}): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

/** A transport over a scripted socket, connected (the server's <open/> played), with its closes. */
async function opened(options: { maxFrameLength?: number; maxDepth?: number }): Promise<{ socket: ScriptedSocket; closes: TransportCloseInfo[] }> {
  const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/', WebSocket: ScriptedSocket, openTimeoutMs: 500, ...options });
  const closes: TransportCloseInfo[] = [];
  transport.on('close', (info) => closes.push(info));
  const connecting = transport.connect('localhost');
  const socket = ScriptedSocket.last!;
  socket.readyState = 1;
  socket.fire('open');
  socket.fire('message', { data: `<open xmlns='${NS_FRAMING}' from='localhost' id='s1' version='1.0'/>` });
  await connecting;
  return { socket, closes };
}

describe('WebSocket transport: typed ends on broken servers', () => {
  it('a stream error with a <see-other-host/> without a host ends the stream with a typed error', async () => {
    const { socket, closes } = await opened({});
    assert.doesNotThrow(() => socket.fire('message', {
      data: "<stream:error xmlns:stream='http://etherx.jabber.org/streams'><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    }));
    assert.equal(closes.length, 1);
    assert.equal(closes[0]!.reason, 'stream-error');
    assert.ok(closes[0]!.error instanceof StanzaParseError, String(closes[0]!.error));
  });

  it('a socket that opens but never brings the server\'s <open/>: connect rejects with a TimeoutError', async () => {
    const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/', WebSocket: ScriptedSocket, openTimeoutMs: 50 });
    const opened = transport.connect('localhost');
    const socket = ScriptedSocket.last!;
    socket.readyState = 1;
    socket.fire('open');
    await assert.rejects(opened, (error: unknown) => error instanceof TimeoutError && error.code === 'TIMEOUT' && error.timeoutMs === 50);
  });
});

describe('WebSocket transport: incoming limits', () => {

  const cases = [
    { what: 'a frame over maxFrameLength', options: { maxFrameLength: 1000 }, frame: `<message xmlns='jabber:client'><body>${'x'.repeat(2000)}</body></message>`, condition: 'policy-violation', code: 'XML_TOO_LARGE' },
    { what: 'a frame nested deeper than maxDepth', options: { maxDepth: 8 }, frame: `${'<a>'.repeat(20)}${'</a>'.repeat(20)}`, condition: 'policy-violation', code: 'XML_TOO_DEEP' },
    { what: 'a frame with a DTD', options: {}, frame: "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>", condition: 'restricted-xml', code: 'XML_RESTRICTED' },
    { what: 'a frame that is not XML', options: {}, frame: '<message><body>', condition: 'not-well-formed', code: 'XML_MALFORMED' },
  ] as const;
  for (const { what, options, frame, condition, code } of cases) {
    it(`${what} ends the stream with a StreamError ${condition}`, async () => {
      const { socket, closes } = await opened(options);
      assert.doesNotThrow(() => socket.fire('message', { data: frame }));
      assert.equal(closes.length, 1);
      const error = closes[0]!.error;
      assert.ok(error instanceof StreamError, String(error));
      assert.equal(error.condition, condition);
      assert.ok(error.cause instanceof StanzaParseError && error.cause.code === code, String(error.cause));
    });
  }
});
