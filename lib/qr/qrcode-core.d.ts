/**
 * Types of the one part of the `qrcode` package this library loads: its encoder (`create`), without the
 * package's renderers (the drawing is lib/qr/render.ts's).
 */
declare module 'qrcode/lib/core/qrcode.js' {
  export function create(text: string, options?: { readonly errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H' }): {
    readonly modules: { readonly size: number; get(row: number, column: number): number | boolean };
  };
}
