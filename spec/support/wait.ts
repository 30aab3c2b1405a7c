// Test support: waiting for what real servers do asynchronously (pushes, reconnects).

import { strict as assert } from 'node:assert';

/** Resolves after `ms`. */
export const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `check()` holds, polling every 20 ms; after `ms` fails with `what` and, when given,
 * what `state()` says then (so a timeout shows what was seen instead).
 */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string, state?: () => unknown): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${state ? `; saw ${JSON.stringify(state())}` : ''}`);
    await wait(20);
  }
}
