/**
 * Bounded concurrency: run an async function over a list with at most `limit` calls in flight, each
 * new call started as soon as one settles (a pipeline, not batches), results in input order. The
 * friends list fetches every contact's profile this way (API.md §3, `getFriendsList`: "fetched
 * pipelined with bounded concurrency").
 *
 * @see API.md §3
 */

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; resolves with the results in the
 * order of `items`.
 *
 * On the first failure (a rejection, or a throw from `fn`) the returned promise rejects at once with
 * that error and no further call is started; calls already in flight are not awaited: they run to
 * their end unobserved (their own failures are absorbed, never reported as unhandled). So a failure
 * is reported as early as it is known, and nothing is started in vain after it.
 *
 * @param limit the most calls in flight: an integer of at least 1 (`Infinity` allowed).
 * @throws {RangeError} (as a rejection) when `limit` is not an integer of at least 1.
 * @throws whatever the first failing call of `fn` throws.
 */
export function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => R | PromiseLike<R>,
): Promise<R[]> {
  if (!(limit >= 1) || (limit !== Infinity && !Number.isInteger(limit))) {
    return Promise.reject(new RangeError(`the concurrency limit must be an integer of at least 1, not ${String(limit)}`));
  }
  const count = items.length;
  const results = new Array<R>(count);
  if (count === 0) return Promise.resolve(results);
  return new Promise<R[]>((resolve, reject) => {
    let next = 0;
    let settled = 0;
    let failed = false;
    const startNext = (): void => {
      if (failed || next >= count) return;
      const index = next++;
      let pending: R | PromiseLike<R>;
      try {
        pending = fn(items[index] as T, index);
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve(pending).then(
        (value) => {
          if (failed) return;
          results[index] = value;
          if (++settled === count) resolve(results);
          else startNext();
        },
        fail,
      );
    };
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      reject(error);
    };
    const first = Math.min(limit, count);
    for (let i = 0; i < first && !failed; i++) startNext();
  });
}
