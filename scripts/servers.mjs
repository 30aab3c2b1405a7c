// The project's own real XMPP test servers: Prosody 0.12 and ejabberd 23.01 on 127.0.0.1.
//
// Installs the Debian packages (only when missing), starts each server from its committed config
// template (server/prosody/, server/ejabberd/) rendered into a throw-away data folder, waits for its
// HTTP probe, and stops exactly the processes it started (by pid). Plain JavaScript, Node built-ins only.
//
// What matters (facts in shared/notes/servers.md):
// - Fixed loopback ports: Prosody http 15280 / c2s 15222; ejabberd http 25280 / c2s 25222 / Erlang
//   distribution 25290, each shifted by XMPP_PROFILE_PORT_OFFSET when set. A port already taken fails the
//   start with a message naming the holder; nothing else is ever killed.
// - Prosody does not exit when a module fails to load: after the probe answers, its log is checked for
//   `error` lines and the start fails on any.
// - ejabberdctl is a shell wrapper: the server is started in `foreground` mode as the `ejabberd` user
//   (so the wrapper does not `su`), and ejabberd writes the OS pid of its beam.smp to EJABBERD_PID_PATH;
//   that is the pid signalled. ERL_DIST_PORT in ejabberdctl.cfg keeps epmd from starting at all.
// - A safety net ('exit', SIGINT, SIGTERM, SIGHUP) kills, synchronously and by pid, whatever this
//   process started and removes the data folders, even when tests fail or are interrupted.
// - restartServer stops a server like stopServer but keeps its data folder (accounts, rosters, Mnesia),
//   waits for its ports to be free, and launches it again from the same rendered config; the handle and
//   the pids tracked for stopServer and the safety net are updated in place.
//
// Split by concern: servers/install.mjs (Debian packages), servers/config.mjs (ports, templates, how
// each server is launched), servers/processes.mjs (pids, ports, /proc). This file: the public API
// (start, restart, stop, accounts), the safety net and the CLI.
//
// CLI: node scripts/servers.mjs install
//      node scripts/servers.mjs start [prosody|ejabberd]   (both when omitted; Ctrl-C stops)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DOMAIN,
  LOOPBACK,
  SANDBOX_DOMAIN,
  PRIVACY_DOMAIN,
  SERVERS,
  START_TIMEOUT_MS,
  STOP_GRACE_MS,
  UPLOAD_HOST,
  assertNoLogErrors,
  defaultLog,
  ejabberdSpawnOptions,
  ejabberdctlArgs,
  launchEjabberd,
  launchProsody,
  readEjabberdPid,
  relaunchEjabberd,
  relaunchProsody,
  templateVars,
} from './servers/config.mjs';
import {
  assertPortFree,
  collectFamily,
  fileSize,
  findExecutable,
  isAlive,
  readText,
  requireExecutable,
  run,
  seconds,
  signal,
  signalAll,
  sleep,
  sleepSync,
  tail,
  waitForPortFree,
  waitUntilDead,
} from './servers/processes.mjs';
import { installServers } from './servers/install.mjs';

// ---------------------------------------------------------------------------------------------------
// Install: see servers/install.mjs

export { installServers };

// ---------------------------------------------------------------------------------------------------
// Start

/**
 * @typedef {object} ServerHandle
 * @property {'prosody' | 'ejabberd'} name
 * @property {number} pid              the real server process (Prosody's lua, ejabberd's beam.smp)
 * @property {string} dataDir          throw-away folder: rendered config, data, logs
 * @property {string} configFile
 * @property {string} logFile
 * @property {string} domain
 * @property {string} sandboxDomain
 * @property {string} uploadHost
 * @property {number} c2sPort
 * @property {number} httpPort
 * @property {string} httpBase         e.g. http://127.0.0.1:15280/
 * @property {string} websocketUrl
 * @property {string} boshUrl
 * @property {string} [oauthTokenUrl] ejabberd only
 * @property {string} [privacyDomain] Prosody only: a host with XEP-0016 privacy lists and no XEP-0191
 * @property {number} startMs          measured start time (spawn to probe answering); of the latest
 *                                     launch after restartServer, which also updates pid
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} Running internal record of what this process started
 * @property {number[]} pids  the spawned child and the server pid (may be the same)
 * @property {number} [mainPid] the server pid, signalled first
 * @property {string} dataDir
 * @property {Promise<unknown>} [restarting] while restartServer runs (stopServer waits for it)
 */

/** @type {Map<object, Running>} */
const running = new Map();

/**
 * Starts one server on loopback from its template, in a fresh data folder, and waits until it answers.
 * @param {'prosody' | 'ejabberd'} name
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<ServerHandle>}
 */
