/**
 * Our reconnect, timed: a logged-in session's connection is cut abruptly (a WebSocket killed without a
 * close handshake; every BOSH request and response dropped), and the time is taken from the cut to the
 * session saying `reconnected` — a new connection, SASL with the cached SCRAM keys, and the stream
 * resumed (XEP-0198 §5). Backoff is set to 0 so that only the work is timed. Prosody 0.12 cannot resume
 * over BOSH (its mod_smacks fails on BOSH sessions), so there the figure is a fresh session's.
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
import type { Target, TransportKind } from './drivers.js';

/** Times `runs` cut-and-resume cycles; returns the milliseconds of each, and whether all were resumptions. */
export async function timeOurReconnects(target: Target, transport: TransportKind, runs: number): Promise<{ samples: number[]; allResumed: boolean }> {
  let cut: () => void = () => undefined;
  const connect = (): Transport => {
    if (transport === 'websocket') {
      const Cuttable = class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols);
          cut = () => this.terminate();
        }
      };
      return createWebSocketTransport({ url: target.websocketUrl, WebSocket: Cuttable as unknown as WebSocketConstructor });
    }
    let dropped = false;
    const cuttable: BoshFetch = async (url, init) => {
      if (dropped) throw new TypeError('fetch failed: cut by the bench');
      const response = await fetch(url, init);
      if (dropped) throw new TypeError('fetch failed: response dropped by the bench');
      return response;
    };
    cut = () => {
      dropped = true;
    };
    return createBoshTransport({ url: target.boshUrl, fetch: cuttable, maxRetries: 0 });
  };
  const session = new Session({ transport: connect, domain: target.domain, scramCache: createScramKeyCache(), reconnect: { baseMs: 0, capMs: 0, maxAttempts: 3 } });
  await session.login({ username: target.username, password: target.password });
  const samples: number[] = [];
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
      cut();
      const resumed = await back;
      samples.push(performance.now() - started);
      allResumed &&= resumed;
    }
  } finally {
    await session.close();
  }
  return { samples, allResumed };
}
