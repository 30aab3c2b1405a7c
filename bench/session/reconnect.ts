/**
 * Our reconnect, timed: a logged-in session's connection is cut abruptly (a WebSocket killed without a
 * close handshake, which the transport sees at once; every BOSH request in flight failed at once, as a
 * reset connection fails them, and every later one too), and the time is taken from the cut to the
 * session saying `reconnected` — a new connection, SASL with the cached SCRAM keys (over WebSocket its
 * `<auth/>` pipelined behind the stream header, XEP-0305 §3), and the stream resumed (XEP-0198 §5).
 * Backoff is set to 0 so that only the work is timed. Prosody 0.12 cannot resume over BOSH (its
 * mod_smacks fails on BOSH sessions and never answers `<resume/>`): there the first reconnect waits
 * 3 s for that answer, and the later ones (the session no longer asks that server to resume) start a
 * fresh session at once, so the median is a fresh session's. With `record`, every frame (WebSocket)
 * or body (BOSH) of each reconnect is timestamped, for the steps table.
 */
import { performance } from 'node:perf_hooks';
import { Element } from 'ltx';
import WebSocket from 'ws';
import { buildIqGet } from '../../lib/stanzas/iq.js';
import { NS_PING } from '../../lib/stanzas/ns.js';
import { createBoshTransport, type BoshFetch } from '../../lib/transport/bosh.js';
import { createScramKeyCache } from '../../lib/transport/scram.js';
import { Session } from '../../lib/transport/session.js';
import type { Transport } from '../../lib/transport/transport.js';
import { createWebSocketTransport, type WebSocketConstructor } from '../../lib/transport/websocket.js';
import { oursFetch, type Target, type TransportKind } from './drivers.js';
import { labelOf, type StepEvent } from './steps.js';

/**
 * Times `runs` cut-and-resume cycles; returns the milliseconds of each, whether all were resumptions,
 * and with `record` the events of each cycle (from the cut to `reconnected`).
 */
export async function timeOurReconnects(target: Target, transport: TransportKind, runs: number, record = false): Promise<{ samples: number[]; allResumed: boolean; events: StepEvent[][] }> {
  let cut: () => void = () => undefined;
  let events: StepEvent[] | undefined;
  const raw = (direction: 'in' | 'out', text: string): void => { events?.push({ at: performance.now(), direction, label: labelOf(text) }); };
  const fetch = oursFetch('node'); // one per session, as an app has one
  const connect = (): Transport => {
    if (transport === 'websocket') {
      const Cuttable = class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          raw('out', '#new WebSocket');
          super(url, protocols);
          cut = () => this.terminate();
          this.on('open', () => raw('in', '#socket-open'));
          this.on('message', (data: WebSocket.RawData) => raw('in', data.toString()));
        }

        override send(data: string): void {
          raw('out', data);
          super.send(data);
        }
      };
      return createWebSocketTransport({ url: target.websocketUrl, WebSocket: Cuttable as unknown as WebSocketConstructor });
    }
    let dropped = false;
    const inFlight = new Set<(error: Error) => void>();
    const cuttable: BoshFetch = async (url, init) => {
      if (dropped) throw new TypeError('fetch failed: cut by the bench');
      raw('out', init.body);
      let fail: (error: Error) => void = () => undefined;
      const reset = new Promise<never>((_resolve, reject) => { fail = reject; });
      inFlight.add(fail);
      try {
        // The real request goes on (the server holds it); its answer, if any, is dropped.
        const exchange = fetch(url, init).then(async (response) => ({ status: response.status, text: await response.text() }));
        exchange.catch(() => undefined);
        const { status, text } = await Promise.race([exchange, reset]);
        raw('in', text);
        return { status, text: async () => text };
      } finally {
        inFlight.delete(fail);
      }
    };
    cut = () => {
      dropped = true;
      for (const fail of inFlight) fail(new TypeError('fetch failed: the connection was cut by the bench'));
    };
    return createBoshTransport({ url: target.boshUrl, fetch: cuttable, maxRetries: 0 });
  };
  const session = new Session({ transport: connect, domain: target.domain, scramCache: createScramKeyCache(), reconnect: { baseMs: 0, capMs: 0, maxAttempts: 3 } });
  await session.login({ username: target.username, password: target.password });
  const samples: number[] = [];
  const recorded: StepEvent[][] = [];
  let allResumed = true;
  try {
    for (let i = 0; i < runs; i++) {
      const back = new Promise<boolean>((resolve) => {
        const off = session.on('reconnected', (resumed) => {
          off();
          resolve(resumed);
        });
      });
      // A ping first: its answer comes after <enabled/> (the stream is ordered), so the stream is resumable.
      await session.iq((id) => buildIqGet(id, target.domain, new Element('ping', { xmlns: NS_PING })));
      const started = performance.now();
      const run: StepEvent[] = [{ at: started, direction: 'out', label: 'cut' }];
      if (record) events = run;
      cut();
      const resumed = await back;
      samples.push(performance.now() - started);
      run.push({ at: performance.now(), direction: 'end', label: `reconnected (${resumed ? 'resumed' : 'fresh'})` });
      events = undefined;
      if (record) recorded.push(run);
      allResumed &&= resumed;
    }
  } finally {
    await session.close();
  }
  return { samples, allResumed, events: recorded };
}
