/**
 * The SDK's side of `generateQrCode` (API.md §3, §6): where the code goes (a canvas, an `<img>`, or,
 * without a DOM, text for a terminal), the checks of its arguments (400 naming the one that is wrong),
 * and the rounds of codes until the credentials arrive. Loaded by the facade on first use, so that an
 * app that never shows a QR code does not carry this, the QR codec or the `qrcode` package.
 *
 * @see API.md §6
 */
import { fail } from './answers.js';
import type { Checked } from './validate.js';
import type { WebSocketConstructor } from '../transport/websocket.js';
import type { QrCredentials } from '../qr/payload.js';
import { startQrLogin, type QrLogin } from '../qr/qr-login.js';

export { approveQrLogin } from '../qr/approve.js';
import { drawQrCode, renderQrText, type QrLogo } from '../qr/render.js';

/** Where the QR code is shown. */
export interface QrTarget {
  /** Drawn into; absent without a DOM. */
  readonly canvas?: HTMLCanvasElement;
  /** Shown as a picture of the code (its `src` set), when an `<img>` was given instead of a canvas. */
  readonly image?: HTMLImageElement;
  readonly logo?: QrLogo;
}

/** One code shown: its text, and (without a DOM) its rendering for a terminal. */
export interface QrCodeShown {
  readonly payload: string;
  readonly terminal?: string;
}

/**
 * Resolves `DOM_ELEMENT_ID` (an id, a canvas or an `<img>`) and `LOGO_ELEMENT_ID` (an id, an `<img>` or a
 * canvas; `''`, `null` or `undefined` for none). Without a DOM both are ignored and the code is text.
 */
export function checkQrTarget(DOM_ELEMENT_ID: unknown, LOGO_ELEMENT_ID: unknown): Checked<QrTarget> {
  if (typeof document === 'undefined') return { ok: true, value: {} };
  const element = findElement('DOM_ELEMENT_ID', DOM_ELEMENT_ID);
  if (!element.ok) return element;
  let logo: QrLogo | undefined;
  if (LOGO_ELEMENT_ID !== undefined && LOGO_ELEMENT_ID !== null && LOGO_ELEMENT_ID !== '') {
    const found = findElement('LOGO_ELEMENT_ID', LOGO_ELEMENT_ID);
    if (!found.ok) return found;
    logo = found.value;
  }
  const target = element.value;
  return { ok: true, value: target instanceof HTMLCanvasElement ? { canvas: target, ...(logo ? { logo } : {}) } : { image: target, ...(logo ? { logo } : {}) } };
}

/** Checks `SIGNAL_SERVER_URL`: a `ws://` or `wss://` URL. */
export function checkRelayUrl(name: string, value: unknown): Checked<string> {
  if (typeof value !== 'string' || value === '') return { ok: false, answer: fail(400, `${name} is required: the QR relay's ws:// or wss:// URL`) };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, answer: fail(400, `${name} is not a URL`) };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return { ok: false, answer: fail(400, `${name} must be a ws:// or wss:// URL`) };
  return { ok: true, value };
}

/** Options of {@link beginQrLogin}. */
export interface BeginQrLogin {
  readonly target: QrTarget;
  readonly relayUrl: string;
  readonly WebSocket: WebSocketConstructor;
  /** Each code shown (the first, then each renewal). */
  readonly onCode: (code: QrCodeShown) => void;
  readonly onCredentials: (credentials: QrCredentials) => void;
  readonly onError: (error: unknown) => void;
}

/**
 * Shows the first code and keeps replacing it before it expires, until the credentials arrive, an
 * error ends it, it is stopped, or (in a page) its element leaves the document.
 * @throws {TransportError} when the relay cannot be reached for the first code.
 */
export async function beginQrLogin(options: BeginQrLogin): Promise<QrLogin> {
  const { target } = options;
  const element = target.canvas ?? target.image;
  return startQrLogin({
    relayUrl: options.relayUrl,
    WebSocket: options.WebSocket,
    ...(element ? { keepGoing: () => element.isConnected } : {}),
    show: async (payload) => {
      if (target.canvas) await drawQrCode(target.canvas, payload, target.logo);
      else if (target.image) {
        const canvas = document.createElement('canvas');
        await drawQrCode(canvas, payload, target.logo, { size: target.image.width || 256 });
        target.image.src = canvas.toDataURL('image/png');
        target.image.setAttribute('data-qr-payload', payload);
      }
      options.onCode(element ? { payload } : { payload, terminal: await renderQrText(payload) });
    },
    onCredentials: options.onCredentials,
    onError: options.onError,
  });
}

function findElement(name: string, value: unknown): Checked<HTMLCanvasElement | HTMLImageElement> {
  const element = typeof value === 'string' && value !== '' ? document.getElementById(value) : value;
  if (element instanceof HTMLCanvasElement || element instanceof HTMLImageElement) return { ok: true, value: element };
  if (typeof value === 'string' && value !== '' && element === null) return { ok: false, answer: fail(400, `${name} names no element of the page: ${value}`) };
  return { ok: false, answer: fail(400, `${name} must be the id of a canvas or an img, or the element itself`) };
}
