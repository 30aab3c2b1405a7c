/**
 * Profile benchmark: the SDK's profile operations against the project's real Prosody (started here on
 * 127.0.0.1, honouring XMPP_PROFILE_PORT_OFFSET, and stopped at the end, also on failure), beside the
 * same requests made with StanzaJS, @xmpp/client and Strophe.js, in one run:
 *
 * 1. latency of `getUserProfile` and `getLastSeen` on one connection, beside a raw ping on the same
 *    connection and the peers' own requests (bench/profile/latency.ts);
 * 2. the friends list of `contacts` contacts with vCards, ours cold and warm, over WebSocket and BOSH,
 *    beside the peers fetching the same roster and vCards pipelined (bench/profile/friends.ts);
 * 3. heap per idle logged-in session, in child processes with `--expose-gc` (bench/profile/memory.ts);
 * 4. throughput of vCard gets from several sessions with requests in flight (bench/profile/throughput.ts).
 *
 * The accounts (the contacts with their vCards, the owner's roster) are made once per run by in-band
 * registration (bench/profile/setup.ts). Prints a table per measure, then the goals, met or not.
 *
 * Run: node --loader ts-node/esm --no-warnings bench/profile.ts [--quick] [--markdown FILE (the tables appended)]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { startServer, stopServer, type ProsodyHandle } from '../scripts/servers.mjs';
import { appendMarkdown, printTable } from './session/report.js';
import { errorText, Goals, settingsFor, type Context } from './profile/context.js';
import { loadDrivers, type Server } from './profile/drivers.js';
import { measureFriends } from './profile/friends.js';
import { measureLatency } from './profile/latency.js';
import { measureHeap } from './profile/memory.js';
import { createAccounts, SETUP_STREAMS } from './profile/setup.js';
import { measureThroughput } from './profile/throughput.js';

const settings = settingsFor(process.argv.includes('--quick'));
const START_ATTEMPTS = 6;
const START_RETRY_MS = 60_000;

const log = (line: string): void => { process.stderr.write(`[bench] ${line}\n`); };

// A peer's stray rejection must not end the run (and leave the tables unprinted): it is noted.
const strays: string[] = [];
process.on('unhandledRejection', (reason) => { strays.push(errorText(reason)); });

/** Starts Prosody; waits and retries while another run holds the test ports. */
async function startProsody(): Promise<ProsodyHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer('prosody');
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !/already in use/.test(errorText(error))) throw error;
      log(`${errorText(error)}: (another run uses the test ports) retrying in ${START_RETRY_MS / 1000} s, attempt ${attempt + 1} of ${START_ATTEMPTS}`);
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
    }
  }
}

/** Prints a line, and appends it to the Markdown file when there is one. */
function say(line: string): void {
  process.stdout.write(`\n${line}\n`);
  appendMarkdown(`\n${line}\n`);
}

async function main(): Promise<void> {
  const benchStart = performance.now();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' '); // others' test runs share this machine
  // Keeps the event loop alive: a library that drops a promise then shows as a timeout, not an exit.
  const keepAlive = setInterval(() => undefined, 1000);
  const handle = await startProsody();
  let failure: unknown;
  try {
    say(`Profile benchmark${settings.quick ? ' (--quick)' : ''}: Prosody on ${handle.websocketUrl} and ${handle.boshUrl}, ${settings.contacts} contacts`);
    log(`set-up: registering ${settings.contacts} contacts with vCards, and the owner's roster`);
    const setupStart = performance.now();
    const accounts = await createAccounts(handle.websocketUrl, handle.domain, settings.contacts, log);
    const setupMs = performance.now() - setupStart;
    const t = accounts.timings;
    printTable('Set-up (once per run)', ['step', 'how', 's'], [
      [`${settings.contacts} contacts, each with a vCard`, `in-band registration (XEP-0077) and login on one stream, vCard set; ${SETUP_STREAMS} streams at a time`, (t.contacts / 1000).toFixed(1)],
      [`the owner's roster of ${settings.contacts}`, 'one roster set per contact (RFC 6121 §2.3), all sent at once on one stream', (t.roster / 1000).toFixed(1)],
      ['a subscription', 'the first contact approves the owner (Prosody answers Last Activity to subscribers only)', (t.subscription / 1000).toFixed(1)],
      ['total', '', (setupMs / 1000).toFixed(1)],
    ], 'llr');

    const server: Server = { websocketUrl: handle.websocketUrl, boshUrl: handle.boshUrl, domain: handle.domain, password: accounts.password };
    const { drivers, failures } = await loadDrivers(server);
    const ctx: Context = { settings, server, accounts, drivers, failures, goals: new Goals(), log };

    for (const [name, measure] of [['latency', measureLatency], ['friends list', measureFriends], ['throughput', measureThroughput], ['heap', measureHeap]] as const) {
      const start = performance.now();
      await measure(ctx);
      log(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }

    printTable('Goals', ['goal', 'measured', 'status'], ctx.goals.rows(), 'lll');
    if (strays.length > 0) say(`Stray rejections from the libraries during the run (ignored): ${[...new Set(strays)].slice(0, 5).join(' | ')}`);
    say(`Platform: Node ${process.version}, ${process.platform} ${process.arch}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after; bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
  } catch (error) {
    failure = error;
  } finally {
    clearInterval(keepAlive);
    await stopServer(handle);
  }
  if (failure !== undefined) throw failure;
}

try {
  await main();
  process.exit(0); // a peer may leave a timer or socket behind; the server is already stopped
} catch (error) {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
}
