/**
 * Measure 2: the friends list of the owner, whose roster holds every contact, each with a vCard.
 *
 * - ours, cold: a fresh SDK instance (so an empty roster store and no cached profile) logged in, then
 *   `getFriendsList()` timed: the roster get and every contact's vCard, with the SDK's default bounded
 *   concurrency, joined into `User`s. The SDK starts reading the roster as soon as it is logged in; the
 *   clock starts when the login resolves, so that read is inside the figure.
 * - ours, warm: `getFriendsList()` again on the same instance, several times: the roster get carries
 *   the version known, Prosody answers "unchanged", and the profiles come from the cache.
 * - peers: a fresh login, then timed: the roster get and the vCard get of each contact with
 *   `inFlight` requests in flight (the same pipelining as ours: `mapLimit` of lib/profile/concurrency.ts),
 *   each read into the profile fields. A peer fetch over the time budget stops there; its row says so
 *   and it is not run again.
 *
 * WebSocket for all, BOSH for ours and StanzaJS. Libraries take turns, one fetch each per round.
 * One more row, not a goal: ours over BOSH with the WebSocket default `profileConcurrency` (32) instead
 * of BOSH's own (128): over BOSH the answers to a window of requests come back together in one HTTP
 * response, so that a narrow window drains and refills in steps (the goal on BOSH vs WebSocket prints
 * both figures).
 */
import { performance } from 'node:perf_hooks';
import { mapLimit } from '../../lib/profile/concurrency.js';
import { BOSH_PROFILE_CONCURRENCY, PROFILE_CONCURRENCY } from '../../lib/profile/sdk.js';
import { withTimeout } from '../session/drivers.js';
import { median, ms, p90, printTable } from '../session/report.js';
import { errorText, ratio, type Context } from './context.js';
import type { Fields, TransportKind } from './drivers.js';
import { connectOurs } from './ours.js';

interface Cell {
  readonly lib: string;
  readonly transport: TransportKind;
  readonly fetch: 'cold' | 'warm';
  /** Ours: `profileConcurrency` given to `initializeSDK`, when not the default. */
  readonly concurrency: number | undefined;
  readonly samples: number[];
  note: string;
  /** Not run again (failed, or over the budget). */
  stopped: boolean;
  /** Over the budget: the figure is a lower bound. */
  over: boolean;
}

class OverBudget extends Error {}

const SAFETY_MS = 120_000;
/** The extra row: ours over BOSH with the WebSocket default `profileConcurrency` instead of BOSH's. */
const BOSH_CONCURRENCY = PROFILE_CONCURRENCY;

/** The SDK's default `profileConcurrency`, by transport. */
function defaultConcurrency(): string {
  return `${PROFILE_CONCURRENCY} over WebSocket, ${BOSH_PROFILE_CONCURRENCY} over BOSH`;
}

async function oursRound(ctx: Context, cold: Cell, warm: Cell): Promise<void> {
  const { contacts, contactJids } = ctx.accounts;
  const client = await connectOurs(ctx.server, cold.transport, ctx.accounts.owner, cold.concurrency === undefined ? {} : { profileConcurrency: cold.concurrency });
  try {
    const start = performance.now();
    const users = await withTimeout(client.friendsList(), SAFETY_MS, 'ours getFriendsList');
    cold.samples.push(performance.now() - start);
    const missing = users.filter((user) => user.nickName === '').length;
    const first = users.find((user) => user.userJid === contactJids[0]);
    if (users.length !== contacts.length || missing > 0 || first?.nickName !== 'Contact 0') {
      throw new Error(`ours: ${users.length} users, ${missing} without a profile, first: ${JSON.stringify(first)}`);
    }
    for (let i = 0; i < ctx.settings.friends.warm; i++) {
      const again = performance.now();
      const list = await withTimeout(client.friendsList(), SAFETY_MS, 'ours getFriendsList (warm)');
      warm.samples.push(performance.now() - again);
      if (list.length !== contacts.length) throw new Error(`ours warm: ${list.length} users`);
    }
  } finally {
    await client.close();
  }
}

async function peerRound(ctx: Context, cell: Cell): Promise<void> {
  const driver = ctx.drivers.find((d) => d.name === cell.lib);
  if (!driver) throw new Error('not loaded');
  const { budgetMs, inFlight } = ctx.settings.friends;
  const count = ctx.accounts.contacts.length;
  const client = await driver.connect(cell.transport, ctx.accounts.owner);
  let done = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  try {
    const jids = await withTimeout(client.roster(), budgetMs, `${cell.lib} roster`);
    if (jids.length !== count) throw new Error(`${cell.lib}: roster of ${jids.length}, not ${count}`);
    const profiles: Fields[] = await withTimeout(mapLimit(jids, inFlight, async (jid) => {
      if (performance.now() > deadline) throw new OverBudget();
      const fields = await client.vcard(jid);
      done++;
      return fields;
    }), budgetMs + SAFETY_MS, `${cell.lib} vCards`);
    cell.samples.push(performance.now() - start);
    const missing = profiles.filter((fields) => fields.nickName === '').length;
    if (missing > 0) throw new Error(`${cell.lib}: ${missing} profiles without a nickname`);
  } catch (error) {
    if (!(error instanceof OverBudget)) throw error;
    const elapsed = performance.now() - start;
    cell.samples.push(elapsed);
    cell.over = true;
    cell.stopped = true;
    cell.note = `over the ${budgetMs / 1000} s budget: ${done} of ${count} vCards in ${(elapsed / 1000).toFixed(1)} s (the figure is a lower bound); not run again`;
  } finally {
    await client.close();
  }
}

