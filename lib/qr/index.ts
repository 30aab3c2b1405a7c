/**
 * `xmpp-profile/qr`: QR login helpers. Today the payload codec and the sealed hand-off of credentials
 * (WebCrypto: ECDH P-256, HKDF-SHA-256, AES-256-GCM); rendering and the browser side come next.
 *
 * @see API.md §6
 */
export * from './payload.js';
