/**
 * Passwords generated for new accounts (API.md §3 `register`): 144 bits from `crypto.getRandomValues`,
 * written as 24 characters of base64url (RFC 4648 §5), which need no SASLprep and no escaping.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */

import { buildBase64Url } from '../stanzas/base64.js';

/** Bytes of randomness in a generated password (at least 16, i.e. 128 bits, per the contract). */
export const PASSWORD_BYTES = 18;

/** A fresh random password. */
export function generatePassword(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  return buildBase64Url(random(new Uint8Array(PASSWORD_BYTES)));
}
