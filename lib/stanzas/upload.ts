/**
 * HTTP File Upload: XEP-0363 v1.1. The client asks the upload service for a slot (a PUT URL with the
 * headers to send, and the GET URL the file will have), then uploads over HTTP, outside XMPP.
 *
 * @see https://xmpp.org/extensions/xep-0363.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { dataFieldValues, dataFormType } from './data-form.js';
import { parseDiscoInfo, type DiscoInfo } from './disco.js';
import { attr, expectElement, localNameIn, parseUnsigned, passesNsOn, requireAttr } from './element.js';
import { buildIqGet } from './iq.js';
import { NS_UPLOAD } from './ns.js';
import { iqPayload } from './payload.js';

/** What a client asks a slot for (XEP-0363 §4). */
export interface UploadSlotRequest {
  /** The file's name; not empty. */
  readonly filename: string;
  /** The file's size in bytes, a non-negative integer. */
  readonly size: number;
  /** The file's media type, when known. */
  readonly contentType?: string;
}

/** XEP-0363 §4: the only header names a client may send with the PUT. */
export type UploadHeaderName = 'Authorization' | 'Cookie' | 'Expires';

/** A header to send with the PUT request. */
export interface UploadHeader {
  readonly name: UploadHeaderName;
  readonly value: string;
}

/** An upload slot (XEP-0363 §4). */
export interface UploadSlot {
  /** Where to PUT the file, and the headers to send with it (other headers dropped). */
  readonly put: { readonly url: string; readonly headers: readonly UploadHeader[] };
  /** Where the file can be fetched once uploaded. */
  readonly get: { readonly url: string };
}

// XEP-0363 §4: header names are case-insensitive; these are the only ones kept.
const HEADER_NAMES: ReadonlyMap<string, UploadHeaderName> = new Map([
  ['authorization', 'Authorization'],
  ['cookie', 'Cookie'],
  ['expires', 'Expires'],
]);

/**
 * Builds the slot request.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty filename or a size that is not a
 *   non-negative safe integer.
 * @see https://xmpp.org/extensions/xep-0363.html#request
 */
export function buildUploadSlotRequest(id: string, to: string, request: UploadSlotRequest): Element {
  // XEP-0363 §4: the <request/> MUST include 'filename' and 'size'.
  if (request.filename === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'an upload slot request needs a filename');
  if (!Number.isSafeInteger(request.size) || request.size < 0) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `an upload size must be a non-negative integer, not ${request.size}`);
  }
  const attrs: Record<string, string> = { xmlns: NS_UPLOAD, filename: request.filename, size: String(request.size) };
  if (request.contentType !== undefined) attrs['content-type'] = request.contentType;
  return buildIqGet(id, to, new Element('request', attrs));
}

/**
 * Reads a slot request (the `<iq/>` or its `<request/>`), as an upload service does.
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` without filename or size, `STANZA_INVALID_VALUE` for
 *   an empty filename or a size that is not a non-negative integer, `STANZA_UNEXPECTED` for another element.
 * @see https://xmpp.org/extensions/xep-0363.html#request
 */
export function parseUploadSlotRequest(element: Element): UploadSlotRequest {
  const request = iqPayload(element, 'request', NS_UPLOAD);
  const filename = requireAttr(request, 'filename');
  if (filename === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'an upload slot request with an empty filename');
  const size = parseUnsigned(requireAttr(request, 'size'), 'size');
  const contentType = attr(request, 'content-type');
  return contentType === undefined ? { filename, size } : { filename, size, contentType };
}

/**
 * Builds the `<slot/>` payload of the service's answer.
 * @see https://xmpp.org/extensions/xep-0363.html#request
 */
export function buildUploadSlot(slot: UploadSlot): Element {
  const put = new Element('put', { url: slot.put.url });
  for (const header of slot.put.headers) {
    const element = new Element('header', { name: header.name });
    if (header.value !== '') element.children.push(header.value);
    put.cnode(element);
  }
  const element = new Element('slot', { xmlns: NS_UPLOAD });
  element.cnode(put);
  element.cnode(new Element('get', { url: slot.get.url }));
  return element;
}

/**
 * Reads a slot (the `<iq/>` or its `<slot/>`). Headers other than Authorization, Cookie and Expires
 * are dropped; the kept names are written in that canonical case.
 * @throws {StanzaError} for an IQ error (e.g. `not-acceptable` with `<file-too-large/>`, see
 *   {@link parseFileTooLarge}; `resource-constraint` for a quota).
 * @throws {StanzaParseError} `STANZA_MISSING_PART` without `<put/>`, `<get/>` or their url,
 *   `STANZA_INVALID_VALUE` for a url that is not an absolute http(s) URL or a kept header value with a
 *   line break, `STANZA_UNEXPECTED` for another element.
 * @see https://xmpp.org/extensions/xep-0363.html#request
 */
export function parseUploadSlot(element: Element): UploadSlot {
  const slot = iqPayload(element, 'slot', NS_UPLOAD);
  const inherits = passesNsOn(slot);
  let put: UploadSlot['put'] | undefined;
  let get: UploadSlot['get'] | undefined;
  for (const child of slot.children) {
    if (typeof child === 'string') continue;
    const name = localNameIn(child, NS_UPLOAD, inherits);
    // Servers often give put and get the same url: it is then checked once.
    if (name === 'put' && !put) put = { url: slotUrl(child, get?.url), headers: parseHeaders(child) };
    else if (name === 'get' && !get) get = { url: slotUrl(child, put?.url) };
  }
  if (!put) throw new StanzaParseError('STANZA_MISSING_PART', 'an upload slot without <put/>');
  if (!get) throw new StanzaParseError('STANZA_MISSING_PART', 'an upload slot without <get/>');
  return { put, get };
}

