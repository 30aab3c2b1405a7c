// The project's own real XMPP test servers: Prosody 0.12 and ejabberd 23.01 on 127.0.0.1.
//
// Installs the Debian packages (only when missing), starts each server from its committed config
// template (server/prosody/, server/ejabberd/) rendered into a throw-away data folder, waits for its
// HTTP probe, and stops exactly the processes it started (by pid). Plain JavaScript, Node built-ins only.
//
// What matters (facts in shared/notes/servers.md):
// - Fixed loopback ports: Prosody http 15280 / c2s 15222; ejabberd http 25280 / c2s 25222 / Erlang
//   distribution 25290. A port already taken fails the start with a message naming the holder; nothing
//   else is ever killed.
// - Prosody does not exit when a module fails to load: after the probe answers, its log is checked for
//   `error` lines and the start fails on any.
// - ejabberdctl is a shell wrapper: the server is started in `foreground` mode as the `ejabberd` user
//   (so the wrapper does not `su`), and ejabberd writes the OS pid of its beam.smp to EJABBERD_PID_PATH;
//   that is the pid signalled. ERL_DIST_PORT in ejabberdctl.cfg keeps epmd from starting at all.
// - A safety net ('exit', SIGINT, SIGTERM, SIGHUP) kills, synchronously and by pid, whatever this
//   process started and removes the data folders, even when tests fail or are interrupted.
//
// CLI: node scripts/servers.mjs install
//      node scripts/servers.mjs start [prosody|ejabberd]   (both when omitted; Ctrl-C stops)

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOOPBACK = '127.0.0.1';
const DOMAIN = 'localhost';
const SANDBOX_DOMAIN = 'sandbox.localhost';
const UPLOAD_HOST = 'upload.localhost';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

const PACKAGES = {
  prosody: ['prosody', 'prosody-modules', 'lua-unbound'],
  ejabberd: ['ejabberd', 'erlang-p1-oauth2'],
};

const SERVERS = {
  prosody: { httpPort: 15280, c2sPort: 15222, wsPath: '/xmpp-websocket', boshPath: '/http-bind' },
  ejabberd: { httpPort: 25280, c2sPort: 25222, distPort: 25290, wsPath: '/ws', boshPath: '/bosh' },
};

/** @param {string} message */
const defaultLog = (message) => process.stderr.write(`[servers] ${message}\n`);

// ---------------------------------------------------------------------------------------------------
// Install

/**
 * Installs the Debian packages of both servers, only those missing. Needs root and apt-get.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<{ installed: string[] }>}
 */
export async function installServers({ log = defaultLog } = {}) {
  const wanted = [...PACKAGES.prosody, ...PACKAGES.ejabberd];
  const missing = wanted.filter((name) => !isPackageInstalled(name));
  if (missing.length === 0) {
    log(`install: nothing to do (${wanted.join(', ')} present)`);
    return { installed: [] };
  }
  if (!findExecutable('apt-get')) {
    throw new Error(`install: missing ${missing.join(', ')} and apt-get is not available`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`install: missing ${missing.join(', ')}; run as root (apt-get install)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('install: apt-get update');
  await runChecked('apt-get', ['update'], { env, log });
  log(`install: apt-get install ${missing.join(' ')}`);
  await runChecked('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, log });
  const stillMissing = missing.filter((name) => !isPackageInstalled(name));
  if (stillMissing.length > 0) throw new Error(`install: still missing after apt-get: ${stillMissing.join(', ')}`);
  if (!serviceStartsBlocked()) stopPackageDaemons(missing, log);
  log(`install: done (${missing.join(', ')})`);
  return { installed: missing };
}

/** @param {string} name */
function isPackageInstalled(name) {
  if (!findExecutable('dpkg-query')) return false;
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === 'install ok installed';
}

/** True when Debian's policy-rc.d forbids starting services (as in containers): nothing was started. */
function serviceStartsBlocked() {
  const policy = '/usr/sbin/policy-rc.d';
  if (!fs.existsSync(policy)) return false;
  return spawnSync(policy, ['prosody', 'start'], { stdio: 'ignore' }).status === 101;
}

/**
 * The packages' own daemons (default ports, system config) may have been started by the install: stop
 * those that run, best effort, through the packages' own init scripts. A daemon that is not running is
 * left alone: "service ejabberd stop" would itself start an epmd daemon just to ask.
 * @param {string[]} installed
 * @param {(message: string) => void} log
 */
function stopPackageDaemons(installed, log) {
  for (const service of /** @type {const} */ (['prosody', 'ejabberd'])) {
    if (!installed.includes(service) || !packageDaemonRunning(service)) continue;
    log(`install: stopping the ${service} daemon started by the package`);
    const result = spawnSync('service', [service, 'stop'], { stdio: 'ignore', timeout: 90_000 });
    if (result.status !== 0) log(`install: "service ${service} stop" did not succeed (ignored)`);
  }
}

/**
 * A process of the package's own daemon: Prosody without our --config, or ejabberd's default node.
 * @param {'prosody' | 'ejabberd'} service
 */
function packageDaemonRunning(service) {
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch { return false; }
  return entries.some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const args = readText(`/proc/${entry}/cmdline`).split('\0');
    return service === 'prosody'
      ? args.includes('/usr/bin/prosody') && !args.includes('--config')
      : args.some((arg) => arg === 'ejabberd@localhost');
  });
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, log: (message: string) => void }} options
 */
async function runChecked(command, args, { env, log }) {
  const started = Date.now();
  const { code, output } = await run(command, args, env ? { env } : {});
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail(output, 30)}`);
  }
  log(`  ${command} ${args[0]} ok (${seconds(Date.now() - started)})`);
}

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
 * @property {number} startMs          measured start time (spawn to probe answering)
 * @property {() => Promise<void>} stop
 */

