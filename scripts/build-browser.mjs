// The browser build of `xmpp-profile` (API.md §1): `lib/index.ts` bundled with esbuild into
// dist/browser/xmpp-profile.js (ESM, minified, source maps), with `splitting` so that lazy `import()`s
// (SASLprep, the QR renderer) become chunks of their own in dist/browser/, loaded on demand; plus
// dist/browser/xmpp-profile.d.ts, which re-exports the declarations tsc emits (run
// `tsc -p tsconfig.build.json` first).
//
// The build FAILS when anything from Node is reachable (API.md §1: "No Node built-in may be reachable
// from the browser entry points"), checked twice:
// - while bundling, a plugin refuses every import of `node:*`, of a Node built-in module name (fs, path,
//   crypto, buffer, http, net, ...) and of `ws`, naming the importer; the one exception is `events`,
//   the npm package that ports Node's module to browsers (ltx needs it; see shared notes);
// - after bundling, every output file is scanned for imports or requires of those names and for any
//   use of the globals `Buffer` and `process` (which browsers do not have; `typeof process` tests are
//   allowed).
//
// Two dependencies are adjusted at bundle time, in this file only (lib/ is unchanged):
// - ltx imports `EventEmitter` from `events` for its SAX tokenizer, which only calls `on` and `emit`:
//   for ltx's own imports, a small EventEmitter with Node's semantics for `on`/`once`/`off`/`emit` (an
//   unhandled 'error' event throws) replaces the port (about 6 KB minified). Other importers get the real package.
// - @mongodb-js/saslprep's browser build decodes its code-point tables with the global `Buffer`
//   (`Buffer.from(base64)`, `readUInt32BE`, and `sparse-bitfield`/`memory-pager` on top): it throws
//   `ReferenceError: Buffer is not defined` in a browser. Its two data-access files are replaced by
//   Buffer-free equivalents (`atob` + `Uint8Array`, a bit lookup with sparse-bitfield's semantics); the
//   tables and the SASLprep algorithm are the package's own. The replacement checks that the files
//   still have the shape it was written for, and fails the build otherwise.
//
// CLI: node scripts/build-browser.mjs   (also prints the size table of scripts/size.mjs)

import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the browser build goes. */
export const OUT_DIR = path.join(ROOT, 'dist', 'browser');

/** The browser entry of the package and the name of its bundle (`<name>.js`, `<name>.d.ts`). */
export const ENTRY = { name: 'xmpp-profile', source: path.join(ROOT, 'lib', 'index.ts') };

/** Module names that only exist in Node: its built-ins (with and without `node:`) and the `ws` package. */
export const NODE_ONLY_MODULES = Object.freeze([
  ...new Set([...builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/^node:/, '')), 'ws']),
].sort());

/** Built-in names whose npm package is a browser port, allowed in the bundle. */
const BROWSER_PORTS = new Set(['events']);

/** Thrown when the bundle would need Node; `violations` says what and where. */
export class BrowserBuildError extends Error {
  /**
   * @param {string} message
   * @param {string[]} violations
   */
  constructor(message, violations) {
    super(`${message}:\n  ${violations.join('\n  ')}`);
    this.name = 'BrowserBuildError';
    this.violations = violations;
  }
}

// ---------------------------------------------------------------------------------------------------
// Build

/**
 * The esbuild options of the browser build.
 * @param {{ entryPoints?: Record<string, string>, outdir?: string }} [options]
 * @returns {esbuild.BuildOptions & { metafile: true }}
 */
export function browserBuildOptions({ entryPoints = { [ENTRY.name]: ENTRY.source }, outdir = OUT_DIR } = {}) {
  return {
    entryPoints,
    outdir,
    absWorkingDir: ROOT, // metafile paths are relative to the repository
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    minify: true,
    sourcemap: true,
    // Module scripts are always decoded as UTF-8 (HTML Standard, "fetch a single module script"), so
    // non-ASCII text needs no \u escapes.
    charset: 'utf8',
    drop: ['debugger'],
    chunkNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'silent',
    plugins: [ltxEventsPlugin(), saslprepWithoutBufferPlugin(), nodeGuardPlugin()],
  };
}

