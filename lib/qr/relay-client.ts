/**
 * The two clients of the QR signal relay (API.md §6; the wire format is in
 * `lib/signal-server/relay.ts`), over any WHATWG-shaped `WebSocket` (the browser's, or `ws` in Node):
 *
 * - the browser opens a one-time session ({@link openRelaySession}) and waits for its one message;
 * - the scanning device delivers the sealed credentials to that session ({@link deliverToRelay}).
 *
 * @see API.md §6
 */
import { QrError, TransportError } from '../errors.js';
import type { WebSocketConstructor, WebSocketLike } from '../transport/websocket.js';

/** A session the relay opened for the browser. */
export interface RelaySession {
  /** The session id to put into the QR payload. */
  readonly id: string;
  /** How long the relay keeps the session, in ms from when it was made. */
  readonly expiresInMs: number;
  /**
   * Settles once: with the one message delivered to this session; rejects with `QR_EXPIRED` when the
   * relay expired it, or a `TransportError` when the connection ends otherwise (or `close` was called).
   */
  readonly message: Promise<string>;
  /** Leaves the session (the relay forgets it). */
  close(): void;
}

/** How long the relay may take to open a session or confirm a delivery, by default (ms). */
export const RELAY_TIMEOUT_MS = 10_000;

/**
 * Opens a one-time relay session for a browser.
 * @throws {TransportError} when the relay cannot be reached or does not answer in time.
 */
export async function openRelaySession(url: string, Socket: WebSocketConstructor, timeoutMs = RELAY_TIMEOUT_MS): Promise<RelaySession> {
  const socket = await connect(url, Socket, timeoutMs);
  let resolveMessage!: (payload: string) => void;
  let rejectMessage!: (error: Error) => void;
  const message = new Promise<string>((resolve, reject) => {
    resolveMessage = resolve;
    rejectMessage = reject;
  });
  message.catch(() => undefined); // a session left unused is not an unhandled rejection
  const opened = new Promise<{ id: string; expiresInMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(new TransportError('TRANSPORT_FAILURE', `the QR relay ${url} did not open a session in ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
      rejectMessage(error);
    };
    socket.addEventListener('message', (event) => {
      const frame = readFrame(event.data);
      if (frame?.type === 'session' && typeof frame.id === 'string' && typeof frame.expiresInMs === 'number') {
        clearTimeout(timer);
        resolve({ id: frame.id, expiresInMs: frame.expiresInMs });
      } else if (frame?.type === 'message' && typeof frame.payload === 'string') resolveMessage(frame.payload);
      else if (frame?.type === 'expired') rejectMessage(new QrError('QR_EXPIRED', 'the relay expired this QR session'));
    });
    socket.addEventListener('close', (event) => {
      fail(new TransportError('TRANSPORT_CLOSED', `the QR relay closed the session (${event.code ?? 0})`, { status: event.code ?? 0 }));
    });
  });
  socket.send(JSON.stringify({ type: 'create' }));
  const { id, expiresInMs } = await opened.catch((error: unknown) => {
    socket.close();
    throw error;
  });
  return { id, expiresInMs, message, close: () => socket.close(1000) };
}

/**
 * Delivers one message (the sealed credentials) to a browser's relay session.
 * @throws {QrError} `QR_UNKNOWN_SESSION` when the relay knows no such session (expired, used, or made
 *   up); {@link TransportError} when the relay cannot be reached or does not confirm in time.
 */
export async function deliverToRelay(url: string, session: string, payload: string, Socket: WebSocketConstructor, timeoutMs = RELAY_TIMEOUT_MS): Promise<void> {
  const socket = await connect(url, Socket, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TransportError('TRANSPORT_FAILURE', `the QR relay ${url} did not confirm the delivery in ${timeoutMs} ms`)), timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      socket.addEventListener('message', (event) => {
        const frame = readFrame(event.data);
        if (frame?.type === 'delivered') settle();
        else if (frame?.type === 'error' && frame.code === 'unknown-session') {
          settle(new QrError('QR_UNKNOWN_SESSION', 'the relay has no such QR session: it expired or was used; ask for a new QR code'));
        }
      });
      socket.addEventListener('close', (event) => {
        settle(new TransportError('TRANSPORT_CLOSED', `the QR relay closed before confirming the delivery (${event.code ?? 0})`, { status: event.code ?? 0 }));
      });
      socket.send(JSON.stringify({ type: 'deliver', id: session, payload }));
    });
  } finally {
    socket.close(1000);
  }
}

/** Opens a WebSocket to the relay. */
function connect(url: string, Socket: WebSocketConstructor, timeoutMs: number): Promise<WebSocketLike> {
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = new Socket(url);
    } catch (error) {
      reject(new TransportError('TRANSPORT_FAILURE', `cannot open the QR relay ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const timer = setTimeout(() => {
      socket.close();
      reject(new TransportError('TRANSPORT_FAILURE', `the QR relay ${url} did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.addEventListener('error', () => undefined); // a close event follows, with the code
    socket.addEventListener('open', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.addEventListener('close', (event) => {
      clearTimeout(timer);
      reject(new TransportError('TRANSPORT_FAILURE', `cannot reach the QR relay ${url} (${event.code ?? 0})`, { status: event.code ?? 0 }));
    });
  });
}

type Frame = { readonly type?: unknown; readonly id?: unknown; readonly payload?: unknown; readonly expiresInMs?: unknown; readonly code?: unknown };

function readFrame(data: unknown): Frame | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Frame) : undefined;
  } catch {
    return undefined;
  }
}
