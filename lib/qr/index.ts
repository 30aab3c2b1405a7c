/**
 * `xmpp-profile/qr`: QR login helpers: the payload codec and the sealed hand-off of credentials
 * (WebCrypto: ECDH P-256, HKDF-SHA-256, AES-256-GCM), the relay's two clients, the waiting side's
 * rounds of codes, and drawing (a canvas in browsers, text in terminals).
 *
 * @see API.md §6
 */
export * from './payload.js';
export * from './relay-client.js';
export * from './qr-login.js';
export * from './approve.js';
export * from './render.js';
