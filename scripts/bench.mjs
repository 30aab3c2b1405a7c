// `npm run bench`: every benchmark in turn (codecs, then session against a local Prosody), each in its
// own process, with the same arguments (e.g. `npm run bench -- --quick`).
import { spawnSync } from 'node:child_process';

const benches = ['bench/codecs.ts', 'bench/session.ts'];
let failed = 0;
for (const bench of benches) {
  const result = spawnSync(process.execPath, ['--loader', 'ts-node/esm', '--no-warnings', bench, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
