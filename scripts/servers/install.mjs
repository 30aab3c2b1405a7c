// Installation of the real test servers for scripts/servers.mjs: the Debian packages of Prosody and
// ejabberd, only those missing (needs root and apt-get), and the stop of any daemon the packages
// started on their own. Plain JavaScript, Node built-ins only.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { defaultLog } from './config.mjs';
import { findExecutable, readText, run, seconds, tail } from './processes.mjs';

const PACKAGES = {
  prosody: ['prosody', 'prosody-modules', 'lua-unbound'],
  ejabberd: ['ejabberd', 'erlang-p1-oauth2'],
};

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
