// Generated passwords: at least 128 bits from crypto.getRandomValues, base64url.

import { strict as assert } from 'node:assert';
import { generatePassword, PASSWORD_BYTES } from '../../lib/profile/password.js';

describe('profile/password', () => {
  it('writes the random bytes as base64url (RFC 4648 §5)', () => {
    const bytes = Uint8Array.from({ length: PASSWORD_BYTES }, (_, i) => (i * 37 + 11) & 255);
    const password = generatePassword((target) => {
      target.set(bytes);
      return target;
    });
    assert.equal(password, Buffer.from(bytes).toString('base64url'));
    assert.ok(PASSWORD_BYTES * 8 >= 128);
  });

  it('gives a different 24-character password each time', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generatePassword()));
    assert.equal(seen.size, 200);
    for (const password of seen) assert.match(password, /^[A-Za-z0-9_-]{24}$/);
  });
});
