/**
 * Reading one HTTP/1.1 response from a byte stream: RFC 9112 (HTTP/1.1, June 2022) §4 (status line),
 * §5 (field lines), §6.3 (message body length: none for 1xx, 204 and 304; `Transfer-Encoding` ending
 * in `chunked`, §7.1; `Content-Length`; else up to the close of the connection), §9.3 (persistence).
 * For the Node `fetch` of the BOSH transport (node-fetch.ts): the client sends one request at a time
 * per connection, never `Expect` nor `Accept-Encoding`, so interim 1xx answers are skipped, a
 * `Content-Encoding` is refused, and bytes after the response are a fault that ends the connection.
 * Pure: bytes in (`Uint8Array`), a response out.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
import { TransportError } from '../errors.js';

/** A complete response. @see https://www.rfc-editor.org/rfc/rfc9112#section-4 */
export interface HttpResponse {
  readonly status: number;
  /** Field names in lower case; repeated fields joined with `, ` (RFC 9110 §5.3). */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  /** The connection may carry the next request (RFC 9112 §9.3). */
  readonly reusable: boolean;
}

/** Options of {@link HttpResponseReader}. */
export interface HttpResponseReaderOptions {
  /** Largest status line and field section, in bytes. Default 65,536. */
  readonly maxHeaderBytes?: number;
  /** Largest body, in bytes. Default 33,554,432 (32 MiB). */
  readonly maxBodyBytes?: number;
}

type Framing = 'none' | 'length' | 'chunked' | 'close';
type State = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'done';

const CR = 13;
const LF = 10;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\r\n]*)?$/; // RFC 9112 §4
const FIELD_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/; // RFC 9112 §5.1: token ":" OWS value OWS
const DIGITS = /^\d{1,15}$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,13})[ \t]*(?:;.*)?$/; // RFC 9112 §7.1: chunk-size [ chunk-ext ]

const malformed = (why: string): TransportError => new TransportError('TRANSPORT_FAILURE', `malformed HTTP response: ${why}`);

/** Where the next CRLF starts in `bytes` at or after `from`, or -1. */
function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(CR, from); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(CR, i + 1)) {
    if (bytes[i + 1] === LF) return i;
  }
  return -1;
}

/**
 * Field bytes as text (RFC 9110 §5.5: octets beyond ASCII are opaque). The WHATWG `latin1` label is
 * windows-1252, which reads ASCII as ASCII: all that is looked at (names, lengths, codings, tokens).
 */
const fieldDecoder = new TextDecoder('latin1');
const latin1 = (bytes: Uint8Array): string => fieldDecoder.decode(bytes);

/**
 * Reads one response from the bytes of a connection, pushed as they come.
 * @throws {TransportError} `TRANSPORT_FAILURE` ("malformed HTTP response") from `push` and `end`.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3
 */
export class HttpResponseReader {
  readonly #maxHeaderBytes: number;
  readonly #maxBodyBytes: number;
  #pending: Uint8Array = new Uint8Array(0);
  #state: State = 'head';
  #framing: Framing = 'none';
  #status = 0;
  #headers = new Map<string, string>();
  #persistent = false;
  #remaining = 0;
  #body: Uint8Array[] = [];
  #bodyBytes = 0;
  #response: HttpResponse | undefined;

  constructor(options: HttpResponseReaderOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 65_536;
    this.#maxBodyBytes = options.maxBodyBytes ?? 33_554_432;
  }

