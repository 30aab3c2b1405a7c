// Test support for the security specs: a WebSocket man in the middle in front of the QR signal relay.
// Its URL is the SIGNAL_SERVER_URL an SDK is given; it forwards every frame both ways to the real relay
// (close codes too) and records them, so that a spec can check what a relay, or anyone on its path,
// gets to see.

import { WebSocket, WebSocketServer, type RawData } from 'ws';

/** A recording relay proxy. */
export interface RelayTap {
  /** `ws://127.0.0.1:<port>`: give this as the relay URL. */
  readonly url: string;
  /** Every text frame, both ways, in order. */
  readonly frames: string[];
  close(): Promise<void>;
}

/** Starts a proxy to the relay at `relayUrl`. */
export async function tapRelay(relayUrl: string): Promise<RelayTap> {
  const frames: string[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (client) => {
    const upstream = new WebSocket(relayUrl);
    const early: string[] = [];
    const text = (data: RawData): string => (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
    client.on('message', (data) => {
      const frame = text(data);
      frames.push(frame);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(frame);
      else early.push(frame);
    });
    upstream.on('open', () => {
      for (const frame of early.splice(0)) upstream.send(frame);
    });
    upstream.on('message', (data) => {
      const frame = text(data);
      frames.push(frame);
      if (client.readyState === WebSocket.OPEN) client.send(frame);
    });
    const closeCode = (code: number): number => (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000);
    upstream.on('close', (code) => client.readyState === WebSocket.OPEN && client.close(closeCode(code)));
    client.on('close', (code) => upstream.readyState === WebSocket.OPEN && upstream.close(closeCode(code)));
    upstream.on('error', () => client.terminate());
    client.on('error', () => upstream.terminate());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    frames,
    close: () => new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}
