/**
 * The scanning side of QR login (API.md §6): read the payload a browser shows, seal this device's
 * credentials to the browser's key, and hand them to the relay for that session.
 *
 * @see API.md §6
 */
import type { WebSocketConstructor } from '../transport/websocket.js';
import { parseQrPayload, sealCredentials, type QrCredentials } from './payload.js';
import { deliverToRelay } from './relay-client.js';

/**
 * Approves a QR login: the credentials reach the browser sealed, the relay sees ciphertext only.
 * @throws {QrError} `QR_MALFORMED`, `QR_EXPIRED` for a payload that cannot be used;
 *   `QR_UNKNOWN_SESSION` when the relay no longer has its session (used or expired).
 * @throws {TransportError} when the relay cannot be reached.
 */
export async function approveQrLogin(payloadText: string, credentials: QrCredentials, Socket: WebSocketConstructor, now = Date.now()): Promise<void> {
  const payload = parseQrPayload(payloadText, now);
  const sealed = await sealCredentials(payload, credentials);
  await deliverToRelay(payload.relay, payload.session, sealed, Socket);
}
