/**
 * Passwords generated for new accounts (API.md §3 `register`): 144 bits from `crypto.getRandomValues`,
 * written as 24 characters of base64url (RFC 4648 §5), which need no SASLprep and no escaping.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */

/** Bytes of randomness in a generated password (at least 16, i.e. 128 bits, per the contract). */
export const PASSWORD_BYTES = 18;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A fresh random password. */
export function generatePassword(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = random(new Uint8Array(PASSWORD_BYTES));
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    text += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  return text;
}
