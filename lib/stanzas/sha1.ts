/**
 * SHA-1: FIPS 180-4 (Secure Hash Standard, August 2015) §6.1, small, pure and synchronous, for the
 * XEP-0115 verification string, plus the UTF-8 encoding it needs (base64 is in base64.ts). No Node
 * built-in is used, so the same code runs in browsers (WebCrypto's digest is asynchronous, which the
 * synchronous codecs cannot use). SHA-1 is used here as a fingerprint, not for security.
 *
 * @see https://nvlpubs.nist.gov/nistpubs/FIPS/NIST.FIPS.180-4.pdf
 * @see https://www.rfc-editor.org/rfc/rfc3174 (test vectors)
 */

const encoder = new TextEncoder();

/**
 * The SHA-1 digest (20 bytes) of the data.
 * @see https://nvlpubs.nist.gov/nistpubs/FIPS/NIST.FIPS.180-4.pdf (§5.1.1 padding, §6.1.2 computation)
 */
export function sha1(data: Uint8Array): Uint8Array {
  const length = data.length;
  // FIPS 180-4 §5.1.1: a 1 bit, zeros, then the 64-bit big-endian bit length, to a multiple of 512 bits.
  const blockCount = ((length + 8) >>> 6) + 1;
  const padded = new Uint8Array(blockCount * 64);
  padded.set(data);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);

  const w = new Int32Array(80);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let offset = 0; offset < padded.length; offset += 64) {
    // FIPS 180-4 §6.1.2 step 1: the message schedule.
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(offset + t * 4);
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    // §6.1.2 step 3, with the functions and constants of §4.1.1 and §4.2.1.
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const digest = new Uint8Array(20);
  const out = new DataView(digest.buffer);
  out.setInt32(0, h0);
  out.setInt32(4, h1);
  out.setInt32(8, h2);
  out.setInt32(12, h3);
  out.setInt32(16, h4);
  return digest;
}

/**
 * The UTF-8 bytes of a string (a lone surrogate becomes U+FFFD, as `TextEncoder` does).
 * @see https://www.rfc-editor.org/rfc/rfc3629
 */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}
