import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import {
  ERROR_CODES, JidError, SaslError, StanzaError, StanzaParseError, StreamError, TimeoutError, TransportError, XmppError,
} from '../lib/errors.js';

describe('errors', () => {
  it('every class is an Error and an XmppError with a fixed name and a stable code', () => {
    const cause = new Error('socket reset');
    const cases: [XmppError, string, string][] = [
      [new XmppError('XML_INVALID_CHAR', 'x'), 'XmppError', 'XML_INVALID_CHAR'],
      [new JidError('JID_EMPTY', 'x', '@'), 'JidError', 'JID_EMPTY'],
      [new StanzaParseError('STANZA_MISSING_PART', 'x'), 'StanzaParseError', 'STANZA_MISSING_PART'],
      [new StanzaError({ type: 'cancel', condition: 'conflict', text: 'taken', applicationCondition: '', by: '' }), 'StanzaError', 'STANZA_ERROR'],
      [new StreamError('system-shutdown'), 'StreamError', 'STREAM_ERROR'],
      [new SaslError('SASL_FAILURE', 'not-authorized'), 'SaslError', 'SASL_FAILURE'],
      [new TransportError('TRANSPORT_CLOSED', 'x', { cause }), 'TransportError', 'TRANSPORT_CLOSED'],
      [new TimeoutError('no answer', 15000), 'TimeoutError', 'TIMEOUT'],
    ];
    for (const [error, name, code] of cases) {
      assert.ok(error instanceof Error && error instanceof XmppError);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
      assert.ok(ERROR_CODES.includes(error.code));
      assert.match(String(error.stack), new RegExp(`^${name}`));
    }
    assert.equal(cases[6]?.[0].cause, cause);
    assert.equal('cause' in (cases[0]?.[0] ?? {}), false);
  });

  it('keeps the details of stanza, stream and SASL errors', () => {
    const stanza = new StanzaError({ type: 'modify', condition: 'not-acceptable', text: 'File too large', applicationCondition: 'file-too-large', by: '' });
    assert.deepEqual([stanza.type, stanza.condition, stanza.text, stanza.applicationCondition, stanza.message],
      ['modify', 'not-acceptable', 'File too large', 'file-too-large', 'not-acceptable: File too large']);
    const stream = new StreamError('see-other-host', '', { seeOtherHost: 'other.example:5222' });
    assert.deepEqual([stream.condition, stream.seeOtherHost, stream.message], ['see-other-host', 'other.example:5222', 'see-other-host']);
    const sasl = new SaslError('SASL_FAILURE', 'not-authorized', 'Invalid token');
    assert.equal(sasl.message, 'not-authorized: Invalid token');
    assert.equal(new SaslError('SASL_SERVER_SIGNATURE', '').message, 'SASL_SERVER_SIGNATURE');
    assert.equal(new TimeoutError('no answer', 250).timeoutMs, 250);
  });

  it('the README lists every code, and only those', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 3));
    const listed = [...section.matchAll(/^\| `\w+` \| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...listed].sort(), [...ERROR_CODES].sort());
  });
});
