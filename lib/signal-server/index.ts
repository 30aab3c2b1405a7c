/**
 * `xmpp-profile/signal-server`: the QR login signal relay (Node only, on `ws`).
 *
 * @see API.md §6
 */
export * from './relay.js';
