// Specs of lib/transport/http-response.ts: one HTTP/1.1 response read from pushed bytes (RFC 9112):
// the framings of §6.3 (Content-Length, chunked, up to the close, none), persistence (§9.3), interim
// 1xx answers, the refusals (malformed lines, differing lengths, an unasked content-encoding, bytes
// after the response, sizes over the limits), and for any valid response split anywhere the same
// result; random bytes only ever give a response, "more needed", or a TransportError.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { TransportError } from '../../lib/errors.js';
import { HttpResponseReader, type HttpResponse } from '../../lib/transport/http-response.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const isMalformed = (e: unknown): boolean => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE' && /malformed HTTP response/.test(e.message);

/** Pushes `raw` in the given pieces; the response, or undefined when still incomplete. */
function read(raw: Uint8Array | string, cuts: readonly number[] = [], reader = new HttpResponseReader()): HttpResponse | undefined {
  const data = typeof raw === 'string' ? bytes(raw) : raw;
  const points = [...new Set(cuts.map((cut) => cut % (data.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  let response: HttpResponse | undefined;
  for (const to of [...points, data.length]) {
    if (to <= from) continue;
    response = reader.push(data.subarray(from, to));
    from = to;
    if (response) break;
  }
  return response;
}

// The head Prosody 0.12's mod_bosh sends (captured from the test server), with a shorter body.
const PROSODY = 'HTTP/1.1 200 OK\r\nContent-Length: 78\r\nDate: Sat, 28 Nov 2026 09:51:43 GMT\r\nAccess-Control-Allow-Headers: Content-Type\r\n' +
  'Connection: Keep-Alive\r\nAccess-Control-Allow-Origin: *\r\nContent-Type: text/xml; charset=utf-8\r\nAccess-Control-Allow-Methods: POST, GET, OPTIONS\r\n' +
  "Access-Control-Max-Age: 7200\r\n\r\n<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' xmlns:stream='x'/>\n";

describe('transport/http-response', () => {
  it('reads a Content-Length response: status, lower-case field names, body; HTTP/1.1 persists', () => {
    const response = read(PROSODY);
    assert.ok(response);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/xml; charset=utf-8');
    assert.equal(text(response.body), "<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' xmlns:stream='x'/>\n");
    assert.equal(response.reusable, true);
  });

  it('waits for the whole body, byte by byte', () => {
    const reader = new HttpResponseReader();
    const data = bytes(PROSODY);
    for (let i = 0; i < data.length - 1; i++) assert.equal(reader.push(data.subarray(i, i + 1)), undefined);
    assert.equal(reader.push(data.subarray(data.length - 1))?.status, 200);
  });

  it('reads a chunked body (RFC 9112 §7.1) with extensions and trailer fields', () => {
    const response = read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1\r\n \r\nA\r\nBOSH world\r\n0\r\nX-Trailer: yes\r\n\r\n');
    assert.equal(text(response?.body ?? new Uint8Array()), 'hello BOSH world');
    assert.equal(response?.reusable, true);
  });

  it('reads a body up to the close when there is no length; such a connection is not reused', () => {
    const reader = new HttpResponseReader();
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<body/>', [], reader), undefined);
    const response = reader.end();
    assert.equal(text(response.body), '<body/>');
    assert.equal(response.reusable, false);
  });

  it('persistence (RFC 9112 §9.3): Connection: close, HTTP/1.0 without keep-alive, Transfer-Encoding with Content-Length', () => {
    assert.equal(read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')?.reusable, false);
    assert.equal(read('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')?.reusable, false);
    assert.equal(read('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')?.reusable, true);
    assert.equal(read('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')?.reusable, false);
  });

  it('no body for 204 and 304; 4xx and 5xx bodies are read as any other', () => {
    assert.equal(read('HTTP/1.1 204 No Content\r\n\r\n')?.body.length, 0);
    assert.equal(read('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')?.status, 304);
    const notFound = read('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found');
    assert.deepEqual([notFound?.status, text(notFound?.body ?? new Uint8Array())], [404, 'not found']);
    assert.equal(read('HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n')?.status, 503); // no reason phrase
  });

  it('skips interim 1xx answers; refuses 101, which was not asked for', () => {
    const response = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    assert.deepEqual([response?.status, text(response?.body ?? new Uint8Array())], [201, 'ok']);
    assert.throws(() => read('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'), isMalformed);
  });

  it('repeated fields are joined; the same Content-Length twice is one length', () => {
    const response = read('HTTP/1.1 200 OK\r\nVia: a\r\nVia: b\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok');
    assert.equal(response?.headers.get('via'), 'a, b');
    assert.equal(text(response?.body ?? new Uint8Array()), 'ok');
  });

  it('bytes after the response: the response, not reusable; more bytes after it are refused', () => {
    const reader = new HttpResponseReader();
    const response = read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n', [], reader);
    assert.equal(response?.reusable, false);
    assert.throws(() => reader.push(bytes('x')), isMalformed);
  });

  it('refuses what is malformed or not asked for', () => {
    for (const raw of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'ICY 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n folded\r\n\r\nx', // obs-fold, RFC 9112 §5.2
      'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n',
    ]) assert.throws(() => read(raw), isMalformed, JSON.stringify(raw));
  });

  it('refuses a field section or a body over the limits, before reading it all', () => {
    const small = { maxHeaderBytes: 64, maxBodyBytes: 8 };
    assert.throws(() => new HttpResponseReader(small).push(bytes(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(100)}`)), isMalformed);
    assert.throws(() => new HttpResponseReader(small).push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n')), isMalformed);
    assert.throws(() => new HttpResponseReader(small).push(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n5\r\n')), isMalformed);
    assert.throws(() => read(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(9)}`, [], new HttpResponseReader(small)), isMalformed);
  });

  it('a connection closed early is an error: before any byte, in the head, in the body', () => {
    assert.throws(() => new HttpResponseReader().end(), (e: unknown) => isMalformed(e) && /without a response/.test(String(e)));
    const inHead = new HttpResponseReader();
    inHead.push(bytes('HTTP/1.1 200 OK\r\nContent-'));
    assert.throws(() => inHead.end(), isMalformed);
    const inBody = new HttpResponseReader();
    inBody.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'));
    assert.throws(() => inBody.end(), isMalformed);
  });

  it('property: any valid response, split anywhere, reads the same', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/).filter((name) => !/^(content-length|transfer-encoding|connection|content-encoding)$/i.test(name));
    const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
    fc.assert(fc.property(
      fc.integer({ min: 200, max: 599 }).filter((code) => code !== 204 && code !== 304),
      fc.array(fc.tuple(token, value), { maxLength: 5 }),
      fc.uint8Array({ maxLength: 300 }),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (status, fields, body, chunked, sizes, cuts) => {
        const head = `HTTP/1.1 ${status} Reason\r\n${fields.map(([name, v]) => `${name}: ${v}\r\n`).join('')}`;
        const parts: Uint8Array[] = [];
        if (chunked) {
          parts.push(bytes(`${head}Transfer-Encoding: chunked\r\n\r\n`));
          let at = 0;
          for (let i = 0; at < body.length; i++) {
            const size = Math.min(sizes[i % Math.max(1, sizes.length)] ?? 7, body.length - at);
            parts.push(bytes(`${size.toString(16)}\r\n`), body.subarray(at, at + size), bytes('\r\n'));
            at += size;
          }
          parts.push(bytes('0\r\n\r\n'));
        } else {
          parts.push(bytes(`${head}Content-Length: ${body.length}\r\n\r\n`), body);
        }
        const raw = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
        let at = 0;
        for (const part of parts) { raw.set(part, at); at += part.length; }
        const response = read(raw, cuts);
        assert.ok(response, 'incomplete');
        assert.equal(response.status, status);
        assert.deepEqual([...response.body], [...body]);
        assert.equal(response.reusable, true);
        for (const [name, v] of fields) assert.ok(response.headers.get(name.toLowerCase())?.includes(v));
      },
    ), { numRuns: 300 });
  });

  it('property: random bytes give a response, "more needed", or a TransportError, nothing else', () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\n');
    fc.assert(fc.property(prefix, fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 5 }), fc.boolean(), (start, noise, cuts, close) => {
      const reader = new HttpResponseReader({ maxHeaderBytes: 256, maxBodyBytes: 256 });
      const data = new Uint8Array([...bytes(start), ...noise]);
      try {
        const response = read(data, cuts, reader);
        if (!response && close) reader.end();
      } catch (error) {
        assert.ok(error instanceof TransportError && error.code === 'TRANSPORT_FAILURE', String(error));
      }
    }), { numRuns: 500 });
  });
});
