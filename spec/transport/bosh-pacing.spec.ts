// Unit spec of the BOSH pacing (lib/transport/bosh-pacing.ts): when a request may leave while the one
// before it is in flight. Pure: the clock is given.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { BoshPacing } from '../../lib/transport/bosh-pacing.js';

/** A pacing that has seen round trips of `rtt` ms (one timed request, answered). */
function warmed(rtt: number): BoshPacing {
  const pacing = new BoshPacing();
  pacing.sent(1, 0, false);
  pacing.answered(1, rtt);
  return pacing;
}

describe('transport/bosh-pacing (XEP-0124 §14.2: requests reach the connection manager in rid order)', () => {
  it('nothing in flight, or the last request answered: leave now', () => {
    const pacing = warmed(4);
    assert.equal(pacing.waitMs(100, false), 0);
    pacing.sent(2, 100, false);
    pacing.answered(2, 101);
    assert.equal(pacing.waitMs(101, true), 0);
  });

  it('the last request in flight and no news of it: wait two round trips after it left', () => {
    const pacing = warmed(4);
    assert.equal(pacing.spacingMs, 8);
    pacing.sent(2, 100, true);
    assert.equal(pacing.waitMs(100, true), 8);
    assert.equal(pacing.waitMs(105, true), 3);
    assert.equal(pacing.waitMs(108, true), 0);
  });

  it('an older request answered after the last one left (the server released it): half a round trip is enough', () => {
    // Prosody: the ping's answer comes on the long poll it was holding; the ping's request stays held.
    const pacing = warmed(4);
    pacing.sent(2, 0, true); // the long poll
    pacing.sent(3, 100, false); // the ping
    pacing.answered(2, 101);
    assert.equal(pacing.waitMs(101, true), 1);
    assert.equal(pacing.waitMs(102, true), 0);
  });

  it('the round trip is the median of recent times from a request that asks something to the next answer; polls do not count', () => {
    const pacing = new BoshPacing();
    assert.equal(pacing.roundTripMs, undefined);
    assert.equal(pacing.spacingMs, 250, 'before any answer: the upper bound');
    let at = 0;
    for (const rtt of [1, 1, 30, 1, 1]) {
      pacing.sent(at, at, false);
      pacing.answered(at, at + rtt);
      at += 100;
    }
    assert.equal(pacing.roundTripMs, 1, 'one slow answer does not move the median');
    pacing.sent(at, at, true); // a poll held for 5 s
    pacing.answered(at, at + 5000);
    assert.equal(pacing.roundTripMs, 1);
    assert.equal(pacing.spacingMs, 2, 'never below 2 ms');
  });

  it('a request held by the server does not inflate the round trip (it is timed from leaving to the next answer of any request)', () => {
    const pacing = warmed(2);
    for (let i = 0; i < 30; i++) {
      // Each ping is held as the long poll and answered only when the next one comes, 20 ms later.
      pacing.sent(10 + i, 20 * i, false);
      pacing.answered(9 + i, 20 * i + 2);
    }
    assert.equal(pacing.roundTripMs, 2);
  });

  it('property: the wait never exceeds the spacing, and is 0 once the spacing has passed', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 0, max: 300 }),
      (steps, later) => {
        const pacing = new BoshPacing();
        let at = 0;
        let rid = 1;
        for (const [poll, gap, answerAfter] of steps) {
          at += gap;
          pacing.sent(rid, at, poll);
          pacing.answered(rid - 1, at + answerAfter);
          rid++;
        }
        const wait = pacing.waitMs(at + later, true);
        assert.ok(wait >= 0 && wait <= pacing.spacingMs);
        assert.equal(pacing.waitMs(at + pacing.spacingMs, true), 0);
      },
    ));
  });
});
