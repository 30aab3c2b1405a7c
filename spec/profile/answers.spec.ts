// The status-code mapping of the profile layer (API.md §4): total over every stanza error condition
// and type, and equal to the table of API.md for the conditions it names; the other error classes.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { SaslError, StanzaError, StreamError, TimeoutError, TransportError, XmppError, type StanzaErrorCondition, type StanzaErrorType } from '../../lib/errors.js';
import { CONDITION_STATUS, failure, SdkError, statusOf } from '../../lib/profile/answers.js';
import { STANZA_ERROR_CONDITIONS, STANZA_ERROR_TYPES } from '../../lib/stanzas/stanza-error.js';

/** API.md §4, the conditions it names, as written there. */
const API_TABLE: Partial<Record<StanzaErrorCondition, number>> = {
  'bad-request': 400, 'jid-malformed': 400, 'not-acceptable': 400,
  forbidden: 403, 'not-allowed': 403, 'subscription-required': 403,
  'item-not-found': 404, 'recipient-unavailable': 404,
  'remote-server-timeout': 408,
  conflict: 409,
  'internal-server-error': 500,
  'feature-not-implemented': 501, 'service-unavailable': 501,
};
const CODES = new Set([400, 401, 403, 404, 408, 409, 500, 501]);

const stanzaError = (type: StanzaErrorType, condition: StanzaErrorCondition, text = '') =>
  new StanzaError({ type, condition, text, applicationCondition: '', by: '' });

describe('profile/answers', () => {
  it('maps every stanza error condition and type to a code of API.md §4, as its table says', () => {
    assert.deepEqual(Object.keys(CONDITION_STATUS).sort(), [...STANZA_ERROR_CONDITIONS].sort());
    fc.assert(fc.property(fc.constantFrom(...STANZA_ERROR_TYPES), fc.constantFrom(...STANZA_ERROR_CONDITIONS), fc.string(), (type, condition, text) => {
      const code = statusOf(stanzaError(type, condition, text));
      assert.ok(CODES.has(code), `${condition}: ${code}`);
      const expected = API_TABLE[condition];
      if (expected !== undefined) assert.equal(code, expected, condition);
      const answer = failure(stanzaError(type, condition, text));
      assert.equal(answer.statusCode, code);
      assert.ok(answer.message.startsWith(condition));
    }));
  });

  it('maps SASL refusals to 401, timeouts to 408, lost connections to 500 Connection Error', () => {
    assert.equal(statusOf(new SaslError('SASL_FAILURE', 'not-authorized', 'wrong')), 401);
    assert.equal(statusOf(new SaslError('SASL_SERVER_SIGNATURE', 'not-authorized', '')), 401);
    assert.equal(statusOf(new SaslError('SASL_NO_MECHANISM', '', 'none')), 500);
    assert.equal(statusOf(new TimeoutError('no answer', 5)), 408);
    const lost = failure(new TransportError('TRANSPORT_CLOSED', 'gone'));
    assert.equal(lost.statusCode, 500);
    assert.match(lost.message, /^Connection Error: /);
    assert.equal(failure(new StreamError('system-shutdown')).statusCode, 500);
  });

  it('is total over anything thrown', () => {
    fc.assert(fc.property(fc.anything(), (thrown) => {
      const answer = failure(thrown);
      assert.ok(CODES.has(answer.statusCode));
      assert.equal(typeof answer.message, 'string');
    }));
    assert.equal(failure(new XmppError('XML_MALFORMED', 'bad')).statusCode, 500);
  });

  it('makes SdkError an Error with the answer', () => {
    const error = new SdkError({ statusCode: 401, message: 'Invalid credentials' });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'SdkError');
    assert.equal(error.statusCode, 401);
    assert.equal(error.message, 'Invalid credentials');
  });
});