/**
 * Builds dist/browser/ afresh (the folder is emptied first) and checks the output for Node; a build
 * that fails the check is removed.
 * @param {{ entryPoints?: Record<string, string>, outdir?: string, declarations?: boolean }} [options]
 *   `declarations` (default true): write `<name>.d.ts` re-exporting tsc's `dist/index.d.ts`.
 * @returns {Promise<{ metafile: esbuild.Metafile, outdir: string }>}
 * @throws {BrowserBuildError} when a Node module or the global `Buffer` or `process` is reachable, or
 *   esbuild fails.
 */
export async function buildBrowser({ entryPoints, outdir = OUT_DIR, declarations = true } = {}) {
  fs.rmSync(outdir, { recursive: true, force: true });
  let result;
  try {
    result = await esbuild.build(browserBuildOptions({ ...(entryPoints ? { entryPoints } : {}), outdir }));
  } catch (error) {
    const failure = /** @type {esbuild.BuildFailure} */ (error);
    if (!Array.isArray(failure.errors)) throw error;
    throw new BrowserBuildError('the browser build failed', failure.errors.map(formatMessage));
  }
  const violations = scanDirectory(outdir);
  if (violations.length > 0) {
    fs.rmSync(outdir, { recursive: true, force: true }); // leave no build that would fail in browsers
    throw new BrowserBuildError('the browser build reaches Node', violations);
  }
  if (declarations) writeDeclarations(outdir);
  return { metafile: result.metafile, outdir };
}

/** @param {esbuild.Message} message */
function formatMessage(message) {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where}${message.text}`;
}

/** @param {string} outdir */
function writeDeclarations(outdir) {
  const types = path.join(ROOT, 'dist', 'index.d.ts');
  if (!fs.existsSync(types)) throw new Error(`${path.relative(ROOT, types)} is missing: run "tsc -p tsconfig.build.json" first`);
  const relative = path.relative(outdir, types).split(path.sep).join('/').replace(/\.d\.ts$/, '.js');
  fs.writeFileSync(path.join(outdir, `${ENTRY.name}.d.ts`),
    `// Types of the browser build: the declarations tsc emits for lib/index.ts.\nexport * from '${relative.startsWith('.') ? relative : `./${relative}`}';\n`);
}

// ---------------------------------------------------------------------------------------------------
// Node guard

/** `node:x`, or a Node-only name, alone or with a subpath (`fs/promises`). */
const NODE_IMPORT = new RegExp(`^(?:node:.+|(?:${NODE_ONLY_MODULES.map(escapeRegExp).join('|')})(?:/.*)?)$`);

/** esbuild plugin: refuses every import of a Node-only module (see the top of this file). */
function nodeGuardPlugin() {
  return {
    name: 'node-guard',
    /** @param {esbuild.PluginBuild} build */
    setup(build) {
      build.onResolve({ filter: NODE_IMPORT }, (args) => {
        if (BROWSER_PORTS.has(args.path)) return undefined; // the npm package of that name, resolved as usual
        const importer = args.importer ? path.relative(ROOT, args.importer) : '(entry)';
        return { errors: [{ text: `"${args.path}" is a Node-only module, not available in browsers (imported by ${importer})` }] };
      });
    },
  };
}

/** Names of Node-only modules in import/require/export-from forms of built JavaScript. */
const OUTPUT_IMPORT = new RegExp(
  `(?:\\bfrom\\s*|\\bimport\\s*\\(?\\s*|\\brequire\\s*\\(\\s*)["'\`](node:[^"'\`]+|(?:${NODE_ONLY_MODULES.map(escapeRegExp).join('|')})(?:/[^"'\`]*)?)["'\`]`,
  'g');

