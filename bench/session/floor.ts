/**
 * The ping floor for bench/session.ts: the same XEP-0199 ping with the least client code there can be,
 * so that what the server and the kernel cost shows apart from any library's.
 *
 * - WebSocket: a bare `ws` socket; the stream opened, SASL PLAIN and bind written by hand; each ping
 *   one frame out, the answer found by a regular expression.
 * - BOSH: HTTP/1.1 written by hand over two kept-alive node:net sockets (Content-Length framing only,
 *   which is what Prosody sends); a request is always held by the server, as our transport keeps one
 *   (XEP-0124 §10): each ping goes out on the free socket and its answer comes back on the held one.
 *
 * The two alternate in rounds. Not a client: no checks beyond what finds the answer.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { median } from './report.js';
import type { Target } from './drivers.js';

const NS_BOSH = "xmlns='http://jabber.org/protocol/httpbind'";
const ping = (id: string, to: string): string => `<iq type='get' id='${id}' to='${to}' xmlns='jabber:client'><ping xmlns='urn:xmpp:ping'/></iq>`;
const plain = (target: Target): string =>
  `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${target.username}\0${target.password}`).toString('base64')}</auth>`;
const bind = "<iq type='set' id='b1' xmlns='jabber:client'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>";

/** A raw WebSocket stream, logged in and bound; `ping` resolves on its answer. */
async function rawWebSocket(target: Target): Promise<{ ping(id: string): Promise<unknown>; close(): void }> {
  const socket = new WebSocket(target.websocketUrl, 'xmpp');
  const queue: string[] = [];
  let waiter: ((text: string) => void) | undefined;
  socket.on('message', (data: WebSocket.RawData) => {
    const text = data.toString();
    if (waiter) {
      const wake = waiter;
      waiter = undefined;
      wake(text);
    } else queue.push(text);
  });
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const until = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const text = queue.shift() ?? await new Promise<string>((resolve) => { waiter = resolve; });
      if (pattern.test(text)) return text;
    }
  };
  const open = `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='${target.domain}' version='1.0'/>`;
  socket.send(open);
  await until(/<stream:features/);
  socket.send(plain(target));
  await until(/<success/);
  socket.send(open);
  await until(/<stream:features/);
  socket.send(bind);
  await until(/<jid>/);
  return {
    ping: (id) => {
      socket.send(ping(id, target.domain));
      return until(new RegExp(`id='${id}'`));
    },
    close: () => socket.terminate(),
  };
}

/** One kept-alive HTTP/1.1 connection: `post` resolves with the body of the answer to that request. */
function rawHttp(url: URL): { post(body: string): Promise<string>; close(): void } {
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  let buffer: Buffer = Buffer.alloc(0);
  const waiters: ((body: string) => void)[] = [];
  socket.on('data', (data: Buffer) => {
    buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      if (buffer.length < end + 4 + length) return;
      const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      buffer = buffer.subarray(end + 4 + length);
      waiters.shift()?.(body);
    }
  });
  return {
    post: (body) => new Promise((resolve) => {
      waiters.push(resolve);
      socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }),
    close: () => socket.destroy(),
  };
}

/** A raw BOSH session, logged in and bound, with a request always held; `ping` resolves on its answer. */
async function rawBosh(target: Target): Promise<{ ping(id: string): Promise<unknown>; close(): void }> {
  const url = new URL(target.boshUrl);
  const sockets = [rawHttp(url), rawHttp(url)];
  const [first, second] = sockets as [ReturnType<typeof rawHttp>, ReturnType<typeof rawHttp>];
  let rid = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const created = await first.post(`<body rid='${rid++}' to='${target.domain}' xml:lang='en' wait='30' hold='1' ver='1.6' xmpp:version='1.0' ${NS_BOSH} xmlns:xmpp='urn:xmpp:xbosh'/>`);
  const sid = /sid=['"]([^'"]+)/.exec(created)?.[1] ?? '';
  const body = (payload: string): string => `<body rid='${rid++}' sid='${sid}' ${NS_BOSH}>${payload}</body>`;
  await first.post(body(plain(target)));
  await first.post(`<body rid='${rid++}' sid='${sid}' to='${target.domain}' xml:lang='en' xmpp:restart='true' xmlns:xmpp='urn:xmpp:xbosh' ${NS_BOSH}/>`);
  await first.post(body(bind));
  let held = first.post(body(''));
  let free = second;
  let holding = first;
  return {
    ping: async (id) => {
      const next = free.post(body(ping(id, target.domain)));
      const answer = await held; // the server answers the held request and holds the new one
      held = next;
      [free, holding] = [holding, free];
      return answer;
    },
    close: () => { for (const socket of sockets) socket.close(); },
  };
}

/** Median ping round trips of the raw clients, `samples` each, in alternating rounds of 50. */
export async function rawPingFloors(target: Target, samples: number): Promise<{ websocket: number; bosh: number; samples: number }> {
  const clients = { websocket: await rawWebSocket(target), bosh: await rawBosh(target) };
  const times: Record<keyof typeof clients, number[]> = { websocket: [], bosh: [] };
  try {
    for (const client of Object.values(clients)) for (let i = 0; i < 20; i++) await client.ping(`w${i}`); // warm-up
    for (let round = 0; times.bosh.length < samples; round++) {
      for (const [name, client] of Object.entries(clients) as [keyof typeof clients, (typeof clients)[keyof typeof clients]][]) {
        for (let i = 0; i < 50; i++) {
          const started = performance.now();
          await client.ping(`p${round}_${i}`);
          times[name].push(performance.now() - started);
        }
      }
    }
  } finally {
    for (const client of Object.values(clients)) client.close();
  }
  return { websocket: median(times.websocket), bosh: median(times.bosh), samples: times.bosh.length };
}
