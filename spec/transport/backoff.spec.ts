import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { backoffDelay } from '../../lib/transport/backoff.js';

describe('transport/backoff', () => {
  it('doubles from the base up to the cap, with jitter between half and all of it', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, 0.999999, { baseMs: 100, capMs: 1000 })), [100, 200, 400, 800]);
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, 0, { baseMs: 100, capMs: 1000 })), [50, 100, 200, 400]);
    assert.equal(backoffDelay(50, 0.5, { baseMs: 100, capMs: 1000 }), 750);
  });

  it('property: always within [ceiling/2, ceiling] and never above the cap', () => {
    fc.assert(fc.property(fc.nat({ max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 60_000 }), (attempt, random, baseMs, capMs) => {
      const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
      const delay = backoffDelay(attempt, random, { baseMs, capMs });
      assert.ok(delay >= Math.floor(ceiling / 2) && delay <= Math.ceil(ceiling), `${delay} outside [${ceiling / 2}, ${ceiling}]`);
    }));
  });
});
