/**
 * `xmpp-profile` in Node: the same exports, with the `ws` package registered as the default
 * `WebSocket` (Node 20 has no global one).
 */
import './transport/node.js';

export * from './index.js';
