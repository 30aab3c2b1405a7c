/**
 * Profile images as bytes: stored with HTTP File Upload (XEP-0363 v1.1), found by service discovery
 * (XEP-0030 v2.5): a slot is asked of the upload service, the bytes are PUT over HTTP, and the GET URL
 * becomes the profile's image.
 *
 * @see https://xmpp.org/extensions/xep-0363.html
 * @see https://xmpp.org/extensions/xep-0030.html#items
 * @see API.md §3 (setUserProfile: IMAGE as bytes)
 */
import { StanzaError, TransportError, type StanzaErrorCondition } from '../errors.js';
import { buildDiscoInfoGet, buildDiscoItemsGet, parseDiscoInfo, parseDiscoItems } from '../stanzas/disco.js';
import { NS_UPLOAD } from '../stanzas/ns.js';
import { buildUploadSlotRequest, parseUploadMaxSize, parseUploadSlot } from '../stanzas/upload.js';
import { isXmlSafe } from '../stanzas/xml.js';
import type { Exchange } from './exchange.js';

/**
 * The upload service of the user's server.
 * @see https://xmpp.org/extensions/xep-0363.html#disco
 */
export interface UploadService {
  /** Its JID (e.g. `upload.example.com`). */
  readonly jid: string;
  /** The largest file it accepts, in bytes; `undefined` when it states no limit. */
  readonly maxSize: number | undefined;
}

/**
 * Where the upload service found is kept for the session.
 * @see https://xmpp.org/extensions/xep-0363.html#disco
 */
export interface UploadState {
  /** The service, `null` when the server has none; `undefined` until asked. */
  uploadService: Promise<UploadService | null> | undefined;
}

/**
 * The image bytes an app may pass: a `Blob` (or `File`), a `Uint8Array` or an `ArrayBuffer`.
 * @see API.md §3 (setUserProfile: IMAGE)
 */
export type ImageBytes = Blob | Uint8Array | ArrayBuffer;

/**
 * Uploads image bytes and resolves with the URL they can be fetched at. The size is checked against
 * the service's limit before any slot is asked for.
 * @throws {StanzaError} `not-acceptable` (400) for empty bytes, bytes over the service's limit or a
 *   PUT answered 413; `feature-not-implemented` (501) when the server has no upload service; the
 *   service's error answer to the slot request.
 * @throws {TransportError} `TRANSPORT_FAILURE` when the PUT fails (`status` the HTTP status, 0 for a
 *   network failure); {@link TimeoutError}.
 * @see https://xmpp.org/extensions/xep-0363.html#request
 * @see https://xmpp.org/extensions/xep-0363.html#upload
 */
export async function uploadImage(exchange: Exchange, image: ImageBytes, state: UploadState): Promise<string> {
  const blob = isBlob(image) ? image : undefined;
  const given = blob ? undefined : image instanceof Uint8Array ? image : new Uint8Array(image as ArrayBuffer);
  const size = blob ? blob.size : (given as Uint8Array).byteLength;
  if (size === 0) throw imageError('not-acceptable', 'IMAGE is empty (0 bytes)');
  const service = await findUploadService(exchange, state);
  if (!service) {
    throw imageError('feature-not-implemented', 'the server has no HTTP File Upload (XEP-0363) service, so IMAGE bytes cannot be stored; pass an image URL instead');
  }
  if (service.maxSize !== undefined && size > service.maxSize) throw tooLarge(size, service.maxSize);
  const bytes = given ?? new Uint8Array(await (blob as Blob).arrayBuffer());
  const contentType = (blob && blob.type) || sniffImageType(bytes);
  const filename = fileNameOf(image) ?? `image.${extensionOf(contentType)}`;
  const slot = parseUploadSlot(
    await exchange.iq((id) => buildUploadSlotRequest(id, service.jid, { filename, size: bytes.byteLength, contentType })),
  );
  const headers: Record<string, string> = {};
  for (const header of slot.put.headers) headers[header.name] = header.value;
  headers['Content-Type'] = contentType;
  let response: Response;
  try {
    response = await exchange.fetch(slot.put.url, { method: 'PUT', headers, body: bytes as Uint8Array<ArrayBuffer> });
  } catch (error) {
    throw new TransportError('TRANSPORT_FAILURE', `the image upload failed: ${(error as Error).message}`, { cause: error });
  }
  response.body?.cancel().catch(() => undefined); // the answer's body is not read: free the connection
  if (response.status === 413) throw tooLarge(bytes.byteLength, service.maxSize);
  if (!response.ok) {
    throw new TransportError('TRANSPORT_FAILURE', `the image upload was answered HTTP ${response.status}`, { status: response.status });
  }
  return slot.get.url;
}

