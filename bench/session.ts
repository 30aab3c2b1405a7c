/**
 * Session benchmark: login time, IQ round trip (XEP-0199 ping) and login with a warm vs a cold SCRAM
 * key cache, over WebSocket (RFC 7395) and BOSH (XEP-0206), for this library and its peers StanzaJS,
 * Strophe.js and @xmpp/client, in the same run against the same local Prosody (the project's real test
 * server, started here on 127.0.0.1 and stopped at the end, also on failure).
 *
 * - login: from creating the client to the library reporting the session ready (stream, SASL
 *   SCRAM-SHA-1 with Prosody's iteration count, restart, bind, and whatever the library does before it
 *   says ready, e.g. stream management); closed between runs (the close is not timed). A new client
 *   each time, so each login is a full one: PBKDF2 runs (a cold SCRAM key cache).
 * - login, warm SCRAM cache: the same, with the SCRAM keys of an earlier login (ours: the `scramCache`
 *   option shared by the sessions; the peers: their own documented way), so PBKDF2 is skipped.
 * - ping: many XEP-0199 pings to the server, one after the other, on one logged-in session.
 *
 * Ours runs BOSH over the fetch a Node app gets by default (lib/transport/node-fetch.ts); the row
 * `ours, global fetch` is the same over Node's own `fetch`. A floor is measured too: the same ping with
 * minimal raw clients (a bare `ws` socket; hand-written HTTP/1.1 over node:net, a request held the way
 * our transport holds one), i.e. what the server and the kernel cost with (almost) no client at all.
 * Our reconnect (cut, new connection, SASL with the cached keys, resumed) is timed against our login.
 *
 * Libraries take turns in rounds (so drift in machine load hits all alike); each case runs up to its
 * target count, or less when it uses up its time budget (the n column says how many were timed).
 * Prints median and p90 per library x transport x measure, the ratio to ours, the goals, and where
 * our login spends its time (each negotiation step, timed at the transport's edge).
 *
 * Run: node --loader ts-node/esm --no-warnings bench/session.ts [--quick] [--markdown FILE (the tables appended)]
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { registerUser, startServer, stopServer, type ProsodyHandle } from '../scripts/servers.mjs';
import { createScramKeyCache } from '../lib/transport/scram.js';
import { ours, stanzaJs, stropheJs, xmppJs, withTimeout, type CacheMode, type Connection, type Driver, type Target, type TransportKind } from './session/drivers.js';
import { rawPingFloors } from './session/floor.js';
import { appendMarkdown, median, ms, p90, printTable } from './session/report.js';
import { timeOurReconnects } from './session/reconnect.js';
import { labelOf, printSteps, type StepEvent } from './session/steps.js';

const quick = process.argv.includes('--quick');
const LOGINS = quick ? 10 : 30;
const PINGS = quick ? 100 : 300;
const MIN_LOGINS = quick ? 5 : 10;
const MIN_PINGS = quick ? 20 : 40;
/** Time budget of one library x transport x measure, logins with their closes, in ms. */
const LOGIN_BUDGET_MS = quick ? 2500 : 6000;
const PING_BUDGET_MS = quick ? 1500 : 4000;
const LOGINS_PER_ROUND = 5;
const PINGS_PER_ROUND = 50;
const STEP_RUNS = quick ? 6 : 15;
const USERNAME = 'bench';
const PASSWORD = 'bench-Passw0rd';
const TRANSPORTS: readonly TransportKind[] = ['websocket', 'bosh'];
const START_ATTEMPTS = 6;
const START_RETRY_MS = 60_000;

type Measure = 'login' | 'login-warm' | 'ping';
const MEASURES: readonly Measure[] = ['login', 'login-warm', 'ping'];
const MEASURE_NAME: Record<Measure, string> = { login: 'login (full)', 'login-warm': 'login, warm SCRAM cache', ping: 'ping round trip' };