export async function startServer(name, { log = defaultLog } = {}) {
  const spec = SERVERS[name];
  if (!spec) throw new Error(`unknown server "${name}" (expected prosody or ejabberd)`);
  const binary = findExecutable(name === 'prosody' ? 'prosody' : 'ejabberdctl');
  if (!binary) throw new Error(`${name} is not installed: run "node scripts/servers.mjs install" (as root)`);

  const isOurs = (/** @type {number} */ pid) => [...running.values()].some((record) => collectFamily(record.pids).includes(pid));
  for (const port of serverPorts(name)) await assertPortFree(name, port, { host: LOOPBACK, isOurs });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `xmpp-profile-${name}-`));
  const httpBase = `http://${LOOPBACK}:${spec.httpPort}/`;
  const vars = templateVars(spec, dataDir, httpBase);
  const record = /** @type {Running} */ ({ pids: [], dataDir });
  const key = {};
  running.set(key, record);
  installSafetyNet();

  try {
    const launched = await launchAndWait(name, record, dataDir, 0,
      () => (name === 'prosody' ? launchProsody(binary, dataDir, vars) : launchEjabberd(binary, dataDir, vars)));

    /** @type {ServerHandle} */
    const handle = {
      name,
      pid: launched.pid,
      dataDir,
      configFile: launched.configFile,
      logFile: launched.logFile,
      domain: DOMAIN,
      sandboxDomain: SANDBOX_DOMAIN,
      uploadHost: UPLOAD_HOST,
      c2sPort: spec.c2sPort,
      httpPort: spec.httpPort,
      httpBase,
      websocketUrl: `ws://${LOOPBACK}:${spec.httpPort}${spec.wsPath}`,
      boshUrl: `${httpBase}${spec.boshPath.slice(1)}`,
      ...(name === 'ejabberd' ? { oauthTokenUrl: `${httpBase}oauth/token` } : { privacyDomain: PRIVACY_DOMAIN }),
      startMs: launched.startMs,
      stop: () => stopServer(handle),
    };
    running.delete(key);
    running.set(handle, record);
    log(`${name} ready in ${seconds(launched.startMs)} (pid ${launched.pid}, ${handle.websocketUrl})`);
    return handle;
  } catch (error) {
    await stopRecord(record);
    running.delete(key);
    throw error;
  }
}

/**
 * The loopback ports a server listens on (ejabberd's Erlang distribution port included).
 * @param {'prosody' | 'ejabberd'} name
 */
function serverPorts(name) {
  const spec = SERVERS[name];
  return [spec.httpPort, spec.c2sPort, ...('distPort' in spec ? [spec.distPort] : [])];
}

/**
 * Spawns a server (launch), records the spawned pid at once (so the safety net covers it), waits for
 * the HTTP probe, records the server pid and checks the log this launch wrote (from byte logFrom on).
 * On failure the caller stops what record holds.
 * @param {'prosody' | 'ejabberd'} name
 * @param {Running} record
 * @param {string} dataDir
 * @param {number} logFrom
 * @param {() => { child: import('node:child_process').ChildProcess, configFile: string, logFile: string }} launch
 */
async function launchAndWait(name, record, dataDir, logFrom, launch) {
  const spec = SERVERS[name];
  const started = Date.now();
  const launched = launch();
  const childPid = launched.child.pid ?? -1;
  record.pids.push(childPid);
  const exited = new Promise((resolve) => {
    launched.child.once('exit', (code, signal) => resolve({ code, signal }));
    launched.child.once('error', (error) => resolve({ error: error.message }));
  });
  const probeUrl = `http://${LOOPBACK}:${spec.httpPort}${spec.boshPath}`;
  await waitForProbe(probeUrl, exited, launched.logFile, dataDir);
  // ejabberd answers HTTP before its command tables are loaded; accounts are made through commands.
  if (name === 'ejabberd') await waitForEjabberdCommands(dataDir);
  const startMs = Date.now() - started;

  const pid = name === 'ejabberd' ? readEjabberdPid(dataDir, childPid) : childPid;
  if (!record.pids.includes(pid)) record.pids.push(pid);
  record.mainPid = pid;
  assertNoLogErrors(name, launched.logFile, logFrom);
  return { pid, startMs, configFile: launched.configFile, logFile: launched.logFile };
}

/**
 * Polls `ejabberdctl registered_vhosts` (a command of ejabberd_commands) until it succeeds.
 * @param {string} dataDir
 */
async function waitForEjabberdCommands(dataDir) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const result = await run(requireExecutable('ejabberdctl'), [...ejabberdctlArgs(dataDir), 'registered_vhosts'], ejabberdSpawnOptions(dataDir));
    if (result.code === 0) return;
    if (Date.now() > deadline) throw new Error(`ejabberd commands not ready within ${START_TIMEOUT_MS / 1000} s: ${result.output.trim()}`);
    await sleep(200);
  }
}

