// Configuration of the real test servers for scripts/servers.mjs: the fixed loopback ports and URL
// paths, the rendering of the committed templates (server/prosody/, server/ejabberd/) into a data
// folder, and how each server is launched, checked and identified. Plain JavaScript, Node built-ins only.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chownRecursive, descendants, lookupUser, processName, readText } from './processes.mjs';

/** The repository root (this file is scripts/servers/config.mjs). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOOPBACK = '127.0.0.1';
export const DOMAIN = 'localhost';
export const SANDBOX_DOMAIN = 'sandbox.localhost';
/** Prosody only: a host without XEP-0191 but with XEP-0016 privacy lists. */
export const PRIVACY_DOMAIN = 'privacy.localhost';
export const UPLOAD_HOST = 'upload.localhost';
export const START_TIMEOUT_MS = 30_000;
export const STOP_GRACE_MS = 5_000;

/**
 * Added to every port below, from `XMPP_PROFILE_PORT_OFFSET` (default 0), so that two checkouts (or a
 * demo beside a test run) can run their servers on one machine at the same time.
 */
export const PORT_OFFSET = portOffset(process.env.XMPP_PROFILE_PORT_OFFSET);

export const SERVERS = {
  prosody: { httpPort: 15280 + PORT_OFFSET, c2sPort: 15222 + PORT_OFFSET, wsPath: '/xmpp-websocket', boshPath: '/http-bind' },
  ejabberd: { httpPort: 25280 + PORT_OFFSET, c2sPort: 25222 + PORT_OFFSET, distPort: 25290 + PORT_OFFSET, wsPath: '/ws', boshPath: '/bosh' },
};

/** @param {string | undefined} text */
function portOffset(text) {
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 30_000) {
    throw new Error(`XMPP_PROFILE_PORT_OFFSET must be an integer from 0 to 30000, not "${text}"`);
  }
  return value;
}

/** @param {string} message */
export const defaultLog = (message) => process.stderr.write(`[servers] ${message}\n`);

// ---------------------------------------------------------------------------------------------------
// Templates

/**
 * The values of the templates' {{...}} placeholders for one start.
 * @param {(typeof SERVERS)[keyof typeof SERVERS]} spec
 * @param {string} dataDir
 * @param {string} httpBase
 * @returns {Record<string, string>}
 */
export function templateVars(spec, dataDir, httpBase) {
  return {
    DATA_DIR: dataDir,
    REPO,
    HTTP_PORT: String(spec.httpPort),
    C2S_PORT: String(spec.c2sPort),
    DIST_PORT: 'distPort' in spec ? String(spec.distPort) : '',
    NODE_NAME: `xmpp-profile-${process.pid}-${path.basename(dataDir).slice(-6).toLowerCase()}@localhost`,
    DOMAIN,
    SANDBOX_DOMAIN,
    PRIVACY_DOMAIN,
    UPLOAD_HOST,
    HTTP_BASE: httpBase,
  };
}

/**
 * @param {string} template
 * @param {string} target
 * @param {Record<string, string>} vars
 */
export function renderTemplate(template, target, vars) {
  const text = fs.readFileSync(template, 'utf8').replace(/\{\{([A-Z0-9_]+)\}\}/g, (match, key) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`${template}: unknown placeholder ${match}`);
    return value;
  });
  fs.writeFileSync(target, text);
}

// ---------------------------------------------------------------------------------------------------
// Launch

/**
 * First start: renders the config into the data folder, creates its folders, spawns Prosody.
 * @param {string} binary
 * @param {string} dataDir
 * @param {Record<string, string>} vars
 */
export function launchProsody(binary, dataDir, vars) {
  const configFile = path.join(dataDir, 'prosody.cfg.lua');
  renderTemplate(path.join(REPO, 'server/prosody/prosody.cfg.lua'), configFile, vars);
  for (const dir of ['data', 'certs']) fs.mkdirSync(path.join(dataDir, dir));
  return relaunchProsody(binary, dataDir);
}

/**
 * Spawns Prosody again on what launchProsody left in the data folder (config, accounts, rosters):
 * nothing is rendered or created. The stale pid file (the old process is gone) is removed first.
 * @param {string} binary
 * @param {string} dataDir
 */
