// Test support: real headless Chromium for spec/browser/, driven by playwright-core.
//
// The browser is Debian's `chromium` (/usr/bin/chromium, installed by scripts/browser.mjs from
// scripts/bootstrap.mjs); no browser build is ever downloaded. As root it runs without its sandbox, and
// the background-networking flags keep it from trying to reach outside hosts. Each launch gets a fresh
// temporary profile folder (--user-data-dir), removed on close.
//
// Pages are served by a tiny static HTTP server on 127.0.0.1 (any free port): `/browser/...` from the
// browser build (dist/browser/ by default) and everything else from a folder of test pages. Screenshots
// go to test-output/ (ignored by git).

import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Debian's Chromium (scripts/browser.mjs installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for headless Chromium as root without outside network (shared notes, browser.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser build served under `/browser/`, unless another folder is given. */
export const DEFAULT_BUNDLE_DIR = path.join(ROOT, 'dist', 'browser');

/** Where screenshots are saved. */
export const TEST_OUTPUT_DIR = path.join(ROOT, 'test-output');

/** A running Chromium: one browser context on a fresh profile folder. */
export interface ChromiumHandle {
  readonly context: BrowserContext;
  /** The temporary --user-data-dir. */
  readonly userDataDir: string;
  /** A new tab. */
  newPage(): Promise<Page>;
  /** Closes the browser and removes its profile folder. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium from {@link CHROMIUM_PATH} with {@link CHROMIUM_ARGS} and a fresh profile.
 * @throws when Chromium is not installed (run `node scripts/browser.mjs install` as root) or fails to start.
 */
export async function launchChromium(): Promise<ChromiumHandle> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'xmpp-profile-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      chromiumSandbox: false,
      args: [...CHROMIUM_ARGS],
      viewport: { width: 900, height: 640 },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    close() {
      closed ??= context.close().finally(() => rmSync(userDataDir, { recursive: true, force: true }));
      return closed;
    },
  };
}

/** A running static HTTP server of {@link serveStatic}. */
export interface StaticServer {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly origin: string;
  /** Paths asked for, in order (to see which chunks a page loaded). */
  readonly requests: string[];
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
};

/**
 * Serves, on 127.0.0.1 and a free port, `/browser/<file>` from `bundleDir` and `/<file>` from
 * `pagesDir` (GET and HEAD only; nothing outside those folders).
 */
export async function serveStatic({ pagesDir, bundleDir = DEFAULT_BUNDLE_DIR }: { pagesDir: string; bundleDir?: string }): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const file = resolveFile(url.pathname, pagesDir, bundleDir);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (file === undefined) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then((body) => {
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    }, () => response.writeHead(404).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The file a URL path names, or undefined when it would leave its folder. */
function resolveFile(pathname: string, pagesDir: string, bundleDir: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const [base, rest] = decoded.startsWith('/browser/') ? [bundleDir, decoded.slice('/browser/'.length)] : [pagesDir, decoded.slice(1)];
  const file = path.resolve(base, rest === '' ? 'index.html' : rest);
  return file.startsWith(path.resolve(base) + path.sep) ? file : undefined;
}

/**
 * Saves a full-page screenshot of `page` as `test-output/<name>.png` and returns its path.
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
  const file = path.join(TEST_OUTPUT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Collects what a page reports on its own: uncaught errors and console errors, as text lines. A spec
 * asserts the list is empty, and shows it when not.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}