/**
 * @typedef {object} Running internal record of what this process started
 * @property {number[]} pids  the spawned child and the server pid (may be the same)
 * @property {number} [mainPid] the server pid, signalled first
 * @property {string} dataDir
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

  const ports = [spec.httpPort, spec.c2sPort, ...('distPort' in spec ? [spec.distPort] : [])];
  for (const port of ports) await assertPortFree(name, port);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `xmpp-profile-${name}-`));
  const httpBase = `http://${LOOPBACK}:${spec.httpPort}/`;
  const vars = {
    DATA_DIR: dataDir,
    REPO,
    HTTP_PORT: String(spec.httpPort),
    C2S_PORT: String(spec.c2sPort),
    DIST_PORT: 'distPort' in spec ? String(spec.distPort) : '',
    NODE_NAME: `xmpp-profile-${process.pid}-${path.basename(dataDir).slice(-6).toLowerCase()}@localhost`,
    DOMAIN,
    SANDBOX_DOMAIN,
    UPLOAD_HOST,
    HTTP_BASE: httpBase,
  };
  const record = /** @type {Running} */ ({ pids: [], dataDir });
  const key = {};
  running.set(key, record);
  installSafetyNet();

  const started = Date.now();
  try {
    const launched = name === 'prosody' ? launchProsody(binary, dataDir, vars) : launchEjabberd(binary, dataDir, vars);
    record.pids.push(launched.child.pid ?? -1);
    const exited = new Promise((resolve) => {
      launched.child.once('exit', (code, signal) => resolve({ code, signal }));
      launched.child.once('error', (error) => resolve({ error: error.message }));
    });
    const probeUrl = `${httpBase}${spec.boshPath.slice(1)}`;
    await waitForProbe(probeUrl, exited, launched.logFile, dataDir);
    const startMs = Date.now() - started;

    const pid = name === 'ejabberd' ? readEjabberdPid(dataDir, launched.child.pid ?? -1) : launched.child.pid ?? -1;
    if (!record.pids.includes(pid)) record.pids.push(pid);
    record.mainPid = pid;
    assertNoLogErrors(name, launched.logFile);

    /** @type {ServerHandle} */
    const handle = {
      name,
      pid,
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
      ...(name === 'ejabberd' ? { oauthTokenUrl: `${httpBase}oauth/token` } : {}),
      startMs,
      stop: () => stopServer(handle),
    };
    running.delete(key);
    running.set(handle, record);
    log(`${name} ready in ${seconds(startMs)} (pid ${pid}, ${handle.websocketUrl})`);
    return handle;
  } catch (error) {
    await stopRecord(record);
    running.delete(key);
    throw error;
  }
}

/**
 * @param {string} binary
 * @param {string} dataDir
 * @param {Record<string, string>} vars
 */
function launchProsody(binary, dataDir, vars) {
  const configFile = path.join(dataDir, 'prosody.cfg.lua');
  renderTemplate(path.join(REPO, 'server/prosody/prosody.cfg.lua'), configFile, vars);
  for (const dir of ['data', 'certs']) fs.mkdirSync(path.join(dataDir, dir));
  const logFile = path.join(dataDir, 'prosody.log');
  const child = spawnLogged(binary, ['--config', configFile, '-F'], { cwd: dataDir, env: process.env }, dataDir);
  return { child, configFile, logFile };
}

