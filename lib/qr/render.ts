/**
 * Drawing a QR code (ISO/IEC 18004, error correction level H: about 30% of the symbol may be covered,
 * room for a logo in the middle) into a canvas, or as text for a terminal. The symbol itself comes from
 * the `qrcode` package, loaded on first use so that an app that never shows a QR code does not carry it;
 * the drawing is this file's.
 *
 * @see API.md §6
 */

/** The modules of a QR symbol: `dark(row, column)` for `0 <= row, column < size`. */
export interface QrMatrix {
  readonly size: number;
  dark(row: number, column: number): boolean;
}

/** What can be drawn as the logo: an `<img>` (loaded or loading), a canvas, or any `CanvasImageSource`. */
export type QrLogo = CanvasImageSource & { readonly complete?: boolean; readonly naturalWidth?: number; readonly width?: number | SVGAnimatedLength; readonly height?: number | SVGAnimatedLength };

/** Options of {@link drawQrCode}. */
export interface DrawQrOptions {
  /** The canvas's width and height in CSS pixels. Default: 256, or the canvas's own width when set. */
  readonly size?: number;
  /** Light modules around the symbol (ISO/IEC 18004 asks for 4). Default 4. */
  readonly quietZone?: number;
  /** The logo's box as a share of the symbol's width; at most 0.3 (level H). Default 0.22. */
  readonly logoShare?: number;
}

/** The quiet zone the standard asks for (ISO/IEC 18004 §6.3.8: four modules). */
export const QUIET_ZONE = 4;

type QrEncoder = typeof import('qrcode/lib/core/qrcode.js');

let qrcode: Promise<QrEncoder> | undefined;

/** Encodes text as a QR symbol at level H (the `qrcode` package's encoder is loaded on the first call). */
export async function qrMatrix(text: string): Promise<QrMatrix> {
  qrcode ??= import('qrcode/lib/core/qrcode.js').then((module) => ((module as { default?: QrEncoder }).default ?? module));
  const { modules } = (await qrcode).create(text, { errorCorrectionLevel: 'H' });
  return { size: modules.size, dark: (row, column) => Boolean(modules.get(row, column)) };
}

/**
 * Draws a QR code of `text` into a canvas, with the logo (if any) centred on a light box, and sets the
 * canvas's `data-qr-payload` attribute to the text (API.md §6).
 */
export async function drawQrCode(canvas: HTMLCanvasElement, text: string, logo?: QrLogo, options: DrawQrOptions = {}): Promise<void> {
  const matrix = await qrMatrix(text);
  const quiet = options.quietZone ?? QUIET_ZONE;
  const cssSize = options.size ?? (canvas.getAttribute('width') ? canvas.width : 256);
  const scale = typeof devicePixelRatio === 'number' && devicePixelRatio > 1 ? devicePixelRatio : 1;
  const modules = matrix.size + 2 * quiet;
  const unit = Math.max(1, Math.floor((cssSize * scale) / modules));
  const pixels = unit * modules;
  canvas.width = pixels;
  canvas.height = pixels;
  canvas.style.width = `${pixels / scale}px`;
  canvas.style.height = `${pixels / scale}px`;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('the canvas has no 2d context');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, pixels, pixels);
  context.fillStyle = '#000000';
  for (let row = 0; row < matrix.size; row++) {
    for (let column = 0; column < matrix.size; column++) {
      if (matrix.dark(row, column)) context.fillRect((column + quiet) * unit, (row + quiet) * unit, unit, unit);
    }
  }
  if (logo) await drawLogo(context, logo, pixels, matrix.size * unit, Math.min(0.3, options.logoShare ?? 0.22));
  canvas.setAttribute('data-qr-payload', text);
}

/**
 * The QR code as text for a terminal: two rows of modules per line in half blocks, dark on light. With
 * `ansi` (the default) the light parts are painted white, so it scans on dark terminals too.
 */
export async function renderQrText(text: string, options: { readonly ansi?: boolean; readonly quietZone?: number } = {}): Promise<string> {
  const matrix = await qrMatrix(text);
  const quiet = options.quietZone ?? QUIET_ZONE;
  const ansi = options.ansi ?? true;
  const size = matrix.size + 2 * quiet;
  const dark = (row: number, column: number): boolean =>
    row >= quiet && column >= quiet && row < matrix.size + quiet && column < matrix.size + quiet && matrix.dark(row - quiet, column - quiet);
  const lines: string[] = [];
  for (let row = 0; row < size; row += 2) {
    let line = '';
    for (let column = 0; column < size; column++) {
      const top = dark(row, column);
      const bottom = row + 1 < size && dark(row + 1, column);
      line += top ? (bottom ? '█' : '▀') : bottom ? '▄' : ' ';
    }
    lines.push(ansi ? `\x1b[30;107m${line}\x1b[0m` : line);
  }
  return `${lines.join('\n')}\n`;
}

/** Draws the logo centred, inside a light box with a margin, keeping its aspect ratio. */
async function drawLogo(context: CanvasRenderingContext2D, logo: QrLogo, pixels: number, symbol: number, share: number): Promise<void> {
  if (typeof HTMLImageElement !== 'undefined' && logo instanceof HTMLImageElement && !(logo.complete && logo.naturalWidth > 0)) {
    await new Promise<void>((resolve, reject) => {
      logo.addEventListener('load', () => resolve(), { once: true });
      logo.addEventListener('error', () => reject(new Error('the logo image did not load')), { once: true });
    });
  }
  const box = Math.round(symbol * share);
  const margin = Math.max(2, Math.round(box * 0.08));
  const [width, height] = logoSize(logo);
  const fit = Math.min((box - 2 * margin) / width, (box - 2 * margin) / height);
  const drawnWidth = width * fit;
  const drawnHeight = height * fit;
  const left = (pixels - box) / 2;
  context.fillStyle = '#ffffff';
  context.fillRect(left, left, box, box);
  context.drawImage(logo, (pixels - drawnWidth) / 2, (pixels - drawnHeight) / 2, drawnWidth, drawnHeight);
}

function logoSize(logo: QrLogo): [number, number] {
  if (typeof HTMLImageElement !== 'undefined' && logo instanceof HTMLImageElement) return [logo.naturalWidth || 1, logo.naturalHeight || 1];
  const width = typeof logo.width === 'number' ? logo.width : 1;
  const height = typeof logo.height === 'number' ? logo.height : 1;
  return [width || 1, height || 1];
}
