/**
 * Fault injection for specs, below the library: a TCP proxy on loopback in front of a real server's
 * port. Connections pass through until a spec breaks them: `cutAll()` destroys every live connection
 * at once (an abrupt close, no WebSocket close frame, no TCP FIN from the server side first);
 * `blackhole` accepts new connections and never forwards or answers anything (a server that accepts
 * but never answers); `refuse` closes new connections at once (a server that is down); `delayMs` holds
 * what the server sends for that long.
 */
import net from 'node:net';

/** What the proxy does with new connections. */
export type FaultMode = 'pass' | 'blackhole' | 'refuse';

export interface FaultProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** `url` with its port replaced by the proxy's. */
  via(url: string): string;
  mode: FaultMode;
  /** Delay of data from the server to the client, in ms (0: none). */
  delayMs: number;
  /** Connections open now (client side). */
  readonly open: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Destroys every live connection, both sides, at once. Returns how many there were. */
  cutAll(): number;
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:targetPort`. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const live = new Set<net.Socket>();
  let accepted = 0;
  const proxy = {
    mode: 'pass' as FaultMode,
    delayMs: 0,
  };
  const server = net.createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (proxy.mode === 'refuse') {
      client.destroy();
      return;
    }
    live.add(client);
    client.on('close', () => live.delete(client));
    if (proxy.mode === 'blackhole') {
      client.resume(); // read and forget
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    live.add(upstream);
    upstream.on('close', () => {
      live.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => {
      if (proxy.delayMs > 0) setTimeout(() => client.writable && client.write(data), proxy.delayMs);
      else client.write(data);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return Object.assign(proxy, {
    port,
    via(url: string): string {
      const parsed = new URL(url);
      parsed.port = String(port);
      return parsed.toString();
    },
    get open() {
      return [...live].filter((socket) => socket.remotePort !== targetPort).length;
    },
    get accepted() {
      return accepted;
    },
    cutAll(): number {
      const sockets = [...live];
      for (const socket of sockets) socket.resetAndDestroy?.() ?? socket.destroy();
      return sockets.filter((socket) => socket.remotePort !== targetPort).length;
    },
    close(): Promise<void> {
      for (const socket of live) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