/** The global `Buffer` as an identifier (not `ArrayBuffer`, `x.Buffer`, `isBuffer`). */
const BUFFER_USE = /(?<![\w$.#])Buffer(?![\w$])/g;

/** Node's global `process`, except in a `typeof process` test (how portable code checks for Node). */
const PROCESS_USE = /(?<![\w$.#]|typeof\s*)process(?![\w$])/g;

/**
 * What in built JavaScript needs Node: imports or requires of Node-only modules, uses of `Buffer` and
 * of `process` (other than `typeof process`).
 * @param {string} name the file's name, for the messages
 * @param {string} text its JavaScript
 * @returns {string[]} one line per finding, with a short excerpt
 */
export function findNodeReferences(name, text) {
  const found = [];
  // Bundled output imports only its own chunks: even a browser port's name here would be unresolved.
  for (const match of text.matchAll(OUTPUT_IMPORT)) found.push(`${name}: imports "${match[1]}" (${excerpt(text, match.index)})`);
  for (const match of text.matchAll(BUFFER_USE)) found.push(`${name}: uses the global Buffer (${excerpt(text, match.index)})`);
  for (const match of text.matchAll(PROCESS_USE)) found.push(`${name}: uses the global process (${excerpt(text, match.index)})`);
  return found;
}

/**
 * {@link findNodeReferences} over every `.js` file of a build folder.
 * @param {string} dir
 * @returns {string[]}
 */
export function scanDirectory(dir) {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .sort()
    .flatMap((file) => findNodeReferences(file, fs.readFileSync(path.join(dir, file), 'utf8')));
}

/**
 * @param {string} text
 * @param {number} at
 */
function excerpt(text, at) {
  return JSON.stringify(text.slice(Math.max(0, at - 30), at + 40));
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------------
// ltx's EventEmitter

const SHIM_NAMESPACE = 'xmpp-profile-shim';

/**
 * A small EventEmitter for ltx's SAX tokenizer: Node's semantics for what it offers (listeners called
 * in order with `this` the emitter, `once` wrappers removable by the original listener, an 'error'
 * event without listener throws).
 * @see https://nodejs.org/api/events.html
 */
const EVENT_EMITTER = `
export class EventEmitter {
  constructor() { this._events = new Map(); }
  on(name, listener) { const list = this._events.get(name); if (list) list.push(listener); else this._events.set(name, [listener]); return this; }
  addListener(name, listener) { return this.on(name, listener); }
  once(name, listener) {
    const wrapper = (...args) => { this.off(name, wrapper); listener.apply(this, args); };
    wrapper.listener = listener;
    return this.on(name, wrapper);
  }
  off(name, listener) {
    const list = this._events.get(name);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) { list.splice(i, 1); break; }
      }
    }
    return this;
  }
  removeListener(name, listener) { return this.off(name, listener); }
  removeAllListeners(name) { if (name === undefined) this._events.clear(); else this._events.delete(name); return this; }
  listenerCount(name) { return this._events.get(name)?.length ?? 0; }
  emit(name, ...args) {
    const list = this._events.get(name);
    if (!list || list.length === 0) {
      if (name === 'error') throw args[0] instanceof Error ? args[0] : new Error('Unhandled error. (' + args[0] + ')');
      return false;
    }
    for (const listener of [...list]) listener.apply(this, args);
    return true;
  }
}
export default EventEmitter;
`;

/** esbuild plugin: ltx's `import { EventEmitter } from "events"` gets {@link EVENT_EMITTER}. */
function ltxEventsPlugin() {
  return {
    name: 'ltx-events',
    /** @param {esbuild.PluginBuild} build */
    setup(build) {
      build.onResolve({ filter: /^events$/ }, (args) => (
        /[\\/]node_modules[\\/]ltx[\\/]/.test(args.importer) ? { path: 'events', namespace: SHIM_NAMESPACE } : undefined));
      build.onLoad({ filter: /^events$/, namespace: SHIM_NAMESPACE }, () => ({ contents: EVENT_EMITTER, loader: 'js' }));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// SASLprep without Buffer

/** The files of @mongodb-js/saslprep's browser build that need `Buffer`, and their replacements. */
const SASLPREP_FILE = /[\\/]@mongodb-js[\\/]saslprep[\\/]dist[\\/](code-points-data-browser|memory-code-points)\.js$/;

/**
 * code-points-data-browser.js is `exports.default = Buffer.from('<base64>', 'base64')`: the same
 * bytes as a Uint8Array, decoded with `atob`.
 * @param {string} source
 * @param {string} file
 */
function codePointsDataWithoutBuffer(source, file) {
  const calls = source.match(/\bBuffer\b/g) ?? [];
  const data = /\bBuffer\.from\(\s*(['"])([A-Za-z0-9+/=]+)\1\s*,\s*(['"])base64\3\s*\)/.exec(source);
  if (!data || calls.length !== 1) throw new Error(`${file} no longer has the shape the browser build replaces (one Buffer.from(base64)): review scripts/build-browser.mjs`);
  const decode = 'function decodeBase64(text) { const bytes = atob(text); const out = new Uint8Array(bytes.length); '
    + 'for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i); return out; }\n';
  return decode + source.slice(0, data.index) + `decodeBase64(${data[1]}${data[2]}${data[1]})` + source.slice(data.index + data[0].length);
}

/**
 * memory-code-points.js reads six length-prefixed (uint32, big-endian) bit sets out of those bytes
 * and wraps each in a sparse-bitfield, of which SASLprep only calls `get(codePoint)`: bit
 * `128 >> (i & 7)` of byte `i >> 3`, false past the end. The same on a Uint8Array.
 * @param {string} source
 * @param {string} file
 */
function memoryCodePointsWithoutBuffer(source, file) {
  const expected = ['readUInt32BE(offset)', 'sparse_bitfield_1.default)({ buffer: codepoints })', 'exports.createMemoryCodePoints = createMemoryCodePoints'];
  const sets = ['unassigned_code_points', 'commonly_mapped_to_nothing', 'non_ASCII_space_characters', 'prohibited_characters', 'bidirectional_r_al', 'bidirectional_l'];
  const order = sets.map((name) => source.indexOf(`const ${name} = read();`));
  if (expected.some((part) => !source.includes(part)) || order.some((at, i) => at === -1 || (i > 0 && at < /** @type {number} */ (order[i - 1])))) {
    throw new Error(`${file} no longer has the shape the browser build replaces: review scripts/build-browser.mjs`);
  }
  return `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createMemoryCodePoints = createMemoryCodePoints;
function bitSet(bytes) {
  return { get(i) { const byte = bytes[i >> 3]; return byte !== undefined && (byte & (128 >> (i & 7))) !== 0; } };
}
function createMemoryCodePoints(data) {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  function read() {
    const size = view.getUint32(offset);
    offset += 4;
    const bits = bitSet(data.subarray(offset, offset + size));
    offset += size;
    return bits;
  }
  ${sets.map((name) => `const ${name} = read();`).join('\n  ')}
  return { ${sets.join(', ')} };
}
`;
}

/** esbuild plugin: the Buffer-free data access for @mongodb-js/saslprep (see the top of this file). */
function saslprepWithoutBufferPlugin() {
  return {
    name: 'saslprep-without-buffer',
    /** @param {esbuild.PluginBuild} build */
    setup(build) {
      build.onLoad({ filter: SASLPREP_FILE }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        const file = path.relative(ROOT, args.path);
        const contents = args.path.endsWith('memory-code-points.js')
          ? memoryCodePointsWithoutBuffer(source, file)
          : codePointsDataWithoutBuffer(source, file);
        return { contents, loader: 'js' };
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const started = Date.now();
    const { metafile } = await buildBrowser();
    process.stderr.write(`[build-browser] ${path.relative(ROOT, OUT_DIR)}/ built in ${Date.now() - started} ms, no Node module, Buffer or process reachable\n`);
    const { measureSizes, formatSizes, writeSizes } = await import('./size.mjs');
    const sizes = measureSizes(metafile, OUT_DIR);
    writeSizes(sizes, OUT_DIR);
    process.stdout.write(`${formatSizes(sizes)}\n`);
  } catch (error) {
    process.stderr.write(`[build-browser] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
