/**
 * `xmpp-profile/transport` in Node: the same exports, with the `ws` package registered as the default
 * `WebSocket` (Node 20 has no global one).
 */
import WebSocket from 'ws';
import { setDefaultWebSocket, type WebSocketConstructor } from './websocket.js';

setDefaultWebSocket(WebSocket as unknown as WebSocketConstructor);

export * from './index.js';
