// `npm run bench`: every benchmark in turn (codecs; session and profile, each against a local Prosody),
// each in its own process, with the same arguments (e.g. `npm run bench -- --quick`). Each bench prints
// its tables and appends them in Markdown to bench/RESULTS.md (`--markdown FILE`), which this script
// starts afresh with the machine and the date at the top.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'bench', 'RESULTS.md');
const benches = [
  ['codecs', 'bench/codecs.ts', 'parse and build of the codecs, against ltx with hand-written extraction and construction'],
  ['session', 'bench/session.ts', 'login, warm-cache login and ping round trip, against StanzaJS, Strophe.js and @xmpp/client'],
  ['profile', 'bench/profile.ts', 'profile latency, friends list, heap per idle session and throughput, against the same peers'],
];
const args = process.argv.slice(2);

/** Prosody's version: its version file, else the Debian package's, else 'unknown'. */
function prosodyVersion() {
  for (const file of ['/usr/lib/prosody/prosody.version', '/usr/local/lib/prosody/prosody.version']) {
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      if (text) return text;
    } catch {
      // not there: the next place
    }
  }
  const dpkg = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'prosody'], { encoding: 'utf8' });
  return dpkg.status === 0 && dpkg.stdout.trim() ? `${dpkg.stdout.trim()} (Debian package)` : 'unknown (not installed?)';
}

const cpus = os.cpus();
const header = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\` (scripts/bench.mjs) on ${new Date().toISOString()}${args.includes('--quick') ? ', in quick mode (fewer rounds and samples: indicative only)' : ''}.`,
  '',
  '| machine | |',
  '|:---|:---|',
  `| CPU | ${cpus[0]?.model?.trim() ?? 'unknown'}, ${cpus.length} cores (${os.availableParallelism?.() ?? cpus.length} usable) |`,
  `| memory | ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB |`,
  `| OS | ${os.type()} ${os.release()} ${os.arch()} |`,
  `| Node | ${process.version} |`,
  `| Prosody | ${prosodyVersion()} |`,
  `| load average at the start | ${os.loadavg().map((load) => load.toFixed(2)).join(' ')} (the machine may be shared: see each bench's own line) |`,
  '',
  'Each section below is one bench, in the order run; its tables are the ones it printed.',
  '',
].join('\n');
fs.writeFileSync(results, header);

let failed = 0;
for (const [name, file, what] of benches) {
  fs.appendFileSync(results, `\n## ${name} (${file})\n\n${what}.\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', file, ...args, '--markdown', results], { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    failed++;
    fs.appendFileSync(results, `\n**${name}: failed** (${result.signal ?? `exit ${result.status}`}, after ${seconds} s): its tables above are incomplete.\n`);
  } else {
    fs.appendFileSync(results, `\n_${name}: ${seconds} s._\n`);
  }
}
process.stdout.write(`\nTables written to ${path.relative(process.cwd(), results) || results}\n`);
process.exit(failed ? 1 : 0);
