/**
 * Saving failing inputs: one JSON file per finding under fuzz/findings/ (kept out of git), with the
 * target, seed, index, what happened, the stack, and the input itself (inputs over 1 MiB are saved as
 * their first and last 64 KiB; `npm run fuzz -- --seed S --replay target:index` makes them again).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from './summary.js';
import type { FuzzInput } from './target.js';

/** Where findings go by default. */
export const FINDINGS_DIR = new URL('./findings/', import.meta.url);

const KEEP = 1_048_576;
const EDGE = 65_536;

function clip(text: string): { text: string; clipped?: { length: number } } {
  if (text.length <= KEEP) return { text };
  return { text: `${text.slice(0, EDGE)}\n[... ${text.length - 2 * EDGE} characters ...]\n${text.slice(-EDGE)}`, clipped: { length: text.length } };
}

/** Writes a finding and its input to `dir`; returns the finding with the file's path. */
export function saveFinding(dir: string, finding: Finding, input: FuzzInput): Finding {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${finding.target}-seed${finding.seed}-${finding.index}-${finding.kind}.json`);
  const { text, clipped } = clip(input.text);
  const body = {
    ...finding,
    replay: `npm run fuzz -- --seed ${finding.seed} --replay ${finding.target}:${finding.index}`,
    input: text,
    ...(clipped ? { inputLength: clipped.length } : {}),
    ...(input.frames ? { frames: input.frames.map((frame) => clip(frame).text) } : {}),
    ...(input.statuses ? { statuses: input.statuses } : {}),
  };
  writeFileSync(file, JSON.stringify(body, null, 2) + '\n');
  return { ...finding, file };
}
