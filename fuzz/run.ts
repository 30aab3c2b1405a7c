/**
 * `npm run fuzz`: the fuzz campaign over every parser of the library.
 *
 *   npm run fuzz -- --count 1000000 --seed 42          the campaign, on every core
 *   npm run fuzz -- --targets jid,xml --count 50000    some targets only
 *   npm run fuzz -- --seed 42 --replay vcard:1234      one input again, with its outcome and stack
 *
 * Options: `--workers N` (default: the cores), `--bound MS` (time bound per input, default 250),
 * `--kill-after MS` (a worker stuck that long on one input is stopped, default 10,000), `--findings
 * DIR` (default fuzz/findings), `--report FILE` (write the figures as Markdown), `--json FILE`.
 * Exits with 1 when any input failed: an untyped throw, a typed error its parser may not throw, a
 * broken check, or a hang.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BOUND_MS, prepareTargets, runInput, targetInput } from './engine.js';
import { FINDINGS_DIR } from './findings.js';
import { runPool } from './pool.js';
import { markdownReport } from './report.js';
import { failures, formatSummary } from './summary.js';
import { selectTargets } from './targets.js';

function options(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i] ?? '';
    if (!key.startsWith('--')) throw new Error(`unexpected argument '${key}'`);
    out.set(key.slice(2), argv[i + 1] ?? '');
    i++;
  }
  return out;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} takes a non-negative integer, not '${value}'`);
  return n;
}

async function replay(seed: number, what: string, boundMs: number): Promise<number> {
  const [name = '', index = ''] = what.split(':');
  const [target] = selectTargets([name]);
  if (!target) return 2;
  await prepareTargets([target]);
  const input = targetInput(target, seed, integer(index, 0, 'replay'));
  const outcome = await runInput(target, input, boundMs);
  const shown = input.text.length > 2000 ? `${input.text.slice(0, 2000)}... (${input.text.length} characters)` : input.text;
  process.stdout.write(`${target.name} #${index} (${input.generator}): ${outcome.kind} ${outcome.code} in ${outcome.ms.toFixed(2)} ms\ninput: ${JSON.stringify(shown)}\n`);
  if (input.frames) process.stdout.write(`frames: ${JSON.stringify(input.frames.map((f) => f.slice(0, 500)))}\n`);
  if (outcome.error instanceof Error) process.stdout.write(`${outcome.error.stack ?? outcome.error.message}\n`);
  return outcome.kind === 'ok' || outcome.kind === 'typed' ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const opts = options(argv);
  const seed = integer(opts.get('seed'), Math.floor(Math.random() * 2 ** 31), 'seed');
  const boundMs = integer(opts.get('bound'), DEFAULT_BOUND_MS, 'bound');
  const replayed = opts.get('replay');
  if (replayed !== undefined) return replay(seed, replayed, boundMs);
  const count = integer(opts.get('count'), 100_000, 'count');
  const workers = Math.max(1, integer(opts.get('workers'), availableParallelism(), 'workers'));
  const names = (opts.get('targets') ?? '').split(',').filter(Boolean);
  const targets = selectTargets(names);
  await prepareTargets(targets);
  const findingsDir = opts.get('findings') ?? fileURLToPath(FINDINGS_DIR);
  process.stderr.write(`fuzzing ${targets.length} targets: ${count.toLocaleString('en-US')} inputs, seed ${seed}, ${workers} workers\n`);
  const summary = await runPool({
    seed, count, targets: names, workers, boundMs, findingsDir, killAfterMs: integer(opts.get('kill-after'), 10_000, 'kill-after'),
    onProgress: (so) => process.stderr.write(`  ${so.inputs.toLocaleString('en-US')} inputs, ${Math.round(so.inputs / (so.elapsedMs / 1000)).toLocaleString('en-US')}/s, failures ${Object.values(failures(so)).slice(0, 4).reduce((a, b) => a + b, 0)}\n`),
  });
  process.stdout.write(formatSummary(summary) + '\n');
  const command = `npm run fuzz -- --count ${count} --seed ${seed}${names.length ? ` --targets ${names.join(',')}` : ''}`;
  const report = opts.get('report');
  if (report) writeFileSync(report, markdownReport(summary, targets, { workers, boundMs, command }));
  const json = opts.get('json');
  if (json) writeFileSync(json, JSON.stringify(summary, null, 2) + '\n');
  const total = failures(summary);
  return total.untyped + total.unexpected + total.invariant + total.hangs > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
