/** Statistics and the printed tables of bench/session.ts. */

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
}