/** Figures measured elsewhere, printed beside ours for comparison only (never used as results). */
const REFERENCE: Record<string, Partial<Record<`${TransportKind} ${Measure}`, string>>> = {
  StanzaJS: { 'websocket login': '48 ms', 'bosh login': '87 ms', 'websocket ping': '0.645 ms', 'bosh ping': '37 ms' },
  'Strophe.js': { 'websocket login': '10.5 ms', 'bosh login': '520 ms', 'websocket ping': '0.432 ms', 'bosh ping': '102 ms' },
  '@xmpp/client': { 'websocket login': '1410 ms', 'websocket ping': '0.486 ms' },
};

interface Cell {
  readonly samples: number[];
  /** Why there are no samples (unsupported, failed), or a remark. */
  note: string;
}

const cells = new Map<string, Cell>();
const cellKey = (lib: string, transport: TransportKind, measure: Measure) => `${lib} ${transport} ${measure}`;
function cell(lib: string, transport: TransportKind, measure: Measure): Cell {
  const key = cellKey(lib, transport, measure);
  let found = cells.get(key);
  if (!found) {
    found = { samples: [], note: '' };
    cells.set(key, found);
  }
  return found;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 160);

// A peer's stray rejection must not end the run (and leave the table unprinted): it is noted.
const strays: string[] = [];
process.on('unhandledRejection', (reason) => { strays.push(errorText(reason)); });

// ---------------------------------------------------------------------------------------------------
// The server

async function startProsody(): Promise<ProsodyHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer('prosody');
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !/already in use/.test(errorText(error))) throw error;
      process.stderr.write(`[bench] ${errorText(error)}\n[bench] (another run uses the test ports) retrying in ${START_RETRY_MS / 1000} s, attempt ${attempt + 1} of ${START_ATTEMPTS}\n`);
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Checks: one observed login per library and transport

interface Checked {
  readonly mechanism: string;
  readonly iterations: string;
}

function decodeChallenge(raw: string): string | undefined {
  const match = /<challenge[^>]*>([A-Za-z0-9+/=]+)<\/challenge>/.exec(raw);
  return match ? Buffer.from(match[1] as string, 'base64').toString('latin1') : undefined;
}

/** Logs in once watching the raw traffic: which mechanism, which iteration count; pings once. */
async function check(driver: Driver, transport: TransportKind): Promise<Checked> {
  const raws: string[] = [];
  let mechanism = '?';
  let iterations = '?';
  const connection = await withTimeout(driver.login(transport, 'cold', {
    raw: (direction, text) => {
      raws.push(text);
      if (direction === 'out') mechanism = /<auth\b[^>]*mechanism=['"]([^'"]+)['"]/.exec(text)?.[1] ?? mechanism;
      else {
        const first = decodeChallenge(text);
        if (first !== undefined && iterations === '?') iterations = /(?:^|,)i=(\d+)/.exec(first)?.[1] ?? '?';
      }
    },
  }), 15_000, `${driver.name} login`);
  try {
    await withTimeout(connection.ping(), 10_000, `${driver.name} ping`);
  } finally {
    await withTimeout(connection.close(), 10_000, `${driver.name} close`);
  }
  return { mechanism, iterations };
}

// ---------------------------------------------------------------------------------------------------
// Measures

interface Runner {
  readonly driver: Driver;
  readonly cell: Cell;
  spent: number;
  done: boolean;
}

async function timeLogin(driver: Driver, transport: TransportKind, mode: CacheMode): Promise<{ loginMs: number; totalMs: number }> {
  const start = performance.now();
  const connection: Connection = await withTimeout(driver.login(transport, mode), 15_000, `${driver.name} login`);
  const loginMs = performance.now() - start;
  await withTimeout(connection.close(), 10_000, `${driver.name} close`);
  return { loginMs, totalMs: performance.now() - start };
}

