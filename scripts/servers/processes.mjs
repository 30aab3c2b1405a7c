// Process and port helpers for scripts/servers.mjs, read from /proc (Linux): liveness, descendants,
// signalling by pid, who holds a port, system users, executables on PATH, running a command to
// completion, plus small text and timing helpers. Plain JavaScript, Node built-ins only; no state.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------------
// Ports

/**
 * Whether host:port can be listened on right now (an exclusive listen, closed again at once).
 * @param {string} host
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export function isPortFree(host, port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * @typedef {object} PortCheck
 * @property {string} host
 * @property {(pid: number) => boolean} isOurs
 *   whether the holder is a process this process started (changes the advice in the message)
 * @property {string} [action] the verb of the message: 'start' (default) or 'restart'
 */

/**
 * Fails, naming the holder, when host:port is already taken.
 * @param {string} server
 * @param {number} port
 * @param {PortCheck} options
 */
export async function assertPortFree(server, port, options) {
  if (!(await isPortFree(options.host, port))) throw portInUse(server, port, options);
}

/**
 * Waits until host:port is free (a stopped server's port, a moment after its process is gone), and
 * fails like assertPortFree, naming the holder, when it is still taken after timeoutMs.
 * @param {string} server
 * @param {number} port
 * @param {PortCheck & { timeoutMs: number }} options
 */
export async function waitForPortFree(server, port, options) {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await isPortFree(options.host, port))) {
    if (Date.now() >= deadline) throw portInUse(server, port, options);
    await sleep(100);
  }
}

/**
 * @param {string} server
 * @param {number} port
 * @param {PortCheck} options
 */
function portInUse(server, port, { host, isOurs, action = 'start' }) {
  const holder = findPortHolder(port);
  const ours = holder !== undefined && isOurs(holder);
  const who = holder === undefined ? '' : ` by pid ${holder} (${processName(holder)})`;
  const advice = !ours
    ? 'stop that process first (it was not started by this process, so it is left alone)'
    : action === 'restart'
      ? 'a process of the stopped server still holds it'
      : 'this process already runs that server (use its handle, or stop it first)';
  return new Error(`cannot ${action} ${server}: ${host}:${port} is already in use${who}; ${advice}`);
}

/**
 * Best effort, from /proc: the pid listening on the TCP port, or undefined.
 * @param {number} port
 * @returns {number | undefined}
 */
export function findPortHolder(port) {
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

// ---------------------------------------------------------------------------------------------------
// Processes

/** @param {number} pid */
export function isAlive(pid) {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === '') return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** @param {number} pid */
export function processName(pid) {
  return readText(`/proc/${pid}/comm`).trim();
}

/** All descendants of pid, parents before children. @param {number} pid @returns {number[]} */
export function descendants(pid) {
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
 * The given pids plus all their descendants (erl_child_setup, inet_gethost, ...), deepest last.
 * Non-positive pids (a spawn that failed) are skipped.
 * @param {number[]} pids
 */
export function collectFamily(pids) {
  const all = new Set();
  for (const pid of pids) {
    if (pid <= 0) continue;
    all.add(pid);
    for (const child of descendants(pid)) all.add(child);
  }
  return /** @type {number[]} */ ([...all]);
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} name
 */
export function signal(pid, name) {
  try { process.kill(pid, name); } catch { /* already gone */ }
}

/**
 * @param {number[]} pids
 * @param {NodeJS.Signals} name
 */
export function signalAll(pids, name) {
  for (const pid of pids) if (isAlive(pid)) signal(pid, name);
}

/**
 * @param {number[]} pids
 * @param {number} timeoutMs
 */
export async function waitUntilDead(pids, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
}

// ---------------------------------------------------------------------------------------------------
// Users and executables

/** @param {string} name */
export function lookupUser(name) {
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
export function chownRecursive(dir, uid, gid) {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(full, uid, gid);
    else fs.chownSync(full, uid, gid);
  }
}

/** @param {string} name */
export function findExecutable(name) {
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
export function requireExecutable(name) {
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
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk) => { output += chunk; });
    child.stderr?.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => resolve({ code: -1, output: output + String(error) }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

// ---------------------------------------------------------------------------------------------------
// Text and time

/** @param {string} file */
export function readText(file) {
  try { return fs.readFileSync(file, 'utf8'); } catch { return ''; }
}

/**
 * The current size of a file in bytes, 0 when it does not exist.
 * @param {string} file
 */
export function fileSize(file) {
  try { return fs.statSync(file).size; } catch { return 0; }
}

/**
 * @param {string} text
 * @param {number} lines
 */
export function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** @param {number} ms */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** @param {number} ms */
export function sleepSync(ms) {
  Atomics.wait(sleepCell, 0, 0, ms);
}
