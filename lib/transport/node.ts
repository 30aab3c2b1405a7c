/**
 * `xmpp-profile/transport` in Node: the same exports, with the `ws` package registered as the default
 * `WebSocket` (Node 20 has no global one), and the kept-alive HTTP/1.1 client of node-fetch.ts as the
 * default `fetch` of BOSH transports (Node's own `fetch` costs more than the rest of a BOSH round
 * trip; see node-fetch.ts). Browsers keep their `WebSocket` and `fetch`.
 */
import WebSocket from 'ws';
import { setDefaultBoshFetch } from './bosh.js';
import { createNodeBoshFetch } from './node-fetch.js';
import { setDefaultWebSocket, type WebSocketConstructor } from './websocket.js';

setDefaultWebSocket(WebSocket as unknown as WebSocketConstructor);
setDefaultBoshFetch(createNodeBoshFetch());

export * from './index.js';
export { createNodeBoshFetch, type NodeBoshFetch, type NodeBoshFetchOptions } from './node-fetch.js';
