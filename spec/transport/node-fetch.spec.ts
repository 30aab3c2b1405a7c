// Specs of lib/transport/node-fetch.ts (the Node fetch of the BOSH transport) against local HTTP
// servers of node:http, node:https and raw node:net: what reaches the server, status codes and
// bodies, kept-alive connections (reused, dropped when the server closes them, a stale one retried
// once), aborts, network errors as TypeError, TLS verification, idle connections that let the
// process exit; and lib/transport/node.ts making it the default fetch of BOSH transports.

import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransportError } from '../../lib/errors.js';
import type { BoshFetchInit } from '../../lib/transport/bosh-requests.js';
import { createNodeBoshFetch, type NodeBoshFetch } from '../../lib/transport/node-fetch.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const post = (body: string, signal: AbortSignal = new AbortController().signal): BoshFetchInit =>
  ({ method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body, signal });

/** Starts `server` on a free loopback port; returns its base URL. */
async function listen(server: net.Server, scheme = 'http'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return `${scheme}://127.0.0.1:${port}`;
}

/** Closes `server` and ends every connection it still has. */
const closeServer = (server: net.Server): Promise<void> => new Promise((resolve) => {
  server.close(() => resolve());
  for (const socket of open.get(server) ?? []) socket.destroy();
});
const open = new WeakMap<net.Server, Set<net.Socket>>();
/** Keeps track of `server`'s connections, for {@link closeServer}. */
function tracked<S extends net.Server>(server: S): S {
  const sockets = new Set<net.Socket>();
  open.set(server, sockets);
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return server;
}

/** A node:http server that echoes what it got, and counts its connections. */
function echoServer(): { server: http.Server; connections: () => number } {
  let connections = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      const status = Number(url.searchParams.get('status') ?? 200);
      const echo = JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body });
      if (url.searchParams.has('chunked')) {
        response.writeHead(status, { 'content-type': 'application/json' });
        for (let i = 0; i < echo.length; i += 7) response.write(echo.slice(i, i + 7)); // no length: chunked
        response.end();
      } else {
        response.writeHead(status, { 'content-type': 'application/json', ...(url.searchParams.has('close') ? { connection: 'close' } : {}) });
        response.end(echo);
      }
    });
  });
  server.on('connection', () => connections++);
  return { server, connections: () => connections };
}