/**
 * @param {string} binary
 * @param {string} dataDir
 * @param {Record<string, string>} vars
 */
function launchEjabberd(binary, dataDir, vars) {
  const configFile = path.join(dataDir, 'ejabberd.yml');
  renderTemplate(path.join(REPO, 'server/ejabberd/ejabberd.yml'), configFile, vars);
  renderTemplate(path.join(REPO, 'server/ejabberd/ejabberdctl.cfg'), path.join(dataDir, 'ejabberdctl.cfg'), vars);
  fs.copyFileSync('/etc/ejabberd/inetrc', path.join(dataDir, 'inetrc'));
  for (const dir of ['logs', 'db', 'upload']) fs.mkdirSync(path.join(dataDir, dir));
  const user = lookupUser('ejabberd');
  chownRecursive(dataDir, user.uid, user.gid);
  const logFile = path.join(dataDir, 'logs', 'ejabberd.log');
  const child = spawnLogged(binary, [...ejabberdctlArgs(dataDir), 'foreground'], ejabberdSpawnOptions(dataDir), dataDir);
  return { child, configFile, logFile };
}

/** @param {string} dataDir */
function ejabberdctlArgs(dataDir) {
  return ['--config-dir', dataDir, '--logs', path.join(dataDir, 'logs'), '--spool', path.join(dataDir, 'db')];
}

/**
 * Run as the ejabberd user (ejabberdctl would otherwise `su`, adding a process between us and beam);
 * HOME holds this instance's Erlang cookie.
 * @param {string} dataDir
 */
function ejabberdSpawnOptions(dataDir) {
  const user = lookupUser('ejabberd');
  return { cwd: dataDir, uid: user.uid, gid: user.gid, env: { ...process.env, HOME: dataDir } };
}

/**
 * Spawns a server in its own process group (a terminal's Ctrl-C reaches only us; we stop it), output
 * to DATA/stdout.log, not holding the event loop open.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @param {string} dataDir
 */
