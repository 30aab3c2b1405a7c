/**
 * The waiting side of QR login (API.md §6), apart from any page: it opens a relay session with a fresh
 * ECDH P-256 key pair, has the payload shown, replaces both before the session expires, and opens the
 * sealed credentials that arrive. How the code is shown (a canvas, a terminal) is the caller's.
 *
 * @see API.md §6
 */
import type { WebSocketConstructor } from '../transport/websocket.js';
import { buildQrPayload, createQrKeyPair, openCredentials, type QrCredentials } from './payload.js';
import { openRelaySession, type RelaySession } from './relay-client.js';

/** Options of {@link startQrLogin}. */
export interface QrLoginOptions {
  /** The relay's `ws://` or `wss://` URL. */
  readonly relayUrl: string;
  readonly WebSocket: WebSocketConstructor;
  /** Shows a payload (first, and after each renewal); a code is live once this resolves. */
  show(payload: string): Promise<void> | void;
  /** The credentials arrived and opened: QR login is over. */
  onCredentials(credentials: QrCredentials): void;
  /** QR login cannot go on (the relay is gone, or what arrived does not open): it is over. */
  onError(error: unknown): void;
  /** Whether to go on renewing (e.g. the canvas is still in the page). Default: always. */
  readonly keepGoing?: () => boolean;
  /** How long before a code expires it is replaced, in ms. Default: a quarter of its life, at most 10 s. */
  readonly renewMarginMs?: number;
  readonly now?: () => number;
}

/** A running QR login. */
export interface QrLogin {
  /** The payload shown now. */
  readonly payload: string;
  /** Ends it: no more renewals; the relay forgets the session. */
  stop(): void;
}

/**
 * Starts QR login: resolves once the first code is shown.
 * @throws {TransportError} when the relay cannot be reached for the first code.
 */
export async function startQrLogin(options: QrLoginOptions): Promise<QrLogin> {
  const now = options.now ?? Date.now;
  let current: RelaySession | undefined;
  let payload = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let over = false;

  const stop = (): void => {
    over = true;
    clearTimeout(timer);
    current?.close();
    current = undefined;
  };
  const fail = (error: unknown): void => {
    if (over) return;
    stop();
    options.onError(error);
  };

  const round = async (): Promise<void> => {
    const keys = await createQrKeyPair();
    const session = await openRelaySession(options.relayUrl, options.WebSocket);
    if (over) {
      session.close();
      return;
    }
    const life = session.expiresInMs;
    const text = buildQrPayload({ relay: options.relayUrl, session: session.id, key: keys.publicKey, expiresAt: now() + life });
    try {
      await options.show(text);
    } catch (error) {
      session.close();
      throw error;
    }
    const previous = current;
    current = session;
    payload = text;
    previous?.close();
    const margin = options.renewMarginMs ?? Math.min(10_000, life / 4);
    timer = setTimeout(renew, Math.max(0, life - margin));
    session.message.then(
      async (sealed) => {
        // Also for the code just replaced: a phone may have scanned it a moment before.
        if (over) return;
        stop();
        try {
          options.onCredentials(await openCredentials(keys.privateKey, session.id, sealed));
        } catch (error) {
          options.onError(error);
        }
      },
      () => {
        // The relay ended this session before its renewal (expired early, restarted): try a new one.
        if (!over && current === session) void renew();
      },
    );
  };

  async function renew(): Promise<void> {
    clearTimeout(timer);
    if (over) return;
    if (options.keepGoing && !options.keepGoing()) {
      stop();
      return;
    }
    await round().catch(fail);
  }

  await round();
  return {
    get payload() {
      return payload;
    },
    stop,
  };
}