/**
 * Polls GET url until 200, the child exits, or the timeout passes.
 * @param {string} url
 * @param {Promise<unknown>} exited
 * @param {string} logFile
 * @param {string} dataDir
 */
async function waitForProbe(url, exited, logFile, dataDir) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let done = false;
  /** @type {unknown} */
  let exitInfo;
  exited.then((info) => { done = true; exitInfo = info; });
  let lastProblem = '';
  while (Date.now() < deadline) {
    if (done) {
      throw new Error(`server exited during start (${JSON.stringify(exitInfo)}):\n${startupOutput(logFile, dataDir)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    await sleep(100);
  }
  throw new Error(`no 200 from ${url} within ${START_TIMEOUT_MS / 1000} s (${lastProblem}):\n${startupOutput(logFile, dataDir)}`);
}

/**
 * @param {string} logFile
 * @param {string} dataDir
 */
function startupOutput(logFile, dataDir) {
  return [tail(readText(path.join(dataDir, 'stdout.log')), 20), tail(readText(logFile), 20)].filter(Boolean).join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Restart

/** How long a restart waits for the stopped server's ports to be free again. */
const PORT_FREE_TIMEOUT_MS = 10_000;

/**
 * Restarts a server started by startServer, keeping its data folder (accounts, rosters, ... survive):
 * stops its processes as stopServer does (SIGTERM by pid, SIGKILL after the grace time), stays down
 * downMs, waits until its ports (ejabberd's distribution port too) are free, launches it again from
 * the same rendered config and folder, and waits for the same probe and log checks. The same handle
 * is updated in place (pid, startMs); stopServer and the safety net then stop the new processes.
 * When the relaunch fails, whatever it spawned is stopped and the error thrown; the handle stays
 * registered without processes, so stopServer(handle) still removes the folder.
 * @template {ServerHandle} H
 * @param {H} handle
 * @param {{ log?: (message: string) => void, downMs?: number }} [options]
 * @returns {Promise<H>}
 */
export async function restartServer(handle, { log = defaultLog, downMs = 0 } = {}) {
  const record = running.get(handle);
  if (!record) throw new Error(`cannot restart ${handle.name}: not running (stopped, or not started by this process)`);
  if (record.restarting) throw new Error(`cannot restart ${handle.name}: a restart is already running`);
  const restarting = restartRecord(handle, record, log, downMs);
  record.restarting = restarting;
  try {
    return await restarting;
  } finally {
    delete record.restarting;
  }
}

/**
 * @template {ServerHandle} H
 * @param {H} handle
 * @param {Running} record
 * @param {(message: string) => void} log
 * @param {number} downMs
 * @returns {Promise<H>}
 */
async function restartRecord(handle, record, log, downMs) {
  const { name, dataDir } = handle;
  const binary = requireExecutable(name === 'prosody' ? 'prosody' : 'ejabberdctl');
  const oldPid = handle.pid;
  const began = Date.now();

  const oldFamily = collectFamily(record.pids);
  await stopProcesses(record);
  record.pids = [];
  delete record.mainPid;
  const stopMs = Date.now() - began;
  if (downMs > 0) await sleep(downMs);

  const isOurs = (/** @type {number} */ pid) => oldFamily.includes(pid) ||
    [...running.values()].some((other) => collectFamily(other.pids).includes(pid));
  for (const port of serverPorts(name)) {
    await waitForPortFree(name, port, { host: LOOPBACK, isOurs, action: 'restart', timeoutMs: PORT_FREE_TIMEOUT_MS });
  }
  const downUntil = Date.now();

  let launched;
  try {
    launched = await launchAndWait(name, record, dataDir, fileSize(handle.logFile),
      () => (name === 'prosody' ? relaunchProsody(binary, dataDir) : relaunchEjabberd(binary, dataDir)));
  } catch (error) {
    await stopProcesses(record);
    record.pids = [];
    delete record.mainPid;
    throw error;
  }
  const mutable = /** @type {{ pid: number, startMs: number }} */ (/** @type {unknown} */ (handle));
  mutable.pid = launched.pid;
  mutable.startMs = launched.startMs;
  log(`${name} restarted in ${seconds(Date.now() - began)} (stopped in ${seconds(stopMs)}, ` +
    `down ${seconds(downUntil - began)}, ready in ${seconds(launched.startMs)}; pid ${oldPid} -> ${launched.pid})`);
  return handle;
}

// ---------------------------------------------------------------------------------------------------
// Stop

/**
 * Stops a server started by startServer: SIGTERM to its pid, SIGKILL after 5 s, then any process left
 * from the ones it started; removes the data folder.
 * @param {ServerHandle} handle
 * @param {{ log?: (message: string) => void }} [options]
 */
export async function stopServer(handle, { log = defaultLog } = {}) {
  const record = running.get(handle);
  if (!record) return;
  if (record.restarting) await record.restarting.catch(() => undefined);
  if (running.get(handle) !== record) return; // another stopServer took it meanwhile
  running.delete(handle);
  const started = Date.now();
  await stopRecord(record);
  log(`${handle.name} stopped in ${seconds(Date.now() - started)}`);
}

/** Stops every server this process started. */
export async function stopAllServers() {
  const handles = [...running.keys()].filter((key) => 'name' in key);
  await Promise.all(handles.map((handle) => stopServer(/** @type {ServerHandle} */ (handle))));
}

/**
 * Stops the processes and removes the data folder.
 * @param {Running} record
 */
async function stopRecord(record) {
  await stopProcesses(record);
  fs.rmSync(record.dataDir, { recursive: true, force: true });
}

/**
 * SIGTERM to the server pid first (a clean shutdown), then to whatever of its family is left; SIGKILL
 * after the grace time. The data folder is left alone (restartServer keeps it).
 * @param {Running} record
 */
async function stopProcesses(record) {
  const family = collectFamily(record.pids);
  if (record.mainPid !== undefined) {
    signal(record.mainPid, 'SIGTERM');
    await waitUntilDead([record.mainPid], STOP_GRACE_MS);
  }
  signalAll(family, 'SIGTERM');
  await waitUntilDead(family, STOP_GRACE_MS);
  signalAll(family, 'SIGKILL');
  await waitUntilDead(family, 1_000);
}

// ---------------------------------------------------------------------------------------------------
// Safety net: synchronous, by pid, for 'exit' and signals

let safetyNetInstalled = false;
let cliOwnsSignals = false;

function installSafetyNet() {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', killAllSync);
  for (const name of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(name, () => {
      if (cliOwnsSignals) return;
      killAllSync();
      // Only us listening: do what the signal would have done. Otherwise the other listener decides.
      if (process.listenerCount(name) <= 1) process.exit(128 + (os.constants.signals[name] ?? 0));
    });
  }
}

function killAllSync() {
  const records = [...running.values()];
  running.clear();
  for (const record of records) {
    const family = collectFamily(record.pids);
    const deadline = Date.now() + STOP_GRACE_MS;
    if (record.mainPid !== undefined) {
      signal(record.mainPid, 'SIGTERM');
      while (isAlive(record.mainPid) && Date.now() < deadline) sleepSync(50);
    }
    signalAll(family, 'SIGTERM');
    while (family.some(isAlive) && Date.now() < deadline + 1_000) sleepSync(50);
    signalAll(family, 'SIGKILL');
    fs.rmSync(record.dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Accounts

/**
 * Creates an account without in-band registration (prosodyctl / ejabberdctl register).
 * @param {ServerHandle} handle
 * @param {string} user
 * @param {string} password
 * @param {string} [host]
 */
export async function registerUser(handle, user, password, host = handle.domain) {
  const result = handle.name === 'prosody'
    ? await run(requireExecutable('prosodyctl'), ['--config', handle.configFile, 'register', user, host, password], { cwd: handle.dataDir })
    : await run(requireExecutable('ejabberdctl'), [...ejabberdctlArgs(handle.dataDir), 'register', user, host, password], ejabberdSpawnOptions(handle.dataDir));
  if (result.code !== 0) {
    throw new Error(`register ${user}@${host} on ${handle.name} failed (exit ${result.code}): ${result.output.trim()}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// CLI

async function main() {
  const [command, which] = process.argv.slice(2);
  if (command === 'install') {
    await installServers();
    return;
  }
  if (command === 'start') {
    if (which !== undefined && !(which in SERVERS)) throw new Error(`unknown server "${which}"`);
    const names = /** @type {('prosody' | 'ejabberd')[]} */ (which ? [which] : Object.keys(SERVERS));
    cliOwnsSignals = true;
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stopRequested = new Promise((resolve) => {
      for (const name of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.once(name, resolve);
    });
    try {
      const handles = [];
      for (const name of names) handles.push(await startServer(name));
      process.stdout.write(`${JSON.stringify(handles.map(({ stop, ...rest }) => rest), null, 2)}\n`);
      defaultLog('running; Ctrl-C stops');
      await stopRequested;
    } finally {
      clearInterval(keepAlive);
      await stopAllServers();
    }
    return;
  }
  process.stderr.write('usage: node scripts/servers.mjs install | start [prosody|ejabberd]\n');
  process.exitCode = 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
