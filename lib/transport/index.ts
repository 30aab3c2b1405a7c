/**
 * `xmpp-profile/transport`: the `Transport` interface, the WebSocket (RFC 7395) and BOSH (XEP-0206)
 * transports, and the session (stream, SASL, bind, IQ calls and answers) on top of any transport.
 */
export * from './transport.js';
export * from './websocket.js';
export * from './bosh.js';
export * from './session.js';
export * from './iq-caller.js';
export * from './iq-handlers.js';
export * from './sasl-mechanism.js';
export * from './sasl-select.js';
export * from './scram.js';
export * from './trace.js';
