/**
 * Statistics and the printed tables of bench/session.ts (and bench/profile.ts). Each table printed is
 * also appended, in Markdown, to the file named after `--markdown` on the command line (else in
 * $BENCH_MARKDOWN), when there is one: `npm run bench` collects bench/RESULTS.md that way.
 */
import { appendFileSync } from 'node:fs';

/** The value at quantile `q` (0..1) of `values`, linearly interpolated between the nearest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);
export const p90 = (values: readonly number[]): number => quantile(values, 0.9);

/** Milliseconds, with as many decimals as make sense for the size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 1) return value.toFixed(3);
  if (value < 100) return value.toFixed(2);
  return value.toFixed(0);
}

/** Prints rows as an aligned table; `align` has one letter per column, `l` or `r` (default: `l` then `r`). */
export function printTable(title: string, header: readonly string[], rows: readonly (readonly string[])[], align?: string): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const alignOf = (i: number): string => align?.[i] ?? (i === 0 ? 'l' : 'r');
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (alignOf(i) === 'l' ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(line(row) + '\n');
  appendMarkdown(markdownTable(title, header, rows, align));
}

/** The Markdown file the tables are appended to: the argument after `--markdown`, else $BENCH_MARKDOWN. */
export function markdownFile(): string | undefined {
  const at = process.argv.indexOf('--markdown');
  const file = at >= 0 ? process.argv[at + 1] : process.env.BENCH_MARKDOWN;
  return file === undefined || file === '' ? undefined : file;
}

/** Appends `text` to the Markdown file, when there is one. */
export function appendMarkdown(text: string): void {
  const file = markdownFile();
  if (file !== undefined) appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

/** A table in Markdown: the title as a heading, then the table (`|` in cells escaped). */
export function markdownTable(title: string, header: readonly string[], rows: readonly (readonly string[])[], align?: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${header.map((_, i) => cell(cells[i] ?? '')).join(' | ')} |`;
  const rule = `|${header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : ':---')).join('|')}|`;
  return `\n#### ${cell(title)}\n\n${line(header)}\n${rule}\n${rows.map(line).join('\n')}\n`;
}