  /** Takes the next bytes; returns the response once complete. */
  push(bytes: Uint8Array): HttpResponse | undefined {
    if (this.#done()) throw malformed('bytes after the response');
    this.#pending = this.#pending.length === 0 ? bytes : concat([this.#pending, bytes], this.#pending.length + bytes.length);
    while (!this.#done() && this.#step()) { /* each step consumed what it could */ }
    if (!this.#done()) return undefined;
    // RFC 9112 §9.3: the client sent one request; anything more is not ours to read: no reuse.
    const response = this.#finish(this.#persistent && this.#pending.length === 0);
    this.#pending = new Uint8Array(0);
    return response;
  }

  /** The server closed the connection: the response it completes (a body read up to the close), if any. */
  end(): HttpResponse {
    if (this.#response) return this.#response;
    if (this.#state === 'body' && this.#framing === 'close') {
      this.#state = 'done';
      return this.#finish(false);
    }
    throw malformed(this.#state === 'head' && this.#pending.length === 0 ? 'the connection closed without a response' : 'the connection closed in the middle of the response');
  }

  #done(): boolean {
    return this.#state === 'done';
  }

  /** One step of the state machine; false when it needs more bytes. */
  #step(): boolean {
    switch (this.#state) {
      case 'head': return this.#readHead();
      case 'body': return this.#readBody();
      case 'chunk-size': return this.#readChunkSize();
      case 'chunk-data': return this.#readChunkData();
      case 'chunk-end': return this.#readChunkEnd();
      case 'trailer': return this.#readTrailer();
      default: return false;
    }
  }

  #readHead(): boolean {
    const pending = this.#pending;
    let end = -1;
    for (let at = indexOfCrlf(pending, 0); at >= 0; at = indexOfCrlf(pending, at + 2)) {
      if (pending[at + 2] === CR && pending[at + 3] === LF) { end = at; break; }
      if (at + 3 >= pending.length) break;
    }
    if (end < 0) {
      if (pending.length > this.#maxHeaderBytes) throw malformed(`a field section over ${this.#maxHeaderBytes} bytes`);
      return false;
    }
    if (end > this.#maxHeaderBytes) throw malformed(`a field section over ${this.#maxHeaderBytes} bytes`);
    const [statusLine = '', ...lines] = latin1(pending.subarray(0, end)).split('\r\n');
    this.#pending = pending.subarray(end + 4);
    const status = STATUS_LINE.exec(statusLine);
    if (!status) throw malformed(`the status line '${statusLine.slice(0, 40)}'`);
    const headers = new Map<string, string>();
    for (const line of lines) {
      // RFC 9112 §5.2: obsolete line folding may be refused.
      const field = FIELD_LINE.exec(line);
      if (!field) throw malformed(`the field line '${line.slice(0, 40)}'`);
      const name = (field[1] ?? '').toLowerCase();
      const value = field[2] ?? '';
      const before = headers.get(name);
      headers.set(name, before === undefined ? value : `${before}, ${value}`);
    }
    const code = Number(status[2]);
    if (code < 200) {
      // RFC 9112 §6.3 (1): an interim response has no body; the final one follows. 101 was not asked for.
      if (code === 101) throw malformed('101 Switching Protocols, which was not asked for');
      return true;
    }
    this.#status = code;
    this.#headers = headers;
    this.#frame(code, status[1] === '1', headers);
    return true;
  }

  /** RFC 9112 §6.3 and §9.3: how the body is delimited, and whether the connection persists. */
  #frame(code: number, http11: boolean, headers: ReadonlyMap<string, string>): void {
    const connection = (headers.get('connection') ?? '').toLowerCase().split(',').map((token) => token.trim());
    this.#persistent = http11 ? !connection.includes('close') : connection.includes('keep-alive');
    const coding = headers.get('content-encoding')?.trim().toLowerCase();
    if (coding !== undefined && coding !== '' && coding !== 'identity') throw malformed(`a content-encoding '${coding.slice(0, 20)}' that was not asked for`);
    const transfer = headers.get('transfer-encoding');
    const length = headers.get('content-length');
    if (code === 204 || code === 304) {
      this.#framing = 'none';
    } else if (transfer !== undefined) {
      // RFC 9112 §6.3 (3)/(4): chunked last, or read up to the close; with Content-Length too, no reuse.
      const codings = transfer.toLowerCase().split(',').map((token) => token.trim());
      this.#framing = codings[codings.length - 1] === 'chunked' ? 'chunked' : 'close';
      if (this.#framing === 'close' || length !== undefined) this.#persistent = false;
    } else if (length !== undefined) {
      const values = new Set(length.split(',').map((value) => value.trim()));
      const [value = ''] = values;
      if (values.size !== 1 || !DIGITS.test(value)) throw malformed(`a Content-Length of '${length.slice(0, 40)}'`); // §6.3 (5)
      this.#remaining = Number(value);
      if (this.#remaining > this.#maxBodyBytes) throw malformed(`a body over ${this.#maxBodyBytes} bytes`);
      this.#framing = 'length';
    } else {
      this.#framing = 'close'; // §6.3 (8)
      this.#persistent = false;
    }
    if (this.#framing === 'none' || (this.#framing === 'length' && this.#remaining === 0)) this.#state = 'done';
    else this.#state = this.#framing === 'chunked' ? 'chunk-size' : 'body';
  }

  #take(count: number): void {
    const bytes = this.#pending.subarray(0, count);
    this.#pending = this.#pending.subarray(count);
    this.#bodyBytes += bytes.length;
    if (this.#bodyBytes > this.#maxBodyBytes) throw malformed(`a body over ${this.#maxBodyBytes} bytes`);
    if (bytes.length > 0) this.#body.push(bytes);
  }

  #readBody(): boolean {
    if (this.#pending.length === 0) return false;
    if (this.#framing === 'close') {
      this.#take(this.#pending.length);
      return false;
    }
    const count = Math.min(this.#remaining, this.#pending.length);
    this.#take(count);
    this.#remaining -= count;
    if (this.#remaining === 0) this.#state = 'done';
    return true;
  }

  /** RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; a size of 0 is the last chunk. */
  #readChunkSize(): boolean {
    const end = indexOfCrlf(this.#pending, 0);
    if (end < 0) {
      if (this.#pending.length > 1024) throw malformed('a chunk-size line over 1024 bytes');
      return false;
    }
    const line = latin1(this.#pending.subarray(0, end));
    this.#pending = this.#pending.subarray(end + 2);
    const size = CHUNK_SIZE.exec(line);
    if (!size) throw malformed(`the chunk-size line '${line.slice(0, 40)}'`);
    this.#remaining = parseInt(size[1] ?? '', 16);
    if (this.#bodyBytes + this.#remaining > this.#maxBodyBytes) throw malformed(`a body over ${this.#maxBodyBytes} bytes`);
    this.#state = this.#remaining === 0 ? 'trailer' : 'chunk-data';
    return true;
  }

  #readChunkData(): boolean {
    if (this.#pending.length === 0) return false;
    const count = Math.min(this.#remaining, this.#pending.length);
    this.#take(count);
    this.#remaining -= count;
    if (this.#remaining === 0) this.#state = 'chunk-end';
    return true;
  }

  #readChunkEnd(): boolean {
    if (this.#pending.length < 2) return false;
    if (this.#pending[0] !== CR || this.#pending[1] !== LF) throw malformed('chunk data longer than its size');
    this.#pending = this.#pending.subarray(2);
    this.#state = 'chunk-size';
    return true;
  }

  /** RFC 9112 §7.1.2: trailer fields (ignored) up to an empty line. */
  #readTrailer(): boolean {
    const end = indexOfCrlf(this.#pending, 0);
    if (end < 0) {
      if (this.#pending.length > this.#maxHeaderBytes) throw malformed(`a trailer section over ${this.#maxHeaderBytes} bytes`);
      return false;
    }
    const line = latin1(this.#pending.subarray(0, end));
    this.#pending = this.#pending.subarray(end + 2);
    if (line === '') this.#state = 'done';
    else if (!FIELD_LINE.test(line)) throw malformed(`the trailer line '${line.slice(0, 40)}'`);
    return true;
  }

  #finish(reusable: boolean): HttpResponse {
    const body = this.#body.length === 1 ? this.#body[0] as Uint8Array : concat(this.#body, this.#bodyBytes);
    this.#response = { status: this.#status, headers: this.#headers, body, reusable };
    return this.#response;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