async function measureLogins(drivers: readonly Driver[], transport: TransportKind, measure: 'login' | 'login-warm'): Promise<void> {
  const mode: CacheMode = measure === 'login' ? 'cold' : 'warm';
  const runners: Runner[] = drivers.map((driver) => ({ driver, cell: cell(driver.name, transport, measure), spent: 0, done: false }));
  for (const runner of runners) {
    try {
      for (let i = 0; i < 2; i++) await timeLogin(runner.driver, transport, mode); // warm-up (JIT, and the warm cache filled)
    } catch (error) {
      runner.cell.note = `failed: ${errorText(error)}`;
      runner.done = true;
    }
  }
  while (runners.some((runner) => !runner.done)) {
    for (const runner of runners) {
      if (process.env.BENCH_DEBUG) process.stderr.write(`[bench]   ${runner.driver.name} ${transport} ${measure}: ${runner.cell.samples.length} so far\n`);
      for (let i = 0; i < LOGINS_PER_ROUND && !runner.done; i++) {
        try {
          const { loginMs, totalMs } = await timeLogin(runner.driver, transport, mode);
          runner.cell.samples.push(loginMs);
          runner.spent += totalMs;
        } catch (error) {
          runner.cell.note = `failed after ${runner.cell.samples.length}: ${errorText(error)}`;
          runner.done = true;
          break;
        }
        const n = runner.cell.samples.length;
        runner.done = n >= LOGINS || (runner.spent >= LOGIN_BUDGET_MS && n >= MIN_LOGINS);
      }
    }
  }
}

async function measurePings(drivers: readonly Driver[], transport: TransportKind): Promise<void> {
  const runners: (Runner & { connection?: Connection })[] = [];
  for (const driver of drivers) {
    const runner: Runner & { connection?: Connection } = { driver, cell: cell(driver.name, transport, 'ping'), spent: 0, done: false };
    runners.push(runner);
    try {
      const connection = await withTimeout(driver.login(transport, 'cold'), 15_000, `${driver.name} login`);
      runner.connection = connection;
      for (let i = 0; i < 20; i++) await withTimeout(connection.ping(), 10_000, `${driver.name} ping`); // warm-up
    } catch (error) {
      runner.cell.note = `failed: ${errorText(error)}`;
      runner.done = true;
    }
  }
  while (runners.some((runner) => !runner.done)) {
    for (const runner of runners) {
      const connection = runner.connection;
      if (!connection) continue;
      for (let i = 0; i < PINGS_PER_ROUND && !runner.done; i++) {
        const start = performance.now();
        try {
          await withTimeout(connection.ping(), 10_000, `${runner.driver.name} ping`);
        } catch (error) {
          runner.cell.note = `failed after ${runner.cell.samples.length}: ${errorText(error)}`;
          runner.done = true;
          break;
        }
        const elapsed = performance.now() - start;
        runner.cell.samples.push(elapsed);
        runner.spent += elapsed;
        const n = runner.cell.samples.length;
        runner.done = n >= PINGS || (runner.spent >= PING_BUDGET_MS && n >= MIN_PINGS);
      }
    }
  }
  for (const runner of runners) {
    if (runner.connection) await withTimeout(runner.connection.close(), 10_000, `${runner.driver.name} close`).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------
// Where our login spends its time

async function ourSteps(driver: ReturnType<typeof ours>, transport: TransportKind, mode: CacheMode): Promise<{ client: number; server: number; total: number }> {
  const runs: StepEvent[][] = [];
  const warmCache = createScramKeyCache();
  if (mode === 'warm') await (await driver.loginWith(transport, warmCache)).close();
  for (let run = 0; run < STEP_RUNS; run++) {
    const events: StepEvent[] = [{ at: performance.now(), direction: 'out', label: 'login() called' }];
    let recording = true;
    const connection = await driver.loginWith(transport, mode === 'warm' ? warmCache : createScramKeyCache(), {
      raw: (direction, text) => { if (recording) events.push({ at: performance.now(), direction, label: labelOf(text) }); },
    });
    events.push({ at: performance.now(), direction: 'end', label: 'login() resolved' });
    recording = false;
    await withTimeout(connection.close(), 10_000, 'ours close');
    runs.push(events);
  }
  return printSteps(`Our login over ${transport}, ${mode === 'warm' ? 'warm' : 'cold'} SCRAM cache: where the time goes`, runs);
}

/** The same for pings on one session: every frame or body between `iq()` and its answer. */
async function ourPingSteps(driver: ReturnType<typeof ours>, transport: TransportKind): Promise<void> {
  let events: StepEvent[] | undefined;
  const connection = await driver.loginWith(transport, createScramKeyCache(), {
    raw: (direction, text) => events?.push({ at: performance.now(), direction, label: labelOf(text) }),
  });
  const runs: StepEvent[][] = [];
  try {
    for (let i = 0; i < 20; i++) await connection.ping();
    for (let i = 0; i < STEP_RUNS * 2; i++) {
      const run: StepEvent[] = [{ at: performance.now(), direction: 'out', label: 'iq() called' }];
      events = run;
      await connection.ping();
      run.push({ at: performance.now(), direction: 'end', label: 'iq() resolved' });
      events = undefined;
      runs.push(run);
    }
  } finally {
    await withTimeout(connection.close(), 10_000, 'ours close');
  }
  printSteps(`Our ping over ${transport}: where the time goes`, runs);
}

/** What PBKDF2 at the server's iteration count costs here, the way scram.ts computes it (WebCrypto), and with node:crypto. */
async function pbkdf2Costs(iterations: number): Promise<{ webcrypto: number; node: number }> {
  const password = new TextEncoder().encode(PASSWORD);
  const salt = randomBytes(16);
  const web: number[] = [];
  const sync: number[] = [];
  for (let i = 0; i < 15; i++) {
    let start = performance.now();
    const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt, iterations }, key, 160);
    web.push(performance.now() - start);
    start = performance.now();
    pbkdf2Sync(password, salt, iterations, 20, 'sha1');
    sync.push(performance.now() - start);
  }
  return { webcrypto: median(web.slice(3)), node: median(sync.slice(3)) };
}

