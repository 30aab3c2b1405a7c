// `npm run soak -- --minutes M --sessions N`: N SDK sessions (default 200) against a local Prosody,
// each doing random profile operations (getUserProfile, setUserProfile, getFriendsList, getLastSeen,
// blockUser, unblockUser, getUsersIBlocked, addFriend) for M minutes (default 10), while the server is
// restarted every 60 s (--restart-every S). Plain JavaScript over the built library (dist/); not part
// of `npm test`.
//
// It reports the operations done, the answers by method and status code, the reconnects (the
// connectionListener statuses), how long the sessions took to be back after each restart, and the
// memory (heapUsed and rss after a forced GC) once the sessions are set up and at the end. It fails
// (exit 1) when the heap grew by more than 20% + 10 MB over the run, when an answer has a status code
// outside the README's table of status codes (or is an 'Internal error', an untyped failure), when a
// method other than connect rejects, or when the sessions are not all back online within 60 s of a
// restart and at the end.
//
// The server's ports are shifted by XMPP_PROFILE_PORT_OFFSET (default here 800), so the soak runs
// beside a test run or the demo.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The heap is measured after a forced GC: without --expose-gc, run again with it.
if (typeof globalThis.gc !== 'function') {
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

process.env.XMPP_PROFILE_PORT_OFFSET ??= '800';

const { startServer, restartServer, stopAllServers } = await import('./servers.mjs');
const { createSDK } = await import('../dist/node.js');

// ---------------------------------------------------------------------------------------------------
// Options

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`--${name} needs a positive number\n`);
    process.exit(2);
  }
  return value;
}

const MINUTES = option('minutes', 10);
const SESSIONS = Math.round(option('sessions', 200));
const RESTART_EVERY_S = option('restart-every', 60);
/** Each session waits 0..THINK_MS between two operations. */
const THINK_MS = 1000;
/** Friends are made among the NEIGHBOURS sessions on either side, so rosters stay small. */
const NEIGHBOURS = 4;
/** The heap may grow by this fraction of its size after setup, plus HEAP_SLACK bytes. */
const HEAP_GROWTH = 0.2;
const HEAP_SLACK = 10 * 1024 * 1024;
/** How long the sessions may take to be back after a restart before the soak fails. */
const BACK_WITHIN_MS = 60_000;

/** The status codes of the README's "Status codes" table: any other fails the soak. */
const STATUS_CODES = [200, 400, 401, 403, 404, 408, 409, 500, 501];

/**
 * The codes the README's "Methods" table lists for each method, besides 200, 408 (no answer in time)
 * and 500 ('Connection Error', e.g. during a restart), which every method that talks to the server
 * may answer. Others (from the general mapping of stanza errors) are reported as notes.
 */
const METHOD_ROWS = {
  getUserProfile: [400, 404],
  setUserProfile: [400, 501],
  getFriendsList: [],
  getLastSeen: [400, 403],
  blockUser: [400, 501],
  unblockUser: [400, 501],
  getUsersIBlocked: [],
  addFriend: [400],
};
const EVERY_METHOD = [200, 408, 500];

// ---------------------------------------------------------------------------------------------------
// Output

