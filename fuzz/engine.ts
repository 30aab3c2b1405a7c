/**
 * The fuzz engine: makes input `i` of a campaign (target `i mod n`, drawn from its own seeded
 * generator), runs it, times it with `performance.now()`, and sorts the outcome: returned, a typed
 * error the target may throw, or a finding (an untyped throw, a typed error it may not throw, a broken
 * check, or a hang: over the time bound, and again when measured twice more). Used by the CLI's
 * workers and, in-process, by the spec that runs a short slice in `npm test`.
 */
import { XmppError } from '../lib/errors.js';
import { inputSeed, Rng } from './rng.js';
import { emptySummary, MAX_FINDINGS, statsOf, type Finding, type OutcomeKind, type Summary } from './summary.js';
import { InvariantError, type FuzzInput, type Target } from './target.js';

/** Default time bound per input, in ms: slower than that, twice more, is a hang. */
export const DEFAULT_BOUND_MS = 250;

/** How one input ended. */
export interface Outcome {
  readonly kind: OutcomeKind;
  /** `ok`, or the error's code (typed and undocumented errors), or the error's name. */
  readonly code: string;
  readonly ms: number;
  readonly error?: unknown;
}

/** Options of {@link runSlice}. */
export interface SliceOptions {
  readonly seed: number;
  /** Inputs of the whole campaign. */
  readonly count: number;
  readonly targets: readonly Target[];
  readonly boundMs?: number;
  /** This slice takes the inputs `i` with `i mod of === index` (one share per worker). */
  readonly shard?: { readonly index: number; readonly of: number };
  /** The first input of this share to run (a restarted worker goes on after the input that hung). */
  readonly from?: number;
  /** Inputs not to run (one that hung a worker, which the watchdog has counted). */
  readonly skip?: readonly number[];
  /** Called before each input with its index in the campaign (a watchdog's heartbeat). */
  readonly onInput?: (index: number) => void;
  /** Called with each finding and its input (to save it). */
  readonly onFinding?: (finding: Finding, input: FuzzInput) => Finding;
  /** Called every `progressEvery` inputs with the summary so far and the next input's index. */
  readonly onProgress?: (summary: Summary, next: number) => void;
  readonly progressEvery?: number;
}

/** Input `index` of a target (its own count, not the campaign's): the same for any set of targets. */
export function targetInput(target: Target, seed: number, index: number): FuzzInput {
  return target.generate(new Rng(inputSeed(seed, target.name, index)), target.corpus());
}

/** The target of input `i` of a campaign, and the index of the input among that target's. */
export function inputAt(targets: readonly Target[], seed: number, i: number): { target: Target; index: number; input: FuzzInput } {
  const target = targets[i % targets.length] as Target;
  const index = Math.floor(i / targets.length);
  return { target, index, input: targetInput(target, seed, index) };
}

function classify(target: Target, input: FuzzInput, error: unknown, ms: number): Outcome {
  if (error instanceof InvariantError) return { kind: 'invariant', code: 'InvariantError', ms, error };
  const code = target.allowed(error, input);
  if (code !== undefined) return { kind: 'typed', code, ms };
  if (error instanceof XmppError) return { kind: 'unexpected', code: `${error.name}:${error.code}`, ms, error };
  return { kind: 'untyped', code: error instanceof Error ? error.name : typeof error, ms, error };
}

