/**
 * The campaign's figures as Markdown (fuzz/RESULTS.md, and from there the README's "Reliability"
 * section): totals, rates, failures, and per target the inputs and outcomes.
 */
import { cpus } from 'node:os';
import { failures, type Summary } from './summary.js';
import type { Target } from './target.js';

const count = (n: number): string => n.toLocaleString('en-US');

/** The Markdown report of a campaign. */
export function markdownReport(summary: Summary, targets: readonly Target[], meta: { readonly workers: number; readonly boundMs: number; readonly command: string }): string {
  const total = failures(summary);
  const seconds = summary.elapsedMs / 1000;
  const rate = Math.round(summary.inputs / Math.max(seconds, 0.001));
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines = [
    '# Fuzz campaign: results',
    '',
    `Command: \`${meta.command}\`, on ${meta.workers} worker threads (${cpu}, Node ${process.version}).`,
    '',
    '| figure | value |',
    '|---|---|',
    `| inputs | ${count(summary.inputs)} |`,
    `| targets | ${Object.keys(summary.byTarget).length} |`,
    `| time | ${seconds.toFixed(1)} s |`,
    `| inputs/s | ${count(rate)} |`,
    `| untyped throws | ${total.untyped} |`,
    `| typed errors a parser may not throw | ${total.unexpected} |`,
    `| broken checks (round trips, guards, stream ends) | ${total.invariant} |`,
    `| hangs (over ${meta.boundMs} ms, three times) | ${total.hangs} |`,
    `| timing outliers (over the bound once, not again) | ${total.outliers} |`,
    '',
    '## Inputs by generator',
    '',
    Object.entries(summary.byGenerator).sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${count(n)}`).join(', ') + '.',
    '',
    '## Per target',
    '',
    '| target | parses | inputs | slowest (ms) | outcomes |',
    '|---|---|---:|---:|---|',
  ];
  for (const target of targets) {
    const stats = summary.byTarget[target.name];
    if (!stats) continue;
    const outcomes = Object.entries(stats.outcomes).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${count(n)}`).join(', ');
    const bad = stats.untyped + stats.unexpected + stats.invariant + stats.hangs;
    lines.push(`| ${target.name} | ${target.parses} | ${count(stats.inputs)} | ${stats.maxMs.toFixed(1)} | ${outcomes}${bad ? `; **failures ${bad}**` : ''} |`);
  }
  return lines.join('\n') + '\n';
}