// ---------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<void> {
  const benchStart = performance.now();
  const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' '); // others' test runs share this machine
  // Keeps the event loop alive: a library that drops a promise then shows as a timeout, not an exit.
  const keepAlive = setInterval(() => undefined, 1000);
  const handle = await startProsody();
  let failure: unknown;
  try {
    await registerUser(handle, USERNAME, PASSWORD);
    const target: Target = { websocketUrl: handle.websocketUrl, boshUrl: handle.boshUrl, domain: handle.domain, username: USERNAME, password: PASSWORD };
    const our = ours(target);
    const drivers: Driver[] = [our, ours(target, 'global')];
    const loadFailures: [string, string][] = [];
    for (const [name, load] of [['StanzaJS', stanzaJs], ['Strophe.js', stropheJs], ['@xmpp/client', xmppJs]] as const) {
      try {
        drivers.push(await load(target));
      } catch (error) {
        loadFailures.push([name, `cannot load: ${errorText(error)}`]);
      }
    }

    // Which library can run on which transport here, and what it negotiates.
    const checks: string[][] = [];
    const usable = new Map<TransportKind, Driver[]>();
    let serverIterations = '?';
    for (const transport of TRANSPORTS) {
      const list: Driver[] = [];
      for (const driver of drivers) {
        const unsupported = driver.unsupported(transport);
        if (unsupported) {
          for (const measure of MEASURES) cell(driver.name, transport, measure).note = `not run: ${unsupported}`;
          checks.push([driver.name, transport, '-', '-', `not run: ${unsupported}`]);
          continue;
        }
        try {
          const checked = await check(driver, transport);
          if (checked.iterations !== '?') serverIterations = checked.iterations;
          checks.push([driver.name, transport, checked.mechanism, checked.iterations, checked.mechanism === 'SCRAM-SHA-1' ? 'ok' : 'NOT SCRAM-SHA-1: not comparable']);
          list.push(driver);
        } catch (error) {
          for (const measure of MEASURES) cell(driver.name, transport, measure).note = `failed: ${errorText(error)}`;
          checks.push([driver.name, transport, '-', '-', `failed: ${errorText(error)}`]);
        }
      }
      for (const [name, why] of loadFailures) {
        for (const measure of MEASURES) cell(name, transport, measure).note = why;
        checks.push([name, transport, '-', '-', why]);
      }
      usable.set(transport, list);
    }
    printTable(`Prosody on ${handle.websocketUrl} and ${handle.boshUrl}: what each library negotiates`, ['library', 'transport', 'SASL mechanism', 'server i=', 'check'], checks, 'llllll');

    for (const transport of TRANSPORTS) {
      const list = usable.get(transport) ?? [];
      if (list.length === 0) continue;
      process.stderr.write(`[bench] ${transport}: logins...\n`);
      await measureLogins(list, transport, 'login');
      process.stderr.write(`[bench] ${transport}: logins with a warm SCRAM cache...\n`);
      const warmCapable = list.filter((driver) => {
        const why = driver.noWarmCache(transport);
        if (why) cell(driver.name, transport, 'login-warm').note = `not run: ${why}`;
        return !why;
      });
      await measureLogins(warmCapable, transport, 'login-warm');
      process.stderr.write(`[bench] ${transport}: pings...\n`);
      await measurePings(list, transport);
    }

    // The results.
    const libraries = [...drivers.map((driver) => driver.name), ...loadFailures.map(([name]) => name)];
    const rows: string[][] = [];
    for (const transport of TRANSPORTS) {
      for (const measure of MEASURES) {
        const base = median(cell('ours', transport, measure).samples);
        for (const lib of libraries) {
          const { samples, note: why } = cell(lib, transport, measure);
          const note = why || (samples.length > 0 ? drivers.find((driver) => driver.name === lib)?.remark?.(transport) ?? '' : '');
          const m = median(samples);
          const ratio = samples.length > 0 && Number.isFinite(base) ? `${(m / base).toFixed(2)}x` : '-';
          rows.push([lib, transport, MEASURE_NAME[measure], String(samples.length), ms(m), ms(p90(samples)), ratio, REFERENCE[lib]?.[`${transport} ${measure}`] ?? '', note]);
        }
      }
    }
    printTable('Results (ms; "x ours" = this median / our median, same transport and measure; "elsewhere": reference figures measured on another machine, for comparison only)',
      ['library', 'transport', 'measure', 'n', 'median', 'p90', 'x ours', 'elsewhere', 'note'], rows, 'lllrrrrrl');

    // Goals.
    const med = (lib: string, transport: TransportKind, measure: Measure) => median(cell(lib, transport, measure).samples);
    const goals: string[][] = [];
    const goal = (name: string, value: number, limit: number, detail: string) => {
      const known = Number.isFinite(value) && Number.isFinite(limit);
      goals.push([name, detail, !known ? 'unknown' : value <= limit ? 'ok' : 'not ok']);
    };
    goal('our login <= 10 ms over WebSocket', med('ours', 'websocket', 'login'), 10, `${ms(med('ours', 'websocket', 'login'))} ms`);
    goal('our login <= 20 ms over BOSH', med('ours', 'bosh', 'login'), 20, `${ms(med('ours', 'bosh', 'login'))} ms`);
    for (const transport of TRANSPORTS) {
      const peers = libraries.filter((lib) => !lib.startsWith('ours') && cell(lib, transport, 'ping').samples.length > 0);
      const best = peers.map((lib) => [lib, med(lib, transport, 'ping')] as const).sort((a, b) => a[1] - b[1])[0];
      const oursPing = med('ours', transport, 'ping');
      goal(`our ping <= 1.1x the best peer (${transport})`, oursPing, best ? 1.1 * best[1] : NaN,
        best ? `${ms(oursPing)} ms vs ${best[0]} ${ms(best[1])} ms = ${(oursPing / best[1]).toFixed(2)}x` : 'no peer ran');
    }
    const wsPing = med('ours', 'websocket', 'ping');
    const boshPing = med('ours', 'bosh', 'ping');
    const floor = await rawPingFloors(target, quick ? 200 : 600).catch(() => undefined);
    const floorText = floor ? `; floor with raw clients: BOSH ${ms(floor.bosh)} ms vs WebSocket ${ms(floor.websocket)} ms = ${(floor.bosh / floor.websocket).toFixed(2)}x` : '';
    goal('our BOSH ping <= 1.5x our WebSocket ping', boshPing, 1.5 * wsPing, `${ms(boshPing)} ms vs ${ms(wsPing)} ms = ${(boshPing / wsPing).toFixed(2)}x${floorText}`);
    for (const transport of TRANSPORTS) {
      const warm = med('ours', transport, 'login-warm');
      const full = med('ours', transport, 'login');
      goal(`login with the cached SCRAM key <= half a full login (${transport})`, warm, full / 2, `${ms(warm)} ms vs ${ms(full)} ms = ${(warm / full).toFixed(2)}x`);
    }
    const reconnects = new Map<TransportKind, number[]>();
    for (const transport of TRANSPORTS) {
      if (!(usable.get(transport) ?? []).includes(our)) continue;
      const full = med('ours', transport, 'login');
      try {
        const { samples, allResumed } = await timeOurReconnects(target, transport, quick ? 10 : 30);
        reconnects.set(transport, samples);
        const reconnect = median(samples);
        goal(`a reconnect (cut, resumed, cached SCRAM key) <= half a full login (${transport})`, reconnect, full / 2,
          `${ms(reconnect)} ms (p90 ${ms(p90(samples))}, n ${samples.length}${allResumed ? ', all resumed' : ', NOT all resumed'}) vs ${ms(full)} ms = ${(reconnect / full).toFixed(2)}x`);
      } catch (error) {
        goals.push([`a reconnect <= half a full login (${transport})`, `failed: ${errorText(error)}`, 'unknown']);
      }
    }
    printTable('Goals', ['goal', 'measured', 'status'], goals, 'lll');

    // Where our login spends its time.
    const iterations = Number(serverIterations);
    if (Number.isSafeInteger(iterations)) {
      const costs = await pbkdf2Costs(iterations);
      printTable(`PBKDF2-HMAC-SHA-1 at the server's ${iterations} iterations, on this machine (median of 12)`,
        ['how', 'ms'], [['WebCrypto crypto.subtle.deriveBits (what lib/transport/scram.ts uses)', ms(costs.webcrypto)], ['node:crypto pbkdf2Sync', ms(costs.node)]]);
    }
    for (const transport of TRANSPORTS) {
      if (!(usable.get(transport) ?? []).includes(our)) continue;
      for (const mode of ['cold', 'warm'] as const) await ourSteps(our, transport, mode);
      await ourPingSteps(our, transport);
      const { events } = await timeOurReconnects(target, transport, STEP_RUNS, true);
      printSteps(`Our reconnect over ${transport} (cut to reconnected, cached SCRAM keys): where the time goes`, events);
    }
    if (floor) {
      printTable(`Ping floor: the same ping with minimal raw clients, ${floor.samples} each, interleaved (ms, median)`, ['client', 'median ms', 'x raw WebSocket'], [
        ['raw WebSocket (ws, no XMPP library)', ms(floor.websocket), '1.00x'],
        ['raw HTTP/1.1 over node:net, BOSH request held as ours holds one', ms(floor.bosh), `${(floor.bosh / floor.websocket).toFixed(2)}x`],
        ['ours, WebSocket', ms(wsPing), `${(wsPing / floor.websocket).toFixed(2)}x`],
        ['ours, BOSH (Node fetch)', ms(boshPing), `${(boshPing / floor.websocket).toFixed(2)}x`],
        ['ours, BOSH (global fetch)', ms(med('ours, global fetch', 'bosh', 'ping')), `${(med('ours, global fetch', 'bosh', 'ping') / floor.websocket).toFixed(2)}x`],
      ], 'lrr');
    }
    const closing = [
      ...(strays.length > 0 ? [`Stray rejections from the libraries during the run (ignored): ${[...new Set(strays)].slice(0, 5).join(' | ')}`] : []),
      `Platform: Node ${process.version}, ${process.platform} ${process.arch}, ${cpus().length} cores; load average ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after; bench took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`,
    ];
    for (const line of closing) {
      process.stdout.write(`\n${line}\n`);
      appendMarkdown(`\n${line}\n`);
    }
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