const out = (text) => process.stdout.write(`${text}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const started = Date.now();
const elapsed = () => seconds(Date.now() - started);

function memory() {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

// ---------------------------------------------------------------------------------------------------
// Accounting

/** answers[method][status] = count */
const answers = {};
/** A few messages of each non-200 status, per method. */
const samples = {};
/** What was not documented: method, status, message. */
const undocumented = [];
/** Documented codes that the method's row of the README does not list: `method code` -> a message. */
const offRow = new Map();
/** Calls that rejected (only connect may). */
const rejected = [];
/** connectionListener statuses, counted. */
const statuses = {};
let operations = 0;
let relogins = 0;

function record(method, answer) {
  operations++;
  const code = answer?.statusCode;
  answers[method] ??= {};
  answers[method][code] = (answers[method][code] ?? 0) + 1;
  if (code !== 200) {
    const seen = ((samples[method] ??= {})[code] ??= new Set());
    if (seen.size < 3) seen.add(String(answer?.message).slice(0, 140));
  }
  if (!EVERY_METHOD.includes(code) && !METHOD_ROWS[method].includes(code) && !offRow.has(`${method} ${code}`)) {
    offRow.set(`${method} ${code}`, String(answer?.message).slice(0, 140));
  }
  if (!STATUS_CODES.includes(code) || String(answer?.message).startsWith('Internal error')) {
    if (undocumented.length < 50) undocumented.push({ method, code, message: answer?.message });
    else undocumented.length++; // counted, not kept
  }
}

// ---------------------------------------------------------------------------------------------------
// Sessions

/** One SDK session of the soak. */
class Soaker {
  constructor(index, server) {
    this.index = index;
    this.server = server;
    this.sdk = createSDK();
    this.online = false;
    this.username = '';
    this.password = '';
    this.jid = '';
  }

  async setUp(run) {
    const answer = await this.sdk.initializeSDK({
      service: this.server.websocketUrl,
      domain: this.server.domain,
      requestTimeoutMs: 10_000,
      callbackListeners: {
        connectionListener: (event) => {
          statuses[event.status] = (statuses[event.status] ?? 0) + 1;
          this.online = event.status === 'CONNECTED';
        },
      },
    });
    if (answer.statusCode !== 200) throw new Error(`initializeSDK: ${answer.message}`);
    const registered = await this.sdk.register(`soak_${run}_${this.index}`, true);
    if (registered.statusCode !== 200) throw new Error(`register #${this.index}: ${registered.statusCode} ${registered.message}`);
    ({ username: this.username, password: this.password, userJid: this.jid } = registered.data);
  }

  /** Logs in again after the SDK gave up reconnecting (CONNECTIONFAILED). */
  async relogin() {
    try {
      await this.sdk.connect(this.username, this.password);
      relogins++;
    } catch {
      await sleep(1000); // the server is still down: the next round tries again
    }
  }

  async run(peers, until) {
    while (Date.now() < until) {
      await sleep(Math.random() * THINK_MS);
      if (Date.now() >= until) break;
      // The SDK gave up reconnecting (CONNECTIONFAILED): it holds no connection, and answers 500 here.
      if (this.sdk.getCurrentUserJid().statusCode === 500) await this.relogin();
      const method = pick(Object.keys(METHOD_ROWS));
      try {
        record(method, await this.call(method, peers));
      } catch (error) {
        rejected.push({ method, error: String(error?.stack ?? error).slice(0, 300) });
      }
    }
  }

  call(method, peers) {
    const near = () => peers[(this.index + 1 + Math.floor(Math.random() * NEIGHBOURS * 2)) % peers.length];
    const anyone = () => pick(peers);
    const sdk = this.sdk;
    switch (method) {
      case 'getUserProfile': return sdk.getUserProfile(anyone());
      case 'setUserProfile': return sdk.setUserProfile(`Soak ${this.index} ${Math.random().toString(36).slice(2, 8)}`, undefined,
        pick(['', 'Available', 'Busy', 'Soaking 🛁', `<status> & "quotes" ${Date.now()}`]), pick(['', '+1 555 0100', '+44 20 7946 0000']),
        pick(['', `soak${this.index}@example.com`]));
      case 'getFriendsList': return sdk.getFriendsList();
      case 'getLastSeen': return sdk.getLastSeen(Math.random() < 0.5 ? near() : anyone());
      case 'blockUser': return sdk.blockUser(near());
      case 'unblockUser': return sdk.unblockUser(near());
      case 'getUsersIBlocked': return sdk.getUsersIBlocked();
      case 'addFriend': return sdk.addFriend(near(), `Friend ${Math.random().toString(36).slice(2, 6)}`);
      default: throw new Error(`unknown method ${method}`);
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (items) => items[Math.floor(Math.random() * items.length)];

/** Runs `task` over `items`, `limit` at a time. */
async function eachLimit(items, limit, task) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  }));
}

// ---------------------------------------------------------------------------------------------------
// The run

let server;
const soakers = [];
const stop = async () => {
  await Promise.allSettled(soakers.map((soaker) => soaker.sdk.logout()));
  await stopAllServers();
};
process.on('SIGINT', () => {
  void stop().finally(() => process.exit(130));
});

const restarts = [];
const failures = [];
/** heapUsed after a forced GC at each progress line (every 30 s). */
const heapTrend = [];

