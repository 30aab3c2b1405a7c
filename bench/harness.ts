/**
 * A small benchmark harness: each case is timed against its peer in alternating rounds (so that drift
 * in machine load hits both alike), each round long enough to be timed reliably; the median of the
 * rounds is reported, in microseconds per operation.
 */
import { performance } from 'node:perf_hooks';

/** One side of a comparison: a function to time, run many times. */
export type Work = () => unknown;

/** Results of one pair. */
export interface PairResult {
  readonly name: string;
  readonly oursUs: number;
  readonly floorUs: number;
  readonly ratio: number;
}

let sink: unknown;

function timeBatch(work: Work, iterations: number): number {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) sink = work();
  return (performance.now() - start) / iterations;
}

function calibrate(work: Work, roundMs: number): number {
  let iterations = 1;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) sink = work();
    const elapsed = performance.now() - start;
    if (elapsed >= roundMs / 4) return Math.max(1, Math.round((iterations * roundMs) / elapsed));
    iterations *= 4;
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Times `ours` against `floor`, alternating, `rounds` rounds of about `roundMs` each. */
export function comparePair(name: string, ours: Work, floor: Work, rounds = 15, roundMs = 40): PairResult {
  // Warm up both (JIT), then size the batches.
  for (let i = 0; i < 3; i++) {
    timeBatch(ours, calibrate(ours, 10));
    timeBatch(floor, calibrate(floor, 10));
  }
  const nOurs = calibrate(ours, roundMs);
  const nFloor = calibrate(floor, roundMs);
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      a.push(timeBatch(ours, nOurs));
      b.push(timeBatch(floor, nFloor));
    } else {
      b.push(timeBatch(floor, nFloor));
      a.push(timeBatch(ours, nOurs));
    }
  }
  const oursUs = median(a) * 1000;
  const floorUs = median(b) * 1000;
  return { name, oursUs, floorUs, ratio: oursUs / floorUs };
}

/** Keeps the optimizer from dropping the timed work. */
export function consumed(): unknown {
  return sink;
}

/** Prints results as an aligned table. */
export function printTable(title: string, results: readonly PairResult[], limit: number): void {
  const rows = results.map((r) => [r.name, r.oursUs.toFixed(2), r.floorUs.toFixed(2), r.ratio.toFixed(3) + 'x', r.ratio <= limit ? 'ok' : `over ${limit}x`]);
  const header = ['case', 'ours µs/op', 'ltx floor µs/op', 'ratio', `<= ${limit}x`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(line(row) + '\n');
}