export async function measureFriends(ctx: Context): Promise<void> {
  type Plan = readonly [lib: string, transport: TransportKind, concurrency?: number];
  const cells: Cell[] = [];
  const cell = ([lib, transport, concurrency]: Plan, fetch: 'cold' | 'warm'): Cell => {
    let found = cells.find((c) => c.lib === lib && c.transport === transport && c.fetch === fetch && c.concurrency === concurrency);
    if (!found) {
      found = { lib, transport, fetch, concurrency, samples: [], note: '', stopped: false, over: false };
      cells.push(found);
    }
    return found;
  };
  const plan: Plan[] = [['ours', 'websocket'], ['ours', 'bosh']];
  for (const driver of ctx.drivers) if (driver.name !== 'ours' && !driver.unsupported('websocket')) plan.push([driver.name, 'websocket']);
  if (ctx.drivers.some((driver) => driver.name === 'StanzaJS')) plan.push(['StanzaJS', 'bosh']);
  plan.push(['ours', 'bosh', BOSH_CONCURRENCY]);
  for (const entry of plan) {
    cell(entry, 'cold');
    if (entry[0] === 'ours') cell(entry, 'warm');
  }

  for (let round = 1; round <= ctx.settings.friends.rounds; round++) {
    for (const entry of plan) {
      const [lib, transport, concurrency] = entry;
      const cold = cell(entry, 'cold');
      if (cold.stopped) continue;
      ctx.log(`friends list: round ${round} of ${ctx.settings.friends.rounds}, ${lib} over ${transport}${concurrency ? `, profileConcurrency ${concurrency}` : ''}`);
      try {
        if (lib === 'ours') await oursRound(ctx, cold, cell(entry, 'warm'));
        else await peerRound(ctx, cold);
      } catch (error) {
        cold.note = `failed after ${cold.samples.length}: ${errorText(error)}`;
        cold.stopped = true;
      }
    }
  }

  const count = ctx.accounts.contacts.length;
  const { inFlight } = ctx.settings.friends;
  const defaults = defaultConcurrency();
  const oursCold = (transport: TransportKind) => median(cell(['ours', transport], 'cold').samples);
  const rows = cells.map((c) => {
    const m = median(c.samples);
    const what = c.lib !== 'ours'
      ? `roster get + ${count} vCard gets, ${inFlight} in flight`
      : c.fetch === 'cold'
        ? `cold: fresh instance, getFriendsList(), profileConcurrency ${c.concurrency ?? `${defaults} (default)`}`
        : 'warm: getFriendsList() again';
    const note = c.note || (c.concurrency !== undefined && c.fetch === 'cold' ? 'not the default: for comparison, not a goal' : '');
    return [c.lib, c.transport, what, String(c.samples.length), `${c.over ? '> ' : ''}${ms(m)}`, ms(p90(c.samples)),
      c.fetch === 'warm' ? '' : ratio(m, oursCold(c.transport)), note];
  });
  printTable(`Friends list of ${count} contacts, each with a vCard (ms; "x ours cold": this median / our cold median with the default concurrency over the same transport)`,
    ['library', 'transport', 'fetch', 'n', 'median', 'p90', 'x ours cold', 'note'], rows, 'lllrrrrl');

  for (const transport of ['websocket', 'bosh'] as const) {
    const ours = oursCold(transport);
    const peers = cells.filter((c) => c.lib !== 'ours' && c.transport === transport && c.samples.length > 0);
    if (peers.length === 0) continue;
    const beaten = peers.every((c) => ours < median(c.samples));
    ctx.goals.add(`friends list, cold: ours faster than every peer (${transport})`,
      `ours ${ms(ours)} ms; ${peers.map((c) => `${c.lib} ${c.over ? '> ' : ''}${ms(median(c.samples))} ms (${ratio(median(c.samples), ours)})`).join(', ')}`,
      Number.isFinite(ours) ? beaten : undefined);
  }
  for (const transport of ['websocket', 'bosh'] as const) {
    const warm = cell(['ours', transport], 'warm').samples;
    ctx.goals.add(`friends list, warm: <= 50 ms (${transport})`, `${ms(median(warm))} ms (p90 ${ms(p90(warm))})`,
      Number.isFinite(median(warm)) ? median(warm) <= 50 : undefined);
  }
  const ws = oursCold('websocket');
  const bosh = oursCold('bosh');
  const narrower = median(cell(['ours', 'bosh', BOSH_CONCURRENCY], 'cold').samples);
  ctx.goals.add('friends list, cold: ours over BOSH <= 2x ours over WebSocket',
    `${ms(bosh)} ms vs ${ms(ws)} ms = ${ratio(bosh, ws)} (with profileConcurrency ${BOSH_CONCURRENCY} over BOSH: ${ms(narrower)} ms = ${ratio(narrower, ws)})`,
    Number.isFinite(ws) && Number.isFinite(bosh) ? bosh <= 2 * ws : undefined);
}
