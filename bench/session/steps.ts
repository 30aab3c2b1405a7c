/**
 * Where a login of ours spends its time: every frame (WebSocket) or body (BOSH) in and out is
 * timestamped at the transport's edge, and the time between two events is put down to the client when
 * the later one is something the client sends (it was working, from what came in, to what it sends)
 * and to the server when it is something received (the client was waiting; network, server and the
 * event loop's turn are all in it). The last step, from the last element in to `login()` resolving, is
 * client work too.
 */
import { median, ms, p90, printTable } from './report.js';

const mean = (values: readonly number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;

export interface StepEvent {
  readonly at: number;
  readonly direction: 'in' | 'out' | 'end';
  readonly label: string;
}

/** A short name for one raw text: the element's name, or a BOSH body's children. */
export function labelOf(text: string): string {
  if (text.startsWith('#')) return text.slice(1);
  const names = [...text.matchAll(/<([A-Za-z:]+)[\s/>]/g)].map((match) => (match[1] as string).replace(/^stream:/, ''));
  const first = names[0] ?? '?';
  if (first === 'body') {
    const restart = /xmpp:restart=['"]true['"]/.test(text) ? 'restart ' : '';
    const terminate = /type=['"]terminate['"]/.test(text) ? 'terminate ' : '';
    const creation = !/\bsid=/.test(text) ? 'create ' : '';
    const children = topLevelChildren(text);
    return `body(${creation}${restart}${terminate}${children.length ? children.join(',') : 'empty'})`.replace(' )', ')').replace('( ', '(');
  }
  return element(text);
}

function element(text: string): string {
  const name = /^\s*<([A-Za-z:]+)/.exec(text)?.[1]?.replace(/^stream:/, '') ?? '?';
  if (name !== 'iq') return name;
  const type = /\btype=['"](\w+)['"]/.exec(text)?.[1] ?? '';
  const child = /<iq\b[^>]*>\s*<([A-Za-z]+)/.exec(text)?.[1];
  return `iq ${type}${child ? ` ${child}` : ''}`;
}

/** The top-level children of a BOSH body, named as {@link element} names them. */
function topLevelChildren(text: string): string[] {
  const open = text.indexOf('>', text.indexOf('<body'));
  if (open < 0 || text[open - 1] === '/') return [];
  const inner = text.slice(open + 1, text.lastIndexOf('</body>'));
  const out: string[] = [];
  let depth = 0;
  for (const match of inner.matchAll(/<(\/?)([A-Za-z:]+)[^>]*?(\/?)>/g)) {
    const [, closing, , selfClosing] = match;
    if (closing) { depth--; continue; }
    if (depth === 0) out.push(element(inner.slice(match.index)));
    if (!selfClosing) depth++;
  }
  return out;
}

/** The steps of one run: from each event to the next. */
function stepsOf(events: readonly StepEvent[]): { name: string; side: 'client' | 'server'; ms: number }[] {
  const steps = [];
  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1] as StepEvent;
    const after = events[i] as StepEvent;
    const side = after.direction === 'in' ? 'server' as const : 'client' as const;
    const arrow = after.direction === 'in' ? '<-' : after.direction === 'out' ? '->' : '==';
    steps.push({ name: `${arrow} ${after.label}`, side, ms: after.at - before.at });
  }
  return steps;
}

/**
 * Prints the median of each step over the runs that have the most common sequence of events, and the
 * client / server totals. Returns the medians of the totals.
 */
export function printSteps(title: string, runs: readonly (readonly StepEvent[])[]): { client: number; server: number; total: number; runs: number } {
  const bySignature = new Map<string, StepEvent[][]>();
  for (const run of runs) {
    const signature = run.map((event) => `${event.direction}:${event.label}`).join('|');
    const list = bySignature.get(signature) ?? [];
    list.push([...run]);
    bySignature.set(signature, list);
  }
  const common = [...bySignature.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  if (common.length === 0) return { client: NaN, server: NaN, total: NaN, runs: 0 };
  const perRun = common.map(stepsOf);
  const first = perRun[0] ?? [];
  const summary = (values: readonly number[]) => [ms(median(values)), ms(mean(values)), ms(p90(values))];
  const rows = first.map((step, i) => [step.name, step.side, ...summary(perRun.map((steps) => steps[i]?.ms ?? NaN))]);
  const clients = perRun.map((steps) => steps.filter((s) => s.side === 'client').reduce((sum, s) => sum + s.ms, 0));
  const servers = perRun.map((steps) => steps.filter((s) => s.side === 'server').reduce((sum, s) => sum + s.ms, 0));
  const totals = perRun.map((steps) => steps.reduce((sum, s) => sum + s.ms, 0));
  rows.push(['client total', '', ...summary(clients)], ['waiting total', '', ...summary(servers)], ['total', '', ...summary(totals)]);
  printTable(`${title} (${common.length} of ${runs.length} runs with the same sequence; "client": until the client sent it, working or holding it back; "server": waiting for it)`, ['step (event it ends on)', 'who', 'median ms', 'mean', 'p90'], rows, 'llrrr');
  return { client: median(clients), server: median(servers), total: median(totals), runs: common.length };
}
