/**
 * The campaign over worker threads: one share of the inputs per worker, a watchdog that stops a
 * worker stuck on one input longer than `killAfterMs` (an input that never ends cannot be timed from
 * inside), counts it as a hang, saves it, and starts the worker again after it. The counts of every
 * run of every worker are merged at the end.
 */
import { Worker } from 'node:worker_threads';
import { record, targetInput } from './engine.js';
import { saveFinding } from './findings.js';
import { emptySummary, MAX_FINDINGS, mergeSummary, statsOf, type Summary } from './summary.js';
import { selectTargets } from './targets.js';
import type { WorkerInit, WorkerMessage } from './worker.js';

/** Options of {@link runPool}. */
export interface PoolOptions {
  readonly seed: number;
  readonly count: number;
  readonly targets: readonly string[];
  readonly workers: number;
  readonly boundMs: number;
  readonly killAfterMs: number;
  readonly findingsDir: string;
  /** Called every few seconds with the counts so far. */
  readonly onProgress?: (summary: Summary) => void;
}

interface Share {
  /** Counts of the runs of this share that ended (stopped by the watchdog, or done). */
  readonly finished: Summary[];
  current: Summary;
  next: number;
  readonly skip: number[];
  done: boolean;
}

/** Runs a campaign over `workers` threads and returns its merged counts. */
export function runPool(options: PoolOptions): Promise<Summary> {
  const targets = selectTargets(options.targets);
  const heartbeat = new SharedArrayBuffer(4 * options.workers);
  const beat = new Int32Array(heartbeat);
  const shares: Share[] = [];
  const started = performance.now();
  // What the main thread counts itself: inputs that hung a worker, errors thrown outside any input.
  const extra = emptySummary(options.seed);
  const total = (): Summary => {
    const sum = emptySummary(options.seed);
    mergeSummary(sum, extra);
    for (const share of shares) for (const part of [...share.finished, share.current]) mergeSummary(sum, part);
    sum.elapsedMs = performance.now() - started;
    return sum;
  };

  return new Promise<Summary>((resolve) => {
    const workers: (Worker | undefined)[] = [];
    const seen = new Array<number>(options.workers).fill(-2);
    const stuck = new Array<number>(options.workers).fill(0);

    const start = (w: number): void => {
      const share = shares[w] as Share;
      Atomics.store(beat, w, -2);
      const init: WorkerInit = {
        seed: options.seed, count: options.count, targets: options.targets, boundMs: options.boundMs, findingsDir: options.findingsDir,
        share: w, workers: options.workers, from: share.next, skip: share.skip, heartbeat,
      };
      const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: init });
      workers[w] = worker;
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          share.current = message.summary;
          share.next = message.next;
        } else if (message.type === 'done') {
          share.current = message.summary;
          share.done = true;
          finish();
        } else {
          const target = targets[message.index % targets.length]?.name ?? 'unknown';
          statsOf(extra, target).untyped++;
          const index = Math.floor(message.index / targets.length);
          if (extra.findings.length < MAX_FINDINGS) {
            extra.findings.push({
              target, seed: options.seed, index, kind: 'untyped', generator: 'unknown', ms: 0,
              message: `thrown outside the run of any input, during this one: ${message.message}`, ...(message.stack ? { stack: message.stack } : {}),
            });
          }
        }
      });
      // A worker that dies (out of memory, a crash of the runtime) is counted as a failure of its input.
      worker.on('error', (error) => {
        if (workers[w] === worker) stop(w, Atomics.load(beat, w), error);
      });
      worker.on('exit', (code) => {
        if (workers[w] === worker && !share.done) stop(w, Atomics.load(beat, w), new Error(`the worker exited (code ${code}) before the end`));
      });
    };

    /** Stops worker `w`, counts the input it was on as a hang (or a crash), and starts it again after it. */
    const stop = (w: number, index: number, crash?: Error): void => {
      const share = shares[w] as Share;
      void workers[w]?.terminate();
      workers[w] = undefined;
      share.finished.push(share.current);
      share.current = emptySummary(options.seed);
      share.skip.push(index);
      // The input, counted here: made again from its seed, since the worker cannot tell.
      const target = targets[index % targets.length];
      if (target && index >= 0) {
        const input = targetInput(target, options.seed, Math.floor(index / targets.length));
        const outcome = crash
          ? { kind: 'untyped' as const, code: crash.name, ms: 0, outlier: false, error: crash }
          : { kind: 'hang' as const, code: 'hang', ms: options.killAfterMs, outlier: false };
        const finding = record(extra, target, Math.floor(index / targets.length), input, outcome, options.boundMs);
        if (finding && extra.findings.length < MAX_FINDINGS) {
          const message = crash ? `the worker died on this input: ${crash.message}` : `did not end within ${options.killAfterMs} ms: the worker was stopped`;
          extra.findings.push(saveFinding(options.findingsDir, { ...finding, message }, input));
        }
      }
      start(w);
    };

    const watchdog = setInterval(() => {
      for (let w = 0; w < options.workers; w++) {
        const at = Atomics.load(beat, w);
        if (at < 0 || at !== seen[w]) {
          seen[w] = at;
          stuck[w] = 0;
        } else if ((stuck[w] = (stuck[w] ?? 0) + 250) >= options.killAfterMs) {
          stuck[w] = 0;
          stop(w, at);
        }
      }
    }, 250);
    const progress = setInterval(() => options.onProgress?.(total()), 5_000);

    const finish = (): void => {
      if (!shares.every((share) => share.done)) return;
      clearInterval(watchdog);
      clearInterval(progress);
      for (const worker of workers) void worker?.terminate(); // a worker's leftover timers must not keep it up
      resolve(total());
    };

    for (let w = 0; w < options.workers; w++) {
      shares.push({ finished: [], current: emptySummary(options.seed), next: w, skip: [], done: false });
      start(w);
    }
  });
}
