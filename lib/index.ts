/**
 * xmpp-profile: the profile module of a chat SDK over standard XMPP.
 *
 * This entry point carries the typed errors today; `createSDK()` and `SDK` join it with the profile
 * SDK. The pure codecs are in `xmpp-profile/stanzas`.
 */
export * from './errors.js';