function spawnLogged(command, args, options, dataDir) {
  const out = fs.openSync(path.join(dataDir, 'stdout.log'), 'a');
  try {
    const child = spawn(command, args, { ...options, stdio: ['ignore', out, out], detached: true });
    child.on('error', () => {}); // reported by startServer, which also listens
    child.unref();
    return child;
  } finally {
    fs.closeSync(out);
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
 * Prosody keeps running when a module fails to load, so an error line in its log fails the start.
 * ejabberd's log is held to the same rule (a clean start logs none).
 * @param {string} name
 * @param {string} logFile
 */
function assertNoLogErrors(name, logFile) {
  const pattern = name === 'prosody' ? /\terror\t/ : /\[(error|critical)\]/;
  const lines = readText(logFile).split('\n').filter((line) => pattern.test(line));
  if (lines.length > 0) throw new Error(`${name} logged errors during start:\n${lines.join('\n')}`);
}

/**
 * The beam.smp pid that ejabberd wrote to EJABBERD_PID_PATH, checked to descend from our wrapper.
 * @param {string} dataDir
 * @param {number} wrapperPid
 */
function readEjabberdPid(dataDir, wrapperPid) {
  const pid = Number.parseInt(readText(path.join(dataDir, 'ejabberd.pid')).trim(), 10);
  if (Number.isInteger(pid) && descendants(wrapperPid).includes(pid)) return pid;
  const beam = descendants(wrapperPid).find((child) => processName(child).startsWith('beam'));
  if (beam === undefined) throw new Error('ejabberd answers but no beam.smp process was found under ejabberdctl');
  return beam;
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
 * SIGTERM to the server pid first (a clean shutdown), then to whatever of its family is left.
 * @param {Running} record
 */
async function stopRecord(record) {
  const family = collectFamily(record);
  if (record.mainPid !== undefined) {
    signal(record.mainPid, 'SIGTERM');
    await waitUntilDead([record.mainPid], STOP_GRACE_MS);
  }
  signalAll(family, 'SIGTERM');
  await waitUntilDead(family, STOP_GRACE_MS);
  signalAll(family, 'SIGKILL');
  await waitUntilDead(family, 1_000);
  fs.rmSync(record.dataDir, { recursive: true, force: true });
}

/**
 * The pids we started plus all their descendants (erl_child_setup, inet_gethost, ...), deepest last.
 * @param {Running} record
 */
function collectFamily(record) {
  const all = new Set();
  for (const pid of record.pids) {
    if (pid <= 0) continue;
    all.add(pid);
    for (const child of descendants(pid)) all.add(child);
  }
  return /** @type {number[]} */ ([...all]);
}

/**
 * @param {number[]} pids
 * @param {number} timeoutMs
 */
async function waitUntilDead(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
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
    const family = collectFamily(record);
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
// Helpers

/**
 * @param {string} template
 * @param {string} target
 * @param {Record<string, string>} vars
 */
function renderTemplate(template, target, vars) {
  const text = fs.readFileSync(template, 'utf8').replace(/\{\{([A-Z0-9_]+)\}\}/g, (match, key) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`${template}: unknown placeholder ${match}`);
    return value;
  });
  fs.writeFileSync(target, text);
}

/**
 * @param {string} server
 * @param {number} port
 */
async function assertPortFree(server, port) {
  await new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EADDRINUSE') return reject(error);
      const holder = findPortHolder(port);
      const ours = holder !== undefined && [...running.values()].some((record) => collectFamily(record).includes(holder));
      const who = holder === undefined ? '' : ` by pid ${holder} (${processName(holder)})`;
      reject(new Error(`cannot start ${server}: ${LOOPBACK}:${port} is already in use${who}; ` + (ours
        ? 'this process already runs that server (use its handle, or stop it first)'
        : 'stop that process first (it was not started by this process, so it is left alone)')));
    });
    probe.listen({ host: LOOPBACK, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

/**
 * Best effort, from /proc: the pid listening on the TCP port, or undefined.
 * @param {number} port
 * @returns {number | undefined}
 */
function findPortHolder(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readText(table).split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A' && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  if (inodes.size === 0) return undefined;
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch { return undefined; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let fds = [];
    try { fds = fs.readdirSync(`/proc/${entry}/fd`); } catch { continue; }
    for (const fd of fds) {
      let link = '';
      try { link = fs.readlinkSync(`/proc/${entry}/fd/${fd}`); } catch { continue; }
      if (inodes.has(link)) return Number(entry);
    }
  }
  return undefined;
}

/** @param {number} pid */
function isAlive(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === '') return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** @param {number} pid */
function processName(pid) {
  return readText(`/proc/${pid}/comm`).trim();
}

/** All descendants of pid, parents before children. @param {number} pid @returns {number[]} */
function descendants(pid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  let entries = [];
  try { entries = fs.readdirSync('/proc'); } catch { return []; }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  /** @type {number[]} */
  const result = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(/** @type {number} */ (queue.shift())) ?? []) {
      result.push(child);
      queue.push(child);
    }
  }
  return result;
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} name
 */
function signal(pid, name) {
  try { process.kill(pid, name); } catch { /* already gone */ }
}

/**
 * @param {number[]} pids
 * @param {NodeJS.Signals} name
 */
function signalAll(pids, name) {
  for (const pid of pids) if (isAlive(pid)) signal(pid, name);
}

/** @param {string} name */
function lookupUser(name) {
  const line = readText('/etc/passwd').split('\n').find((entry) => entry.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`system user "${name}" not found (is the package installed?)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * @param {string} dir
 * @param {number} uid
 * @param {number} gid
 */
function chownRecursive(dir, uid, gid) {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(full, uid, gid);
    else fs.chownSync(full, uid, gid);
  }
}

/** @param {string} name */
function findExecutable(name) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** @param {string} name */
function requireExecutable(name) {
  const found = findExecutable(name);
  if (!found) throw new Error(`${name} not found: run "node scripts/servers.mjs install" (as root)`);
  return found;
}

/**
 * Runs a command to completion, output captured (stdout and stderr together).
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} [options]
 * @returns {Promise<{ code: number, output: string }>}
 */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; });
    child.stderr?.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => resolve({ code: -1, output: output + String(error) }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/**
 * @param {string} logFile
 * @param {string} dataDir
 */
function startupOutput(logFile, dataDir) {
  return [tail(readText(path.join(dataDir, 'stdout.log')), 20), tail(readText(logFile), 20)].filter(Boolean).join('\n');
}

/** @param {string} file */
function readText(file) {
  try { return fs.readFileSync(file, 'utf8'); } catch { return ''; }
}

/**
 * @param {string} text
 * @param {number} lines
 */
function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** @param {number} ms */
function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** @param {number} ms */
function sleepSync(ms) {
  Atomics.wait(sleepCell, 0, 0, ms);
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
