/**
 * Measure 3: heap per idle logged-in session. Each library in a child process of its own with
 * `--expose-gc` (bench/profile/heap.ts says how a figure is taken), one after the other, each session
 * logged in as its own contact (an empty roster). Some peers are run with fewer sessions or with SASL
 * PLAIN, where their logins would take minutes otherwise; the table says which.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printTable } from '../session/report.js';
import { errorText, ratio, type Context } from './context.js';
import type { HeapInput, HeapResult } from './heap.js';

const HEAP_SCRIPT = fileURLToPath(new URL('./heap.ts', import.meta.url));
const CHILD_TIMEOUT_MS = 240_000;

interface Plan {
  readonly lib: string;
  readonly count: number;
  readonly plain: boolean;
  readonly why: string;
}

function plans(ctx: Context): Plan[] {
  const sessions = ctx.settings.heap.sessions;
  const fewer = Math.min(sessions, 100);
  return ctx.drivers.map((driver): Plan => {
    switch (driver.name) {
      case 'StanzaJS':
        return { lib: driver.name, count: fewer, plain: true,
          why: fewer < sessions ? `${fewer} sessions, not ${sessions}: each idle client holds a registry of its own (near 1 MB), and its SCRAM login is slow; SASL PLAIN` : 'SASL PLAIN (its SCRAM login is slow)' };
      case '@xmpp/client':
        return { lib: driver.name, count: sessions, plain: true, why: 'SASL PLAIN: its SCRAM (PBKDF2 in JavaScript) takes 0.5-1 s per login' };
      default:
        return { lib: driver.name, count: sessions, plain: false, why: driver.name === 'ours' ? 'SDK instances (createSDK + initializeSDK + connect), SCRAM-SHA-1' : 'SCRAM-SHA-1' };
    }
  });
}

function runChild(input: HeapInput): Promise<HeapResult> {
  return new Promise<HeapResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--loader', 'ts-node/esm', '--no-warnings', HEAP_SCRIPT, JSON.stringify(input)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (line) resolve(JSON.parse(line.slice('RESULT '.length)) as HeapResult);
      else reject(new Error(`the heap process ended (${signal ?? `exit ${code}`}) without a result: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function measureHeap(ctx: Context): Promise<void> {
  const { contacts } = ctx.accounts;
  const spare = ctx.settings.throughput.sessions + 1;
  const rows: string[][] = [];
  const perSession = new Map<string, number>();
  const marginals = new Map<string, number>();
  for (const plan of plans(ctx)) {
    const count = Math.min(plan.count, contacts.length - spare - 1);
    ctx.log(`heap: ${plan.lib}, ${count} idle sessions`);
    const input: HeapInput = {
      library: plan.lib,
      server: ctx.server,
      users: contacts.slice(1, 1 + count),
      warmUser: contacts[contacts.length - spare] as string,
      plain: plan.plain,
      idleMs: ctx.settings.heap.idleMs,
    };
    try {
      const result = await runChild(input);
      const per = (result.heapAfter - result.heapBefore) / result.count;
      perSession.set(plan.lib, per);
      marginals.set(plan.lib, result.marginal);
      rows.push([plan.lib, String(result.count), mib(result.heapBefore), mib(result.heapAfter), kib(per), kib(result.marginal), kib(result.externalDelta / result.count),
        '', `${(result.loginMs / 1000).toFixed(1)} s`, plan.why]);
    } catch (error) {
      rows.push([plan.lib, '0', '-', '-', '-', '-', '-', '', '-', `failed: ${errorText(error)}`]);
    }
  }
  for (const [name, why] of ctx.failures) rows.push([name, '0', '-', '-', '-', '-', '-', '', '-', why]);
  const ours = perSession.get('ours') ?? Number.NaN;
  for (const row of rows) row[7] = ratio(perSession.get(row[0] as string) ?? Number.NaN, ours);
  printTable('Heap per idle logged-in session, WebSocket, one process per library ("heapUsed" after gc: before the sessions, with them; per session = the growth / sessions; "marginal": the growth of the second half of the sessions / their number; "external": external + arrayBuffers growth per session, outside the JS heap; "x ours": per session / ours)',
    ['library', 'sessions', 'heap before MiB', 'heap after MiB', 'per session KiB', 'marginal KiB', 'external KiB', 'x ours', 'logins took', 'note'], rows, 'lrrrrrrrrl');
  const marginal = marginals.get('ours') ?? Number.NaN;
  ctx.goals.add('heap per idle session <= 16 KiB', `${kib(ours)} KiB (marginal ${kib(marginal)} KiB)`, Number.isFinite(ours) ? ours <= 16 * 1024 : undefined);
}