/** Runs the input once, timing the run only (not the target's check of the result). */
async function timeOnce(target: Target, input: FuzzInput): Promise<Outcome & { result?: unknown }> {
  const start = performance.now();
  try {
    const result = target.async ? await target.run(input) : target.run(input);
    const ms = performance.now() - start;
    return { kind: 'ok', code: target.label?.(result) ?? 'ok', ms, result };
  } catch (error) {
    return classify(target, input, error, performance.now() - start);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one input. An input over the bound is measured again, twice, each after a pause of the bound
 * (so that a collection of garbage or a burst of load on a shared machine has passed), and is a hang
 * only if all three runs are over the bound; if one is not, it counts as a timing outlier. Then the
 * target's check runs on the result, untimed.
 */
export async function runInput(target: Target, input: FuzzInput, boundMs = DEFAULT_BOUND_MS): Promise<Outcome & { outlier: boolean }> {
  const first = await timeOnce(target, input);
  let outlier = false;
  if (first.ms > boundMs) {
    let fastest = first.ms;
    for (let i = 0; i < 2 && fastest > boundMs; i++) {
      await pause(boundMs);
      fastest = Math.min(fastest, (await timeOnce(target, input)).ms);
    }
    if (fastest > boundMs) return { kind: 'hang', code: 'hang', ms: fastest, error: first.error, outlier: false };
    outlier = true;
  }
  const { result, ...outcome } = first;
  if (outcome.kind === 'ok' && target.check) {
    try {
      target.check(result, input);
    } catch (error) {
      return { ...classify(target, input, error, outcome.ms), outlier };
    }
  }
  return { ...outcome, outlier };
}

/** Makes all targets ready: their set-up, then their corpora. */
export async function prepareTargets(targets: readonly Target[]): Promise<void> {
  for (const target of targets) await target.prepare?.();
  for (const target of targets) target.corpus();
}

function describe(outcome: Outcome, boundMs: number): { message: string; stack?: string } {
  if (outcome.kind === 'hang') return { message: `took ${outcome.ms.toFixed(1)} ms, over the bound of ${boundMs} ms, three times` };
  const error = outcome.error;
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`.slice(0, 2000), ...(error.stack ? { stack: error.stack } : {}) };
  return { message: `threw a non-Error: ${String(error)}`.slice(0, 2000) };
}

/** Records one outcome in the summary; returns the finding it makes, if any. */
export function record(summary: Summary, target: Target, index: number, input: FuzzInput, outcome: Outcome & { outlier: boolean }, boundMs: number): Finding | undefined {
  const stats = statsOf(summary, target.name);
  stats.inputs++;
  stats.totalMs += outcome.ms;
  if (outcome.ms > stats.maxMs) {
    stats.maxMs = outcome.ms;
    stats.slowest = index;
  }
  if (outcome.outlier) stats.outliers++;
  summary.inputs++;
  summary.byGenerator[input.generator] = (summary.byGenerator[input.generator] ?? 0) + 1;
  if (outcome.kind === 'ok' || outcome.kind === 'typed') {
    stats.outcomes[outcome.code] = (stats.outcomes[outcome.code] ?? 0) + 1;
    return undefined;
  }
  if (outcome.kind === 'hang') stats.hangs++;
  else stats[outcome.kind]++;
  const finding: Finding = { target: target.name, seed: summary.seed, index, kind: outcome.kind, generator: input.generator, ms: outcome.ms, ...describe(outcome, boundMs) };
  return finding;
}

/** Runs a slice of a campaign and counts what happened. */
export async function runSlice(options: SliceOptions): Promise<Summary> {
  const { seed, count, targets } = options;
  const boundMs = options.boundMs ?? DEFAULT_BOUND_MS;
  const step = options.shard?.of ?? 1;
  const summary = emptySummary(seed);
  const started = performance.now();
  const every = options.progressEvery ?? 5_000;
  await prepareTargets(targets);
  for (let i = options.from ?? options.shard?.index ?? 0; i < count; i += step) {
    if (options.skip?.includes(i)) continue;
    options.onInput?.(i);
    const { target, index, input } = inputAt(targets, seed, i);
    const outcome = await runInput(target, input, boundMs);
    let finding = record(summary, target, index, input, outcome, boundMs);
    if (finding) {
      finding = options.onFinding?.(finding, input) ?? finding;
      if (summary.findings.length < MAX_FINDINGS) summary.findings.push(finding);
    }
    if (summary.inputs % every === 0) {
      summary.elapsedMs = performance.now() - started;
      options.onProgress?.(summary, i + step);
    }
  }
  summary.elapsedMs = performance.now() - started;
  return summary;
}
