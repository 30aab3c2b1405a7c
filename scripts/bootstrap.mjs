// Fresh-machine pre-step of `npm test`, `npm run demo` and `npm run bench`, in plain JavaScript so
// that it runs before any dependency is installed:
// 1. installs node_modules (npm ci from the lock file) when they are missing or older than the lock;
// 2. unless `--modules` is given, installs the real test servers (Prosody, ejabberd), and with
//    `--browser` the browser of the browser specs (Chromium), from Debian's packages when they are missing (see scripts/servers.mjs
//    and scripts/browser.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[bootstrap] ${message}\n`);

function modulesMissing() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(marker)) return true;
  const lock = path.join(root, 'package-lock.json');
  return fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(marker).mtimeMs + 1000;
}

if (modulesMissing()) {
  const command = fs.existsSync(path.join(root, 'package-lock.json')) ? 'ci' : 'install';
  log(`installing node_modules (npm ${command})...`);
  const started = Date.now();
  const result = spawnSync('npm', [command, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    log(`npm ${command} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  log(`node_modules ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (!process.argv.includes('--modules')) {
  const { installServers } = await import('./servers.mjs');
  await installServers({ log });
}
if (process.argv.includes('--browser')) {
  const { installBrowser } = await import('./browser.mjs');
  await installBrowser({ log });
}
