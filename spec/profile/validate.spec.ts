// Parameter checks (API.md §3): for arbitrary values, never a throw: the normalized value, or 400
// with a message that names the parameter.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { checkEmail, checkMobileNumber, checkText, checkUserIdentifier, checkUserJid, checkUsername, type Checked } from '../../lib/profile/validate.js';
import { parseJid } from '../../lib/stanzas/jid.js';
import { bareJid, fullJid, jidLocal } from '../support/arbitraries.js';

const anyValue = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.anything(), fc.constantFrom('', ' ', '@', 'a@', '@b', 'a@b/c', '\u0000', '\uD800', 'x'.repeat(5000)));

function assertCheck<T>(name: string, result: Checked<T>): void {
  if (!result.ok) {
    assert.equal(result.answer.statusCode, 400);
    assert.ok(result.answer.message.startsWith(`${name} `), result.answer.message);
  }
}

describe('profile/validate', () => {
  it('never throws: a value or 400 naming the parameter, for anything', () => {
    fc.assert(fc.property(anyValue, (value) => {
      assertCheck('NAME', checkText('NAME', value, 1024));
      assertCheck('PASSWORD', checkText('PASSWORD', value, 1023, true));
      assertCheck('TO_USER_JID', checkUserJid('TO_USER_JID', value, 'localhost'));
      assertCheck('USERNAME', checkUsername('USERNAME', value, 'localhost'));
      assertCheck('USER_IDENTIFIER', checkUserIdentifier('USER_IDENTIFIER', value));
      assertCheck('MOBILE_NUMBER', checkMobileNumber('MOBILE_NUMBER', value));
      assertCheck('EMAIL', checkEmail('EMAIL', value));
    }), { numRuns: 500 });
  });

  it('takes a JID to its bare form, and a user id alone to the domain', () => {
    fc.assert(fc.property(fullJid, (jid) => {
      const checked = checkUserJid('TO_USER_JID', jid, 'localhost');
      assert.ok(checked.ok);
      const parsed = parseJid(jid);
      assert.equal(checked.value, `${parsed.local}@${parsed.domain}`);
    }));
    fc.assert(fc.property(bareJid, (jid) => assert.deepEqual(checkUserJid('X', ` ${jid} `, 'localhost'), { ok: true, value: parseJid(jid).local + '@' + parseJid(jid).domain })));
    fc.assert(fc.property(jidLocal, (local) => assert.deepEqual(checkUserJid('X', local, 'example.com'), { ok: true, value: `${parseJid(`${local}@x`).local}@example.com` })));
    assert.deepEqual(checkUserJid('X', 'Bob Smith', 'localhost'), { ok: true, value: 'bob\\20smith@localhost' });
    assert.equal(checkUserJid('X', 'localhost', 'localhost').ok, true); // a user id "localhost", not the domain
    assert.equal(checkUserJid('X', '@localhost', 'localhost').ok, false);
  });

  it('makes user identifiers into lower-case escaped local parts', () => {
    assert.deepEqual(checkUserIdentifier('USER_IDENTIFIER', 'Alice Smith'), { ok: true, value: 'alice\\20smith' });
    assert.deepEqual(checkUserIdentifier('USER_IDENTIFIER', '  Bob@Example.com '), { ok: true, value: 'bob\\40example.com' });
    assert.deepEqual(checkUserIdentifier('USER_IDENTIFIER', 'carol'), { ok: true, value: 'carol' });
    assert.equal(checkUserIdentifier('USER_IDENTIFIER', '   ').ok, false);
  });

  it('takes usernames as local parts or bare JIDs on the SDK domain', () => {
    assert.deepEqual(checkUsername('USERNAME', 'alice', 'localhost'), { ok: true, value: 'alice' });
    assert.deepEqual(checkUsername('USERNAME', 'alice\\20smith', 'localhost'), { ok: true, value: 'alice\\20smith' });
    assert.deepEqual(checkUsername('USERNAME', 'Alice Smith', 'localhost'), { ok: true, value: 'alice\\20smith' });
    assert.deepEqual(checkUsername('USERNAME', 'alice@localhost', 'localhost'), { ok: true, value: 'alice' });
    const other = checkUsername('USERNAME', 'alice@elsewhere.org', 'localhost');
    assert.equal(other.ok, false);
    assert.equal(checkUsername('USERNAME', 'alice@localhost/phone', 'localhost').ok, false);
  });

  it('accepts phone numbers and e-mail addresses, or empty', () => {
    for (const good of ['', '+1 555 0100', '0044 (20) 7946-0000', '12345']) assert.equal(checkMobileNumber('M', good).ok, true, good);
    for (const bad of ['call me', '+', '1', '++1 555', '1'.repeat(40)]) assert.equal(checkMobileNumber('M', bad).ok, false, bad);
    for (const good of ['', 'a@b', 'alice@example.com', 'x.y+z@sub.example.org']) assert.equal(checkEmail('E', good).ok, true, good);
    for (const bad of ['alice', 'a@b@c', 'a b@c', '@b', 'a@', `${'x'.repeat(250)}@example.com`]) assert.equal(checkEmail('E', bad).ok, false, bad);
  });

  it('refuses text XML cannot carry, and over-long text', () => {
    assert.match((checkText('NAME', 'a\u0001b', 10) as { answer: { message: string } }).answer.message, /NAME holds a character/);
    assert.match((checkText('NAME', 'abc', 2) as { answer: { message: string } }).answer.message, /NAME is longer than 2/);
    assert.match((checkText('NAME', 7, 2) as { answer: { message: string } }).answer.message, /NAME must be a string, not number/);
  });
});