function parseHeaders(put: Element): UploadHeader[] {
  const headers: UploadHeader[] = [];
  const inherits = passesNsOn(put);
  for (const child of put.children) {
    if (typeof child === 'string' || localNameIn(child, NS_UPLOAD, inherits) !== 'header') continue;
    // XEP-0363 §4: other header names MUST be ignored and MUST NOT be sent with the PUT.
    const name = headerName(child.attrs.name);
    if (name === undefined) continue;
    const value = child.getText();
    // XEP-0363 Security Considerations: no line break may reach the HTTP request (header injection); the
    // spec says to strip them, here the slot is refused instead.
    if (value.indexOf('\n') !== -1 || value.indexOf('\r') !== -1) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `the upload header ${name} has a line break`);
    }
    headers.push({ name, value });
  }
  return headers;
}

/** XEP-0363 §4: the kept header names, matched without regard to case. */
function headerName(raw: unknown): UploadHeaderName | undefined {
  if (raw === 'Authorization' || raw === 'Cookie' || raw === 'Expires') return raw;
  return typeof raw === 'string' ? HEADER_NAMES.get(raw.toLowerCase()) : undefined;
}

/**
 * The `url` of `<put/>` or `<get/>`, which must be an absolute http(s) URL. `checked` is a url already
 * known to be one.
 */
function slotUrl(element: Element, checked?: string): string {
  const url: unknown = element.attrs.url;
  if (typeof url !== 'string') throw new StanzaParseError('STANZA_MISSING_PART', `an upload <${element.getName()}/> without url`);
  if (url === checked || PLAIN_HTTP_URL.test(url)) return url;
  const scheme = url.slice(0, 8).toLowerCase();
  if (!(scheme.startsWith('https://') || scheme.startsWith('http://')) || !canParseUrl(url)) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `the upload ${element.getName()} url is not an absolute http(s) URL: '${url}'`);
  }
  return url;
}

/**
 * http(s) URLs with a plain host (dotted-quad IPv4, or a domain whose last label starts with a letter and
 * no label is punycode), an optional port up to 65535, then a path, query or fragment: these the URL
 * class always accepts, so they skip it. Anything else is left to the URL class.
 */
const PLAIN_HTTP_URL =
  /^https?:\/\/(?:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|(?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*\.?)(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})?)?(?:[/?#]|$)/i;

function canParseUrl(url: string): boolean {
  if (typeof URL.canParse === 'function') return URL.canParse(url);
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * The largest file the upload service accepts, in bytes, from its disco#info (parsed, or the `<iq/>` or
 * `<query/>`): the `max-file-size` field of the form whose FORM_TYPE is `urn:xmpp:http:upload:0`.
 * `undefined` when the service states no limit.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when the value is not a non-negative integer; given
 *   an element, as {@link parseDiscoInfo}.
 * @see https://xmpp.org/extensions/xep-0363.html#disco
 */
export function parseUploadMaxSize(discoInfo: DiscoInfo | Element): number | undefined {
  const info = isParsedDiscoInfo(discoInfo) ? discoInfo : parseDiscoInfo(discoInfo);
  for (const form of info.forms) {
    if (dataFormType(form) !== NS_UPLOAD) continue;
    // XEP-0363 §3: the field MUST be named "max-file-size" and its value MUST be in bytes.
    const value = dataFieldValues(form, 'max-file-size')?.[0];
    return value === undefined ? undefined : parseUnsigned(value, 'max-file-size');
  }
  return undefined;
}

// Told apart by shape rather than `instanceof`, so that elements of another copy of ltx are read too.
function isParsedDiscoInfo(value: DiscoInfo | Element): value is DiscoInfo {
  return Array.isArray((value as Partial<DiscoInfo>).features);
}

/**
 * The largest size the service accepts, from an error answer to a slot request (the `<iq/>`, its
 * `<error/>` or the `<file-too-large/>`), or `undefined` when the error does not say.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when `<max-file-size/>` is not a non-negative
 *   integer, `STANZA_UNEXPECTED` for another element.
 * @see https://xmpp.org/extensions/xep-0363.html#errors
 */
export function parseFileTooLarge(errorElement: Element): number | undefined {
  const tooLarge = fileTooLarge(errorElement);
  if (!tooLarge) return undefined;
  const inherits = passesNsOn(tooLarge);
  for (const child of tooLarge.children) {
    if (typeof child !== 'string' && localNameIn(child, NS_UPLOAD, inherits) === 'max-file-size') {
      return parseUnsigned(child.getText(), 'max-file-size');
    }
  }
  return undefined;
}

function fileTooLarge(element: Element): Element | undefined {
  const name = element.getName();
  if (name === 'file-too-large') return expectElement(element, 'file-too-large', NS_UPLOAD);
  let error: Element | undefined;
  if (name === 'error') error = element;
  else if (name === 'iq') error = firstNamed(element, 'error');
  else throw new StanzaParseError('STANZA_UNEXPECTED', `expected an <iq/>, <error/> or <file-too-large/>, got <${element.name}/>`);
  if (!error) return undefined;
  for (const child of error.children) {
    if (typeof child !== 'string' && child.getName() === 'file-too-large' && child.getNS() === NS_UPLOAD) return child;
  }
  return undefined;
}

function firstNamed(parent: Element, name: string): Element | undefined {
  for (const child of parent.children) if (typeof child !== 'string' && child.getName() === name) return child;
  return undefined;
}

// Reading children fast: namespaces without walking up the tree or comparing namespace strings for
// every child (as in disco.ts).

