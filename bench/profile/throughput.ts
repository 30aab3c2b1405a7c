/**
 * Measure 4: throughput of vCard gets. Per library, `sessions` logged-in sessions (each its own user)
 * in one process, each with `inFlight` requests in flight (a new one sent as soon as one is answered),
 * asking for the contacts' vCards in turn; after a warm-up, the answers that arrive within a fixed
 * window are counted. Ours: `getUserProfile(jid)`; peers: their vCard get, read into the same fields.
 * WebSocket. Libraries take turns in rounds; the median round counts.
 */
import { performance } from 'node:perf_hooks';
import { mapLimit } from '../../lib/profile/concurrency.js';
import { printTable } from '../session/report.js';
import { errorText, ratio, sleep, type Context } from './context.js';
import type { Client } from './drivers.js';

interface Outcome {
  readonly lib: string;
  readonly count: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly note: string;
}

async function run(ctx: Context, lib: string): Promise<Outcome> {
  const driver = ctx.drivers.find((d) => d.name === lib);
  const { sessions, inFlight, warmupMs, windowMs } = ctx.settings.throughput;
  const { contacts, contactJids } = ctx.accounts;
  const users = contacts.slice(contacts.length - sessions);
  const clients: Client[] = [];
  try {
    if (!driver) throw new Error('not loaded');
    await mapLimit(users, 4, async (user) => { clients.push(await driver.connect('websocket', user)); });
    await sleep(300); // ours: the background roster and block-list reads after login
    let next = 0;
    let count = 0;
    let errors = 0;
    let firstError = '';
    const start = performance.now();
    const from = start + warmupMs;
    const until = from + windowMs;
    const worker = async (client: Client): Promise<void> => {
      while (performance.now() < until) {
        const jid = contactJids[next++ % contactJids.length] as string;
        try {
          await client.vcard(jid);
          const now = performance.now();
          if (now >= from && now < until) count++;
        } catch (error) {
          errors++;
          firstError ||= errorText(error);
          await sleep(10);
        }
      }
    };
    await Promise.all(clients.flatMap((client) => Array.from({ length: inFlight }, () => worker(client))));
    return { lib, count, perSecond: count / (windowMs / 1000), errors, note: firstError ? `first error: ${firstError}` : '' };
  } catch (error) {
    return { lib, count: 0, perSecond: Number.NaN, errors: 0, note: `failed: ${errorText(error)}` };
  } finally {
    await Promise.race([Promise.all(clients.map((client) => client.close())), sleep(15_000)]);
  }
}

export async function measureThroughput(ctx: Context): Promise<void> {
  const { sessions, inFlight, warmupMs, windowMs, rounds } = ctx.settings.throughput;
  // Libraries take turns in rounds, so that drift in the machine's load (and the server's caches
  // warming up) hits all alike; each library's figure is the median of its rounds.
  const byLib = new Map<string, Outcome[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const driver of ctx.drivers) {
      ctx.log(`throughput: round ${round} of ${rounds}, ${driver.name}`);
      const outcome = await run(ctx, driver.name);
      byLib.set(driver.name, [...(byLib.get(driver.name) ?? []), outcome]);
    }
  }
  const outcomes: Outcome[] = [...byLib.values()].map((runs) => medianOutcome(runs));
  for (const [name, why] of ctx.failures) outcomes.push({ lib: name, count: 0, perSecond: Number.NaN, errors: 0, note: why });
  const ours = outcomes.find((outcome) => outcome.lib === 'ours')?.perSecond ?? Number.NaN;
  printTable(`Throughput: vCard gets from ${sessions} sessions x ${inFlight} in flight over WebSocket, answers counted in ${windowMs / 1000} s after ${warmupMs / 1000} s of warm-up, median of ${rounds} rounds taken in turns ("x ours": this rate / ours)`,
    ['library', 'answers (median round)', 'per second', 'x ours', 'errors', 'note'],
    outcomes.map((o) => [o.lib, String(o.count), Number.isFinite(o.perSecond) ? o.perSecond.toFixed(0) : '-', ratio(o.perSecond, ours), String(o.errors), o.note]), 'lrrrrl');
  const peers = outcomes.filter((o) => o.lib !== 'ours' && Number.isFinite(o.perSecond));
  ctx.goals.add('throughput: ours above every peer',
    `ours ${ours.toFixed(0)}/s; ${peers.map((o) => `${o.lib} ${o.perSecond.toFixed(0)}/s (ours ${ratio(ours, o.perSecond)})`).join(', ')}`,
    Number.isFinite(ours) && peers.length > 0 ? peers.every((o) => ours > o.perSecond) : undefined);
}

/** The round with the median rate (its count and errors), with every round's rate in the note. */
function medianOutcome(runs: readonly Outcome[]): Outcome {
  const sorted = [...runs].sort((a, b) => (a.perSecond || 0) - (b.perSecond || 0));
  const middle = sorted[sorted.length >> 1] as Outcome;
  const rates = runs.map((o) => (Number.isFinite(o.perSecond) ? o.perSecond.toFixed(0) : '-')).join(', ');
  return { ...middle, note: [middle.note, runs.length > 1 ? `rounds: ${rates}/s` : ''].filter(Boolean).join('; ') };
}
