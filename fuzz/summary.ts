/**
 * What a campaign counts: per target, the inputs and their outcomes (returned, or each typed error
 * code), the failures (untyped throws, typed errors the target may not throw, broken checks, hangs),
 * time spent; per generator, the inputs it made; and the findings, each with what replays it.
 */

/** How one input ended. */
export type OutcomeKind = 'ok' | 'typed' | 'untyped' | 'unexpected' | 'invariant' | 'hang';

/** A failing input. */
export interface Finding {
  readonly target: string;
  readonly seed: number;
  readonly index: number;
  readonly kind: Exclude<OutcomeKind, 'ok' | 'typed'>;
  readonly generator: string;
  readonly message: string;
  readonly stack?: string;
  readonly ms: number;
  /** Where the input was saved, when it was. */
  readonly file?: string;
}

/** The counts of one target. */
export interface TargetStats {
  inputs: number;
  /** Outcomes: `ok` (returned) or the typed error's code, with the count of each. */
  outcomes: Record<string, number>;
  untyped: number;
  unexpected: number;
  invariant: number;
  hangs: number;
  /** Inputs over the time bound once but not when measured again (a pause of the runtime, not the input). */
  outliers: number;
  totalMs: number;
  maxMs: number;
  /** The index of the slowest input (for `--replay target:index`). */
  slowest: number;
}

/** The counts of a campaign (or of one worker's share of it). */
export interface Summary {
  seed: number;
  inputs: number;
  elapsedMs: number;
  byTarget: Record<string, TargetStats>;
  byGenerator: Record<string, number>;
  /** The first findings (at most {@link MAX_FINDINGS}); the counts above have them all. */
  findings: Finding[];
}

/** Findings kept in a summary; the counts go on. */
export const MAX_FINDINGS = 200;

/** An empty summary. */
export function emptySummary(seed: number): Summary {
  return { seed, inputs: 0, elapsedMs: 0, byTarget: {}, byGenerator: {}, findings: [] };
}

/** The stats of a target in a summary, made on first use. */
export function statsOf(summary: Summary, target: string): TargetStats {
  return (summary.byTarget[target] ??= { inputs: 0, outcomes: {}, untyped: 0, unexpected: 0, invariant: 0, hangs: 0, outliers: 0, totalMs: 0, maxMs: 0, slowest: -1 });
}

/** Adds `part` into `into`. Elapsed time is the longest of the two (workers run side by side). */
export function mergeSummary(into: Summary, part: Summary): Summary {
  into.inputs += part.inputs;
  into.elapsedMs = Math.max(into.elapsedMs, part.elapsedMs);
  for (const [name, stats] of Object.entries(part.byTarget)) {
    const to = statsOf(into, name);
    to.inputs += stats.inputs;
    for (const [code, n] of Object.entries(stats.outcomes)) to.outcomes[code] = (to.outcomes[code] ?? 0) + n;
    to.untyped += stats.untyped;
    to.unexpected += stats.unexpected;
    to.invariant += stats.invariant;
    to.hangs += stats.hangs;
    to.outliers += stats.outliers;
    to.totalMs += stats.totalMs;
    if (stats.maxMs > to.maxMs) {
      to.maxMs = stats.maxMs;
      to.slowest = stats.slowest;
    }
  }
  for (const [name, n] of Object.entries(part.byGenerator)) into.byGenerator[name] = (into.byGenerator[name] ?? 0) + n;
  for (const finding of part.findings) if (into.findings.length < MAX_FINDINGS) into.findings.push(finding);
  return into;
}

/** The totals of the failure counts. */
export function failures(summary: Summary): { untyped: number; unexpected: number; invariant: number; hangs: number; outliers: number } {
  const total = { untyped: 0, unexpected: 0, invariant: 0, hangs: 0, outliers: 0 };
  for (const stats of Object.values(summary.byTarget)) {
    total.untyped += stats.untyped;
    total.unexpected += stats.unexpected;
    total.invariant += stats.invariant;
    total.hangs += stats.hangs;
    total.outliers += stats.outliers;
  }
  return total;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** The summary as a plain-text report. */
export function formatSummary(summary: Summary): string {
  const total = failures(summary);
  const seconds = summary.elapsedMs / 1000;
  const lines = [
    `seed ${summary.seed}: ${count(summary.inputs)} inputs in ${seconds.toFixed(1)} s (${count(Math.round(summary.inputs / Math.max(seconds, 0.001)))} inputs/s)`,
    `untyped throws ${total.untyped}, undocumented typed errors ${total.unexpected}, broken checks ${total.invariant}, hangs ${total.hangs}` +
      ` (timing outliers not reproduced: ${total.outliers})`,
    '',
    'target                 inputs   max ms (#input)  outcomes',
  ];
  for (const [name, stats] of Object.entries(summary.byTarget)) {
    const outcomes = Object.entries(stats.outcomes).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${count(n)}`).join(', ');
    const bad = stats.untyped + stats.unexpected + stats.invariant + stats.hangs;
    lines.push(`${name.padEnd(22)} ${count(stats.inputs).padStart(7)} ${stats.maxMs.toFixed(1).padStart(8)} ${`(#${stats.slowest})`.padStart(9)}  ${outcomes}${bad ? `  FAILURES ${bad}` : ''}`);
  }
  lines.push('', 'inputs by generator: ' + Object.entries(summary.byGenerator).sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${count(n)}`).join(', '));
  for (const finding of summary.findings.slice(0, 20)) {
    lines.push(`FINDING ${finding.kind} ${finding.target} #${finding.index} (${finding.generator}, ${finding.ms.toFixed(1)} ms): ${finding.message}${finding.file ? ` [${finding.file}]` : ''}`);
  }
  return lines.join('\n');
}
