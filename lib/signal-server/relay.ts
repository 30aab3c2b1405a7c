/**
 * The QR login signal relay (API.md §6), for Node on the `ws` package: a browser asks for a one-time
 * session and gets its id; a scanning device joins that id and sends one message; the relay forwards
 * it to the browser and closes both. Nothing is kept after delivery; sessions that wait too long
 * expire; message size, sessions per connection and connections per address are limited; junk gets a
 * close code, never a crash.
 *
 * Wire format (JSON text frames, one object each):
 * - browser -> relay `{"type":"create"}`; relay -> browser `{"type":"session","id","expiresInMs"}`;
 * - scanner -> relay `{"type":"deliver","id","payload"}` (payload: a string, the ciphertext);
 *   relay -> browser `{"type":"message","payload"}`, relay -> scanner `{"type":"delivered"}`; both
 *   connections are then closed with 1000;
 * - relay -> browser `{"type":"expired"}` and close 4408 when nobody delivered in time;
 * - an unknown or used id: `{"type":"error","code":"unknown-session"}` and close 4404.
 *
 * @see API.md §6
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4 (close codes; 4000-4999 are private use)
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** Options of {@link createSignalServer}. */
export interface SignalServerOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** `0` (the default) picks a free port. */
  readonly port?: number;
  /** How long a session waits for its message, in ms. Default 120,000. */
  readonly sessionTtlMs?: number;
  /** Largest frame accepted, in bytes. Default 8,192. */
  readonly maxMessageBytes?: number;
  /** Sessions one browser connection may ask for (a QR code is replaced before it expires). Default 8. */
  readonly maxSessionsPerConnection?: number;
  /** Connections open at once from one address. Default 32. */
  readonly maxConnectionsPerAddress?: number;
}

/** A running relay. */
export interface SignalServer {
  /** `ws://host:port`, the SIGNAL_SERVER_URL for `generateQrCode`. */
  readonly url: string;
  readonly port: number;
  /** Sessions waiting for their message now. */
  readonly pendingSessions: number;
  close(): Promise<void>;
}

/** Close codes of the relay (RFC 6455 §7.4.2: 4000-4999 for applications). */
export const SIGNAL_CLOSE = {
  done: 1000,
  junk: 4400,
  unknownSession: 4404,
  expired: 4408,
  tooLarge: 1009,
  tooManySessions: 4429,
  tooManyConnections: 4430,
} as const;

interface Waiting {
  readonly browser: WebSocket;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Starts a relay. */
export async function createSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const host = options.host ?? '127.0.0.1';
  const ttl = options.sessionTtlMs ?? 120_000;
  const maxSessions = options.maxSessionsPerConnection ?? 8;
  const maxPerAddress = options.maxConnectionsPerAddress ?? 32;
  const sessions = new Map<string, Waiting>();
  const perAddress = new Map<string, number>();
  const server = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: options.maxMessageBytes ?? 8192 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  const send = (socket: WebSocket, message: object): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const end = (socket: WebSocket, code: number, message?: object): void => {
    if (message) send(socket, message);
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code);
  };
  const forget = (id: string): void => {
    const waiting = sessions.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    sessions.delete(id);
  };

  server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const address = request.socket.remoteAddress ?? '';
    const open = (perAddress.get(address) ?? 0) + 1;
    perAddress.set(address, open);
    const owned = new Set<string>();
    let created = 0;
    socket.on('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      for (const id of owned) forget(id); // a browser that leaves takes its sessions with it
    });
    socket.on('error', () => socket.terminate()); // e.g. a frame over maxPayload (ws closes with 1009)
    if (open > maxPerAddress) {
      end(socket, SIGNAL_CLOSE.tooManyConnections);
      return;
    }
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const message = isBinary ? undefined : parse(data);
      if (!message) {
        end(socket, SIGNAL_CLOSE.junk, { type: 'error', code: 'bad-message' });
        return;
      }
      if (message.type === 'create') {
        if (++created > maxSessions) {
          end(socket, SIGNAL_CLOSE.tooManySessions, { type: 'error', code: 'too-many-sessions' });
          return;
        }
        const id = randomBytes(16).toString('base64url');
        const timer = setTimeout(() => {
          forget(id);
          owned.delete(id);
          end(socket, SIGNAL_CLOSE.expired, { type: 'expired' });
        }, ttl);
        sessions.set(id, { browser: socket, timer });
        owned.add(id);
        send(socket, { type: 'session', id, expiresInMs: ttl });
        return;
      }
      if (message.type === 'deliver' && typeof message.id === 'string' && typeof message.payload === 'string') {
        const waiting = sessions.get(message.id);
        if (!waiting || waiting.browser === socket) {
          end(socket, SIGNAL_CLOSE.unknownSession, { type: 'error', code: 'unknown-session' });
          return;
        }
        forget(message.id); // one message per session: a replay finds nothing
        send(waiting.browser, { type: 'message', payload: message.payload });
        end(waiting.browser, SIGNAL_CLOSE.done);
        end(socket, SIGNAL_CLOSE.done, { type: 'delivered' });
        return;
      }
      end(socket, SIGNAL_CLOSE.junk, { type: 'error', code: 'bad-message' });
    });
  });

  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    get pendingSessions() {
      return sessions.size;
    },
    close: () => new Promise<void>((resolve) => {
      for (const id of [...sessions.keys()]) forget(id);
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    }),
  };
}

type Message = { readonly type?: unknown; readonly id?: unknown; readonly payload?: unknown };

function parse(data: RawData): Message | undefined {
  try {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Message) : undefined;
  } catch {
    return undefined;
  }
}