describe('transport/node-fetch', function () {
  this.timeout(20_000);
  const fetches: NodeBoshFetch[] = [];
  const servers: net.Server[] = [];
  const made = (options?: Parameters<typeof createNodeBoshFetch>[0]): NodeBoshFetch => {
    const fetch = createNodeBoshFetch(options);
    fetches.push(fetch);
    return fetch;
  };
  const serve = async (server: net.Server, scheme?: string): Promise<string> => {
    servers.push(tracked(server));
    return listen(server, scheme);
  };

  afterEach(async () => {
    for (const fetch of fetches.splice(0)) fetch.closeIdle();
    await Promise.all(servers.splice(0).map(closeServer));
  });

  it('POSTs the body as UTF-8 with Host, the given headers and Content-Length; reads status and body', async () => {
    const { server } = echoServer();
    const base = await serve(server);
    const response = await made()(`${base}/http-bind?x=1`, post("<body rid='1'>héllo ✓</body>"));
    assert.equal(response.status, 200);
    const echo = JSON.parse(await response.text()) as { method: string; url: string; headers: Record<string, string>; body: string };
    assert.equal(echo.method, 'POST');
    assert.equal(echo.url, '/http-bind?x=1');
    assert.equal(echo.headers.host, new URL(base).host);
    assert.equal(echo.headers['content-type'], 'text/xml; charset=utf-8');
    assert.equal(echo.headers['content-length'], String(Buffer.byteLength("<body rid='1'>héllo ✓</body>")));
    assert.equal(echo.body, "<body rid='1'>héllo ✓</body>");
  });

  it('passes 4xx and 5xx through with their bodies; reads chunked bodies', async () => {
    const { server } = echoServer();
    const base = await serve(server);
    const fetch = made();
    for (const status of [404, 500, 503]) assert.equal((await fetch(`${base}/?status=${status}`, post('x'))).status, status);
    const chunked = await fetch(`${base}/?chunked`, post('chunks'));
    assert.equal((JSON.parse(await chunked.text()) as { body: string }).body, 'chunks');
  });

  it('keeps connections alive: one after the other on one connection, side by side on several, then reused', async () => {
    const { server, connections } = echoServer();
    const base = await serve(server);
    const fetch = made();
    for (let i = 0; i < 5; i++) await (await fetch(base, post(`${i}`))).text();
    assert.equal(connections(), 1);
    await Promise.all([1, 2, 3].map(async (i) => (await fetch(base, post(`${i}`))).text()));
    assert.equal(connections(), 3);
    await (await fetch(base, post('again'))).text();
    assert.equal(connections(), 3);
  });

  it('Connection: close ends the connection; the next request opens another', async () => {
    const { server, connections } = echoServer();
    const base = await serve(server);
    const fetch = made();
    await (await fetch(`${base}/?close`, post('a'))).text();
    await (await fetch(base, post('b'))).text();
    assert.equal(connections(), 2);
  });

  it('a kept-alive connection the server closed while idle is dropped; the next request succeeds afresh', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => socket.end(), 30); // the server's keep-alive timeout
      });
    });
    const base = await serve(server);
    const fetch = made();
    assert.equal(await (await fetch(base, post('a'))).text(), 'ok');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(await (await fetch(base, post('b'))).text(), 'ok');
    assert.equal(connections, 2);
  });

  it('a kept-alive connection that closes as the next request goes out (no byte back) is tried again once, afresh', async () => {
    let connections = 0;
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const server = net.createServer((socket) => {
      connections++;
      let requests = 0;
      socket.on('data', () => {
        if (++requests === 1) socket.write(answer);
        else socket.destroy(); // the second request on a connection: closed unanswered
      });
    });
    const base = await serve(server);
    const fetch = made();
    assert.equal(await (await fetch(base, post('a'))).text(), 'ok');
    assert.equal(await (await fetch(base, post('b'))).text(), 'ok');
    assert.equal(connections, 2);
  });

  it('a fresh connection that closes without an answer, or in the middle of one, is a TypeError (not retried)', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.once('data', () => {
        if (connections === 1) socket.destroy();
        else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
      });
    });
    const base = await serve(server);
    const fetch = made();
    await assert.rejects(fetch(base, post('a')), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed');
    await assert.rejects(fetch(base, post('b')), (e: unknown) => e instanceof TypeError && e.cause instanceof TransportError);
    assert.equal(connections, 2);
  });

  it('a malformed response is a TypeError whose cause is the TransportError', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.write('SMTP ready\r\n\r\n')));
    const base = await serve(server);
    await assert.rejects(made()(base, post('x')), (e: unknown) => e instanceof TypeError && e.cause instanceof TransportError && /malformed/.test(e.cause.message));
  });

  it('a refused connection is a TypeError with the system error as cause', async () => {
    const probe = net.createServer();
    const base = await listen(probe);
    await closeServer(probe); // the port is free now: nothing listens
    await assert.rejects(made()(base, post('x')), (e: unknown) => e instanceof TypeError && (e.cause as { code?: string }).code === 'ECONNREFUSED');
  });

  it('aborts: before the request (nothing sent), and while waiting (the connection ends)', async () => {
    let connections = 0;
    let closed = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.resume(); // reads, never answers
      socket.on('close', () => closed++);
    });
    const base = await serve(server);
    const fetch = made();
    const early = new AbortController();
    early.abort();
    await assert.rejects(fetch(base, post('x', early.signal)), (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
    assert.equal(connections, 0);
    const later = new AbortController();
    const pending = fetch(base, post('x', later.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    later.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof DOMException && e.name === 'AbortError');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual([connections, closed], [1, 1]);
  });

  it('refuses header values with CR or LF, URLs that are not http(s) or carry credentials', async () => {
    const fetch = made();
    await assert.rejects(fetch('http://127.0.0.1:9/', { ...post('x'), headers: { 'x-a': 'b\r\nInjected: 1' } }), TypeError);
    await assert.rejects(fetch('ftp://127.0.0.1/', post('x')), TypeError);
    await assert.rejects(fetch('http://user:pw@127.0.0.1:9/', post('x')), TypeError);
  });

  it('closeIdle ends the idle connections', async () => {
    let closed = 0;
    const { server } = echoServer();
    server.on('connection', (socket: net.Socket) => socket.on('close', () => closed++));
    const base = await serve(server);
    const fetch = made();
    await (await fetch(base, post('a'))).text();
    fetch.closeIdle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closed, 1);
  });

  describe('over TLS', () => {
    let dir: string;
    let cert: Buffer;
    let key: Buffer;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'node-fetch-tls-'));
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
          '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
          '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      } catch {
        this.skip(); // no openssl to make a certificate with
      }
      cert = readFileSync(join(dir, 'cert.pem'));
      key = readFileSync(join(dir, 'key.pem'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies the server: accepted with its authority, refused without (a TypeError)', async () => {
      const server = https.createServer({ cert, key }, (request, response) => {
        request.resume();
        request.on('end', () => response.end(`tls ${(request.socket as { encrypted?: boolean }).encrypted === true}`));
      });
      const base = await serve(server, 'https');
      assert.equal(await (await made({ tls: { ca: cert } })(`${base}/`, post('x'))).text(), 'tls true');
      const localhost = base.replace('127.0.0.1', 'localhost'); // the server name (SNI) path
      assert.equal(await (await made({ tls: { ca: cert } })(`${localhost}/`, post('x'))).text(), 'tls true');
      await assert.rejects(made()(`${base}/`, post('x')), (e: unknown) => e instanceof TypeError && e.message === 'fetch failed');
    });
  });

  it('idle connections do not keep the process alive', async function () {
    this.timeout(60_000);
    const { server } = echoServer();
    server.keepAliveTimeout = 120_000;
    const base = await serve(server);
    const script = `import { createNodeBoshFetch } from './lib/transport/node-fetch.ts';
      const response = await createNodeBoshFetch()(${JSON.stringify(base)}, { method: 'POST', headers: {}, body: 'x', signal: new AbortController().signal });
      process.stdout.write(String(response.status));`;
    const child = spawn(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', '--input-type=module', '-e', script], { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => { child.kill(); resolve(null); }, 45_000);
      child.on('exit', (exit) => { clearTimeout(timer); resolve(exit); });
    });
    assert.equal(output, '200');
    assert.equal(code, 0, 'the child did not exit by itself');
  });

  it('node.ts makes it the default fetch of BOSH transports (the global fetch is not used)', async () => {
    let bodies = 0;
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        bodies++;
        response.setHeader('content-type', 'text/xml; charset=utf-8');
        response.end("<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' wait='5' requests='2' hold='1'><stream:features xmlns:stream='http://etherx.jabber.org/streams'/></body>");
      });
    });
    const base = await serve(server);
    const global = globalThis as { fetch: typeof fetch };
    const original = global.fetch;
    let globalCalls = 0;
    global.fetch = (...args: Parameters<typeof fetch>) => { globalCalls++; return original(...args); };
    const { createBoshTransport, setDefaultBoshFetch } = await import('../../lib/transport/node.js');
    try {
      const transport = createBoshTransport({ url: `${base}/http-bind` });
      await transport.connect('localhost');
      await transport.close();
      assert.ok(bodies >= 1);
      assert.equal(globalCalls, 0);
    } finally {
      global.fetch = original;
      setDefaultBoshFetch(undefined); // other specs in this process keep the global fetch
    }
  });
});
