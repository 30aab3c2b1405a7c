// Test support: TLS in front of the real test servers, which speak plain HTTP and WebSocket only.
//
// `createSelfSignedCertificate()` makes a throw-away certificate for 127.0.0.1 with Debian's `openssl`;
// `startTlsProxy()` terminates TLS with it and pipes each connection to a plain port (Prosody's HTTP
// port: WebSocket, BOSH, the token endpoint and uploads all live there), counting the handshakes that
// the client refused. `trustingWebSocket(ca)` and `trustingFetch(ca)` are what an app in Node passes to
// `initializeSDK({ WebSocket, fetch })` to trust a private CA (see spec/security/tls.spec.ts).

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../../lib/transport/websocket.js';

const run = promisify(execFile);

/** A certificate and its private key, PEM. */
export interface Certificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * A self-signed certificate (EC P-256, one day) for `127.0.0.1` and `localhost`, made with `openssl`.
 * Nothing trusts it unless told to: the test servers' "untrusted certificate".
 */
export async function createSelfSignedCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'xmpp-profile-tls-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', keyFile, '-out', certFile,
    ]);
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A running TLS terminator. */
export interface TlsProxy {
  readonly port: number;
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly httpsBase: string;
  /** `wss://127.0.0.1:<port>` (no trailing slash). */
  readonly wssBase: string;
  /** Handshakes the client broke off (e.g. it did not trust the certificate). */
  readonly refusedHandshakes: number;
  /** Connections that completed the handshake and were piped to the target. */
  readonly piped: number;
  close(): Promise<void>;
}

/** Terminates TLS with `certificate` on a free loopback port and pipes each connection to `target`. */
export async function startTlsProxy(certificate: Certificate, target: { readonly host: string; readonly port: number }): Promise<TlsProxy> {
  const sockets = new Set<net.Socket>();
  let refusedHandshakes = 0;
  let piped = 0;
  const server = tls.createServer({ cert: certificate.cert, key: certificate.key }, (client) => {
    piped++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('tlsClientError', (_error, socket) => {
    refusedHandshakes++;
    socket.destroy();
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    httpsBase: `https://127.0.0.1:${port}`,
    wssBase: `wss://127.0.0.1:${port}`,
    get refusedHandshakes() {
      return refusedHandshakes;
    },
    get piped() {
      return piped;
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * A `WebSocket` constructor (the `ws` package) that trusts `ca` besides the system's CAs: what an app
 * passes as `initializeSDK({ WebSocket })` to reach a `wss://` server with a private CA. `ws` checks
 * certificates by default; only its third constructor argument changes what it trusts.
 */
export function trustingWebSocket(ca: string): WebSocketConstructor {
  class TrustingWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca: [...tls.rootCertificates, ca] });
    }
  }
  return TrustingWebSocket as unknown as WebSocketConstructor;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/**
 * A `fetch` that trusts `ca` besides the system's CAs, for `https:` URLs (others go to the global
 * `fetch`): what an app passes as `initializeSDK({ fetch })` for BOSH, the token endpoint and uploads
 * on a server with a private CA. Made over `node:https` with an agent that has `ca`, so it needs no
 * package; an app with the `undici` package can instead bind Node's `fetch` to
 * `new Agent({ connect: { ca } })` as its `dispatcher`. Buffers each response (BOSH bodies are small).
 */
export function trustingFetch(ca: string): typeof fetch {
  const agent = new https.Agent({ ca: [...tls.rootCertificates, ca], keepAlive: false });
  return async (input, init = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.protocol !== 'https:') return fetch(input, init);
    const body = await bodyBytes(init.body);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const request = https.request(url, { method: init.method ?? 'GET', headers, agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const answer = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) answer.append(name, one);
          }
          resolve(new Response(NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
        });
      });
      // As fetch does: a failed connection (a refused certificate among them) is a TypeError with the cause.
      request.on('error', (error) => reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })));
      signal?.addEventListener('abort', () => request.destroy(), { once: true });
      request.end(body);
    });
  };
}

async function bodyBytes(body: RequestInit['body']): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return new Uint8Array(await new Response(body).arrayBuffer());
}