/**
 * The upload service of the user's server, found once and kept in `state`: the domain's disco#items,
 * then the disco#info of every item at once; the first item with `urn:xmpp:http:upload:0` is the
 * service. An item whose disco#info fails is skipped. A failed disco#items is not kept.
 * @throws {StanzaError} for an error answer to disco#items; {@link TimeoutError}; {@link TransportError}.
 * @see https://xmpp.org/extensions/xep-0363.html#disco
 */
export function findUploadService(exchange: Exchange, state: UploadState): Promise<UploadService | null> {
  let pending = state.uploadService;
  if (!pending) {
    pending = discoverUploadService(exchange);
    state.uploadService = pending;
    pending.catch(() => {
      if (state.uploadService === pending) state.uploadService = undefined;
    });
  }
  return pending;
}

async function discoverUploadService(exchange: Exchange): Promise<UploadService | null> {
  const { items } = parseDiscoItems(await exchange.iq((id) => buildDiscoItemsGet(id, exchange.domain)));
  const found = await Promise.all(items.map(async (item): Promise<UploadService | undefined> => {
    if (item.node !== undefined) return undefined; // a node of the domain, not a component
    try {
      const info = parseDiscoInfo(await exchange.iq((id) => buildDiscoInfoGet(id, item.jid)));
      return info.features.includes(NS_UPLOAD) ? { jid: item.jid, maxSize: maxSizeOf(info) } : undefined;
    } catch {
      return undefined; // an item that does not answer is not the upload service
    }
  }));
  return found.find((service) => service !== undefined) ?? null;
}

/** The stated limit; a malformed one counts as none (the service still refuses what is too large). */
function maxSizeOf(info: Parameters<typeof parseUploadMaxSize>[0]): number | undefined {
  try {
    return parseUploadMaxSize(info);
  } catch {
    return undefined;
  }
}

/**
 * The media type of image bytes by their signature: PNG, JPEG, GIF, WebP; else
 * `application/octet-stream`. Never throws.
 * @see https://mimesniff.spec.whatwg.org/#matching-an-image-type-pattern
 */
export function sniffImageType(bytes: Uint8Array): string {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x38 && (b(4) === 0x37 || b(4) === 0x39) && b(5) === 0x61) return 'image/gif';
  if (b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46 && b(8) === 0x57 && b(9) === 0x45 && b(10) === 0x42 && b(11) === 0x50) return 'image/webp';
  return 'application/octet-stream';
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'image/avif': 'avif',
  'image/bmp': 'bmp',
};

/**
 * The file extension for a media type (its parameters ignored), `bin` when unknown. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc2046 (media types)
 */
export function extensionOf(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return EXTENSIONS[type] ?? 'bin';
}

/** A `File`'s name without any folder part, when it has a usable one. */
function fileNameOf(image: ImageBytes): string | undefined {
  const name: unknown = (image as { name?: unknown }).name;
  if (typeof name !== 'string') return undefined;
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).trim();
  return base !== '' && base !== '.' && base !== '..' && isXmlSafe(base) ? base : undefined;
}

/** Told apart by shape, so that a Blob of another realm (or a test DOM) counts too. */
function isBlob(image: ImageBytes): image is Blob {
  return !(image instanceof Uint8Array) && !(image instanceof ArrayBuffer) && typeof (image as Blob).arrayBuffer === 'function';
}

function tooLarge(size: number, maxSize: number | undefined): StanzaError {
  return imageError('not-acceptable', maxSize === undefined
    ? `IMAGE is ${size} bytes; the server refused it as too large`
    : `IMAGE is ${size} bytes; the server accepts at most ${maxSize}`);
}

function imageError(condition: StanzaErrorCondition, text: string): StanzaError {
  return new StanzaError({ type: condition === 'not-acceptable' ? 'modify' : 'cancel', condition, text, applicationCondition: '', by: '' });
}
