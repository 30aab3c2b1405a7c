// The real browser of the browser specs (spec/browser/): Debian's `chromium` package, driven by
// playwright-core through `/usr/bin/chromium`. Installed with apt-get when missing, the way
// scripts/servers.mjs installs the test servers; no browser build is ever downloaded by playwright.
// Plain JavaScript, Node built-ins only (it runs from scripts/bootstrap.mjs).
//
// CLI: node scripts/browser.mjs install

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findExecutable, run, seconds, tail } from './servers/processes.mjs';

/** Where the specs expect the browser (spec/support/chromium.ts). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's package of it. */
const PACKAGE = 'chromium';

/** @param {string} message */
const defaultLog = (message) => process.stderr.write(`[browser] ${message}\n`);

/**
 * Installs Debian's `chromium` package when `/usr/bin/chromium` is missing. Needs root and apt-get.
 * @param {{ log?: (message: string) => void }} [options]
 * @returns {Promise<{ installed: string[] }>}
 */
export async function installBrowser({ log = defaultLog } = {}) {
  if (isExecutable(CHROMIUM_PATH)) {
    log(`install: nothing to do (${CHROMIUM_PATH} present)`);
    return { installed: [] };
  }
  if (!findExecutable('apt-get')) throw new Error(`install: ${CHROMIUM_PATH} is missing and apt-get is not available`);
  if (process.getuid?.() !== 0) throw new Error(`install: ${CHROMIUM_PATH} is missing; run as root (apt-get install ${PACKAGE})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log('install: apt-get update');
  await runChecked('apt-get', ['update'], env, log);
  log(`install: apt-get install ${PACKAGE}`);
  await runChecked('apt-get', ['install', '-y', '--no-install-recommends', PACKAGE], env, log);
  if (!isExecutable(CHROMIUM_PATH)) throw new Error(`install: ${CHROMIUM_PATH} still missing after apt-get install ${PACKAGE}`);
  log(`install: done (${PACKAGE})`);
  return { installed: [PACKAGE] };
}

/** @param {string} file */
function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {(message: string) => void} log
 */
async function runChecked(command, args, env, log) {
  const started = Date.now();
  const { code, output } = await run(command, args, { env });
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail(output, 30)}`);
  log(`  ${command} ${args[0]} ok (${seconds(Date.now() - started)})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command] = process.argv.slice(2);
  if (command !== 'install') {
    process.stderr.write('usage: node scripts/browser.mjs install\n');
    process.exit(2);
  }
  installBrowser().catch((error) => {
    process.stderr.write(`[browser] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