try {
  out(`soak: ${SESSIONS} sessions, ${MINUTES} min, a server restart every ${RESTART_EVERY_S} s (Node ${process.version}, ${process.platform})`);
  server = await startServer('prosody', { log: (line) => out(`  ${line}`) });
  const run = Date.now().toString(36).slice(-5);
  const setUpStart = Date.now();
  for (let index = 0; index < SESSIONS; index++) soakers.push(new Soaker(index, server));
  await eachLimit(soakers, 20, (soaker) => soaker.setUp(run));
  const peers = soakers.map((soaker) => soaker.jid);
  out(`  ${SESSIONS} sessions registered and logged in in ${seconds(Date.now() - setUpStart)}`);
  const before = memory();
  out(`  memory after setup: heapUsed ${mb(before.heapUsed)}, rss ${mb(before.rss)}`);

  const until = Date.now() + MINUTES * 60_000;
  const workers = soakers.map((soaker) => soaker.run(peers, until));

  // Restarts, and a progress line every 30 s.
  let lastProgress = Date.now();
  let nextRestart = Date.now() + RESTART_EVERY_S * 1000;
  while (Date.now() < until) {
    await sleep(250);
    if (Date.now() - lastProgress >= 30_000) {
      lastProgress = Date.now();
      const online = soakers.filter((soaker) => soaker.online).length;
      const now = memory();
      heapTrend.push(now.heapUsed);
      out(`  [${elapsed()}] ${operations} operations, ${online}/${SESSIONS} online, statuses ${JSON.stringify(statuses)}, heap after GC ${mb(now.heapUsed)}`);
    }
    if (Date.now() >= nextRestart && Date.now() + 10_000 < until) {
      const begun = Date.now();
      await restartServer(server, { log: () => undefined });
      const up = Date.now();
      // Back: every session connected again (or, having given up, logged in again by its worker).
      const deadline = up + BACK_WITHIN_MS;
      while (soakers.some((soaker) => !soaker.online) && Date.now() < deadline) await sleep(50);
      const back = soakers.filter((soaker) => soaker.online).length;
      restarts.push({ downMs: up - begun, backMs: Date.now() - up, back });
      out(`  [${elapsed()}] restart #${restarts.length}: server down ${seconds(up - begun)}; ${back}/${SESSIONS} sessions back ${seconds(Date.now() - up)} after it was up`);
      if (back < SESSIONS) failures.push(`restart #${restarts.length}: only ${back}/${SESSIONS} sessions back within ${seconds(BACK_WITHIN_MS)}`);
      nextRestart = begun + RESTART_EVERY_S * 1000;
    }
  }
  await Promise.all(workers);
  const deadline = Date.now() + BACK_WITHIN_MS;
  while (soakers.some((soaker) => !soaker.online) && Date.now() < deadline) await sleep(50);
  const onlineAtEnd = soakers.filter((soaker) => soaker.online).length;
  const after = memory();

  // Report
  const growth = after.heapUsed - before.heapUsed;
  const bound = before.heapUsed * HEAP_GROWTH + HEAP_SLACK;
  const totalMs = MINUTES * 60_000;
  out('\nresults');
  out(`  operations: ${operations} in ${seconds(totalMs)} (${(operations / (totalMs / 1000)).toFixed(1)}/s), ${relogins} logins after CONNECTIONFAILED`);
  for (const [method, codes] of Object.entries(answers).sort()) {
    out(`  ${method.padEnd(17)} ${Object.entries(codes).map(([code, count]) => `${code}: ${count}`).join(', ')}`);
    for (const [code, messages] of Object.entries(samples[method] ?? {})) out(`      ${code} e.g. ${[...messages].map((m) => JSON.stringify(m)).join(' | ')}`);
  }
  for (const [key, message] of offRow) out(`  note: ${key} is not in that method's row of the README (e.g. ${JSON.stringify(message)})`);
  out(`  connectionListener: ${JSON.stringify(statuses)}`);
  if (restarts.length > 0) {
    const backs = restarts.map((restart) => restart.backMs).sort((a, b) => a - b);
    const downs = restarts.map((restart) => restart.downMs);
    out(`  restarts: ${restarts.length}; server down ${seconds(Math.min(...downs))}..${seconds(Math.max(...downs))}; all sessions back after ` +
      `median ${seconds(backs[Math.floor(backs.length / 2)])}, max ${seconds(backs.at(-1))}`);
  }
  out(`  online at the end: ${onlineAtEnd}/${SESSIONS}`);
  if (heapTrend.length > 0) out(`  heapUsed every 30 s: ${heapTrend.map((bytes) => (bytes / 1024 / 1024).toFixed(1)).join(', ')} MB`);
  out(`  memory: heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (${growth >= 0 ? '+' : ''}${mb(growth)}; bound +${mb(bound)}), rss ${mb(before.rss)} -> ${mb(after.rss)}`);

  if (growth > bound) failures.push(`the heap grew by ${mb(growth)}, over the bound of ${mb(bound)} (20% + 10 MB)`);
  if (undocumented.length > 0) failures.push(`${undocumented.length} answers with an undocumented status: ${JSON.stringify(undocumented.slice(0, 5))}`);
  if (rejected.length > 0) failures.push(`${rejected.length} calls rejected: ${JSON.stringify(rejected.slice(0, 3))}`);
  if (onlineAtEnd < SESSIONS) failures.push(`${SESSIONS - onlineAtEnd} sessions not online at the end`);
  if (operations === 0) failures.push('no operation was done');
  await stop();
  const logout = memory();
  out(`  memory after logout of every session: heapUsed ${mb(logout.heapUsed)}, rss ${mb(logout.rss)}`);
} catch (error) {
  failures.push(`the soak failed: ${error?.stack ?? error}`);
  await stop();
}

if (failures.length > 0) {
  out(`\nFAILED\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
  process.exitCode = 1;
} else {
  out('\nPASSED');
}
