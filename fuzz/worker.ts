/**
 * A worker thread of the campaign: runs its share of the inputs (`i mod workers === share`), saves
 * its findings, posts its counts every few thousand inputs, and writes the index of the input it is
 * on into shared memory before each one, so that the main thread can stop it if an input never ends.
 * An error thrown outside any input's run (a timer, a late promise) is reported with the input it
 * came during, and the worker goes on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSlice } from './engine.js';
import { saveFinding } from './findings.js';
import type { Summary } from './summary.js';
import { selectTargets } from './targets.js';

/** What the main thread gives a worker. */
export interface WorkerInit {
  readonly seed: number;
  readonly count: number;
  readonly targets: readonly string[];
  readonly boundMs: number;
  readonly findingsDir: string;
  readonly share: number;
  readonly workers: number;
  readonly from: number;
  readonly skip: readonly number[];
  /** One Int32 per worker: the index of the input it is on, -1 when done. */
  readonly heartbeat: SharedArrayBuffer;
}

/** What a worker tells the main thread. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly summary: Summary; readonly next: number }
  | { readonly type: 'done'; readonly summary: Summary }
  | { readonly type: 'async-error'; readonly index: number; readonly message: string; readonly stack?: string };

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('fuzz/worker.ts runs as a worker thread of fuzz/run.ts');
const beat = new Int32Array(init.heartbeat);
const post = (message: WorkerMessage): void => port.postMessage(message);

const asyncError = (error: unknown): void => {
  post({
    type: 'async-error', index: Atomics.load(beat, init.share),
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
};
process.on('uncaughtException', asyncError);
process.on('unhandledRejection', asyncError);

const summary = await runSlice({
  seed: init.seed,
  count: init.count,
  targets: selectTargets(init.targets),
  boundMs: init.boundMs,
  shard: { index: init.share, of: init.workers },
  from: init.from,
  skip: init.skip,
  onInput: (i) => Atomics.store(beat, init.share, i),
  onFinding: (finding, input) => saveFinding(init.findingsDir, finding, input),
  onProgress: (snapshot, next) => post({ type: 'progress', summary: snapshot, next }),
});
Atomics.store(beat, init.share, -1);
post({ type: 'done', summary });