export function relaunchProsody(binary, dataDir) {
  const configFile = path.join(dataDir, 'prosody.cfg.lua');
  const logFile = path.join(dataDir, 'prosody.log');
  fs.rmSync(path.join(dataDir, 'prosody.pid'), { force: true });
  const child = spawnLogged(binary, ['--config', configFile, '-F'], { cwd: dataDir, env: process.env }, dataDir);
  return { child, configFile, logFile };
}

/**
 * First start: renders ejabberd.yml and ejabberdctl.cfg into the data folder, creates its folders,
 * hands it to the ejabberd user, spawns ejabberd.
 * @param {string} binary
 * @param {string} dataDir
 * @param {Record<string, string>} vars
 */
export function launchEjabberd(binary, dataDir, vars) {
  const configFile = path.join(dataDir, 'ejabberd.yml');
  renderTemplate(path.join(REPO, 'server/ejabberd/ejabberd.yml'), configFile, vars);
  renderTemplate(path.join(REPO, 'server/ejabberd/ejabberdctl.cfg'), path.join(dataDir, 'ejabberdctl.cfg'), vars);
  fs.copyFileSync('/etc/ejabberd/inetrc', path.join(dataDir, 'inetrc'));
  for (const dir of ['logs', 'db', 'upload']) fs.mkdirSync(path.join(dataDir, dir));
  const user = lookupUser('ejabberd');
  chownRecursive(dataDir, user.uid, user.gid);
  return relaunchEjabberd(binary, dataDir);
}

/**
 * Spawns ejabberd again on what launchEjabberd left in the data folder: same config, same node name
 * (in ejabberdctl.cfg), so Mnesia in db/ (accounts, rosters, ...) is loaded again. Nothing is rendered
 * or created; the stale pid file is removed first, so EJABBERD_PID_PATH names the new beam.smp only.
 * @param {string} binary
 * @param {string} dataDir
 */
export function relaunchEjabberd(binary, dataDir) {
  const configFile = path.join(dataDir, 'ejabberd.yml');
  const logFile = path.join(dataDir, 'logs', 'ejabberd.log');
  fs.rmSync(path.join(dataDir, 'ejabberd.pid'), { force: true });
  const child = spawnLogged(binary, [...ejabberdctlArgs(dataDir), 'foreground'], ejabberdSpawnOptions(dataDir), dataDir);
  return { child, configFile, logFile };
}

/** @param {string} dataDir */
export function ejabberdctlArgs(dataDir) {
  return ['--config-dir', dataDir, '--logs', path.join(dataDir, 'logs'), '--spool', path.join(dataDir, 'db')];
}

/**
 * Run as the ejabberd user (ejabberdctl would otherwise `su`, adding a process between us and beam);
 * HOME holds this instance's Erlang cookie.
 * @param {string} dataDir
 */
export function ejabberdSpawnOptions(dataDir) {
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

// ---------------------------------------------------------------------------------------------------
// After the probe answers

/**
 * Prosody keeps running when a module fails to load, so an error line in its log fails the start.
 * ejabberd's log is held to the same rule (a clean start logs none).
 * @param {string} name
 * @param {string} logFile
 * @param {number} [fromByte] only the log written from this offset on (a restart appends to the log of
 *   the earlier run, shutdown included); the whole log when the file is shorter (it was truncated)
 */
export function assertNoLogErrors(name, logFile, fromByte = 0) {
  const pattern = name === 'prosody' ? /\terror\t/ : /\[(error|critical)\]/;
  const text = readText(logFile);
  const bytes = Buffer.from(text, 'utf8');
  const written = fromByte > 0 && fromByte <= bytes.length ? bytes.subarray(fromByte).toString('utf8') : text;
  const lines = written.split('\n').filter((line) => pattern.test(line));
  if (lines.length > 0) throw new Error(`${name} logged errors during start:\n${lines.join('\n')}`);
}

/**
 * The beam.smp pid that ejabberd wrote to EJABBERD_PID_PATH, checked to descend from our wrapper.
 * @param {string} dataDir
 * @param {number} wrapperPid
 */
export function readEjabberdPid(dataDir, wrapperPid) {
  const pid = Number.parseInt(readText(path.join(dataDir, 'ejabberd.pid')).trim(), 10);
  if (Number.isInteger(pid) && descendants(wrapperPid).includes(pid)) return pid;
  const beam = descendants(wrapperPid).find((child) => processName(child).startsWith('beam'));
  if (beam === undefined) throw new Error('ejabberd answers but no beam.smp process was found under ejabberdctl');
  return beam;
}
