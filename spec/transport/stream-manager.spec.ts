import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { SM_MAX_COUNTER } from '../../lib/stanzas/stream-management.js';
import { isCountedStanza, StreamManager } from '../../lib/transport/stream-manager.js';

const stanza = (i: number) => new Element('message', { id: `m${i}` });

describe('transport/stream-manager (XEP-0198)', () => {
  it('counts only stanzas, and only once enabled (XEP-0198 §4)', () => {
    const sm = new StreamManager();
    sm.received(stanza(0));
    assert.equal(sm.inbound, 0);
    sm.start({ kind: 'enabled', resume: true, id: 'abc' });
    for (const name of ['message', 'presence', 'iq', 'r', 'a', 'features']) sm.received(new Element(name));
    assert.equal(sm.inbound, 3);
    assert.equal(sm.answer().attrs.h, '3');
    assert.ok(isCountedStanza(new Element('iq')) && !isCountedStanza(new Element('enable')));
    assert.ok(sm.resumable);
    assert.equal(sm.id, 'abc');
  });

  it('keeps sent stanzas until acked, asks for an ack every N, and resumes with what the server lacks', () => {
    const sm = new StreamManager();
    sm.start({ kind: 'enabled', resume: true, id: 'x' });
    const asks = Array.from({ length: 7 }, (_, i) => {
      const ask = sm.sent(stanza(i + 1), 3);
      if (ask) assert.equal(sm.request().getName(), 'r');
      return ask;
    });
    assert.deepEqual(asks, [false, false, true, false, false, true, false]);
    assert.equal(sm.unacked.length, 7);
    assert.equal(sm.acknowledged(4), true);
    assert.deepEqual(sm.unacked.map((e) => e.attrs.id), ['m5', 'm6', 'm7']);
    const resend = sm.resumed(5);
    assert.deepEqual(resend.map((e) => e.attrs.id), ['m6', 'm7']);
    assert.equal(sm.unacked.length, 0);
  });

  it('keeps the stanzas sent after <enable/> and before <enabled/>, which the server counts too (XEP-0198 §3)', () => {
    const sm = new StreamManager();
    sm.enableSent();
    assert.equal(sm.requested, true);
    assert.equal(sm.sent(stanza(1), 1), false, 'no <r/> before <enabled/>');
    sm.received(stanza(99));
    sm.start({ kind: 'enabled', resume: true, id: 'e' });
    assert.equal(sm.requested, false);
    assert.equal(sm.inbound, 0, 'inbound counting starts at <enabled/>');
    assert.deepEqual(sm.unacked.map((e) => e.attrs.id), ['m1']);
    assert.equal(sm.acknowledged(1), true);
    assert.equal(sm.unacked.length, 0);
  });

  it('an ack of more than was sent is a protocol violation (false), and leaves nothing queued', () => {
    const sm = new StreamManager();
    sm.start({ kind: 'enabled', resume: false });
    sm.sent(stanza(1));
    assert.equal(sm.acknowledged(2), false);
    assert.equal(sm.unacked.length, 0);
    assert.equal(sm.resumable, false);
  });

  it('property: whatever the acks, sent = acked + unacked, in order, across the 2^32 wrap', () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 30 }), fc.constantFrom(0, SM_MAX_COUNTER - 3), (steps, start) => {
      const sm = new StreamManager();
      sm.start({ kind: 'enabled', resume: true, id: 'p' });
      sm.acknowledged(start); // both sides start the count at `start` (wrapping), as after a long session
      let sent = 0;
      let acked = 0;
      for (const burst of steps) {
        for (let i = 0; i < burst; i++) sm.sent(stanza(++sent));
        const ack = acked + Math.floor((sent - acked) / 2);
        assert.equal(sm.acknowledged((start + ack) % (SM_MAX_COUNTER + 1)), true);
        acked = ack;
        assert.deepEqual(sm.unacked.map((e) => e.attrs.id), Array.from({ length: sent - acked }, (_, i) => `m${acked + i + 1}`));
      }
    }));
  });
});
