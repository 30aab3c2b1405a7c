// Sizes of the browser build (scripts/build-browser.mjs), minified and gzipped (gzip -9, node:zlib),
// from the esbuild metafile:
//   start     what an app pays at start: the entry chunk plus every chunk it imports statically;
//   lazy      each chunk loaded later by a dynamic import(), named by its main inputs ("saslprep", "qr");
//   whole SDK without QR = start + the lazy chunks that are not QR;
//   QR        the lazy chunks of the QR login (the qrcode package, lib/qr/).
// Gzip sizes are summed per file, as each file is fetched on its own. Goals (kB = 1000 bytes): whole
// SDK without QR at most 16 kB gzip, QR at most 12 kB gzip. Written to dist/browser/sizes.json too.
//
// CLI: node scripts/size.mjs   (builds dist/browser/ first, like scripts/build-browser.mjs)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Size goals, in gzip bytes. */
export const GOALS = Object.freeze({ sdkWithoutQrGzip: 16_000, qrGzip: 12_000 });

/**
 * @typedef {object} FileSize
 * @property {string} file   relative to the build folder
 * @property {number} min    bytes as built (minified)
 * @property {number} gzip   bytes after gzip -9
 */

/**
 * @typedef {object} LazyChunk
 * @property {string} name    its main inputs, e.g. "saslprep", "qr"
 * @property {boolean} qr     part of the QR login
 * @property {string} file
 * @property {number} min
 * @property {number} gzip
 * @property {{ input: string, bytes: number }[]} inputs   its largest inputs, largest first
 */

/**
 * @typedef {object} Sizes
 * @property {{ files: FileSize[], min: number, gzip: number, inputs: { input: string, bytes: number }[] }} start
 *   `inputs`: the largest inputs of the start files (minified bytes each), largest first
 * @property {LazyChunk[]} lazy
 * @property {{ min: number, gzip: number, goalGzip: number, met: boolean }} sdkWithoutQr
 * @property {{ min: number, gzip: number, goalGzip: number, met: boolean, chunks: number }} qr
 */

/**
 * Measures a build from its metafile (paths relative to the repository, as scripts/build-browser.mjs
 * sets `absWorkingDir`).
 * @param {import('esbuild').Metafile} metafile
 * @param {string} outdir the build folder
 * @param {string} [entryFile] the entry chunk's file name
 * @returns {Sizes}
 */
export function measureSizes(metafile, outdir, entryFile = 'xmpp-profile.js') {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const byFile = new Map(outputs.map(([file, output]) => [path.resolve(ROOT, file), output]));
  const entry = [...byFile.keys()].find((file) => path.resolve(outdir, entryFile) === file);
  if (entry === undefined) throw new Error(`no ${entryFile} among the outputs of the build`);

  const start = staticClosure(entry, byFile);
  const startFiles = [...start].map((file) => measureFile(file, outdir));
  const inputsOf = (/** @type {string[]} */ files) => files
    .flatMap((file) => Object.entries(byFile.get(file)?.inputs ?? {}))
    .map(([input, { bytesInOutput }]) => ({ input, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  const lazy = [...byFile.keys()].filter((file) => !start.has(file)).map((file) => {
    const inputs = inputsOf([file]);
    const labels = chunkLabels(inputs);
    return { name: labels.join('+'), qr: labels.includes('qr'), ...measureFile(file, outdir), inputs: inputs.slice(0, 8) };
  }).sort((a, b) => a.name.localeCompare(b.name));

  const sum = (/** @type {{ min: number, gzip: number }[]} */ list) => ({
    min: list.reduce((total, item) => total + item.min, 0),
    gzip: list.reduce((total, item) => total + item.gzip, 0),
  });
  const startTotal = sum(startFiles);
  const withoutQr = sum([startTotal, ...lazy.filter((chunk) => !chunk.qr)]);
  const qr = sum(lazy.filter((chunk) => chunk.qr));
  return {
    start: { files: startFiles, ...startTotal, inputs: inputsOf([...start]).slice(0, 25) },
    lazy,
    sdkWithoutQr: { ...withoutQr, goalGzip: GOALS.sdkWithoutQrGzip, met: withoutQr.gzip <= GOALS.sdkWithoutQrGzip },
    qr: { ...qr, goalGzip: GOALS.qrGzip, met: qr.gzip <= GOALS.qrGzip, chunks: lazy.filter((chunk) => chunk.qr).length },
  };
}

/**
 * The entry and every output it imports statically, transitively.
 * @param {string} entry
 * @param {Map<string, import('esbuild').Metafile['outputs'][string]>} byFile
 */
function staticClosure(entry, byFile) {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    for (const imported of byFile.get(file)?.imports ?? []) {
      const target = path.resolve(ROOT, imported.path);
      if (imported.kind === 'import-statement' && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return seen;
}

/**
 * @param {string} file
 * @param {string} outdir
 * @returns {FileSize}
 */
function measureFile(file, outdir) {
  const bytes = fs.readFileSync(file);
  return { file: path.relative(outdir, file), min: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
}

/**
 * A chunk's name: the labels of its inputs that make up at least a fifth of it (at least the largest).
 * An input is labelled by its package (scope dropped), "qr" for qrcode, lib/qr/ and lib/ files named
 * qr-*, else its file name.
 * @param {{ input: string, bytes: number }[]} inputs largest first
 */
function chunkLabels(inputs) {
  const total = inputs.reduce((sum, item) => sum + item.bytes, 0);
  const labels = inputs
    .filter((item, index) => index === 0 || item.bytes * 5 >= total)
    .map((item) => inputLabel(item.input));
  return [...new Set(labels)];
}

/** @param {string} input */
function inputLabel(input) {
  const normalized = input.split(path.sep).join('/');
  const pkg = /(?:^|\/)node_modules\/(?:@[^/]+\/)?([^/]+)\//.exec(normalized)?.[1];
  if (pkg === 'qrcode' || /^lib\/(?:qr\/|.*\/qr[-.])/.test(normalized)) return 'qr';
  if (pkg !== undefined) return pkg;
  const base = normalized.slice(normalized.lastIndexOf('/') + 1).replace(/\.[cm]?[jt]s$/, '');
  return base.slice(base.lastIndexOf(':') + 1);
}

/**
 * Writes `sizes.json` into the build folder.
 * @param {Sizes} sizes
 * @param {string} outdir
 */
export function writeSizes(sizes, outdir) {
  fs.writeFileSync(path.join(outdir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
}

/**
 * One short table of the sizes.
 * @param {Sizes} sizes
 * @returns {string}
 */
export function formatSizes(sizes) {
  const kb = (/** @type {number} */ bytes) => `${(bytes / 1000).toFixed(1)} kB`;
  const goal = (/** @type {{ gzip: number, goalGzip: number, met: boolean }} */ part, /** @type {boolean} */ present = true) => (
    present ? `goal <= ${kb(part.goalGzip)} gzip: ${part.met ? 'met' : `not met (+${kb(part.gzip - part.goalGzip)})`}` : `goal <= ${kb(part.goalGzip)} gzip: no QR chunk in the build`);
  const others = sizes.start.files.length - 1;
  const rows = [
    ['browser build', 'min', 'gzip', ''],
    [`start: ${sizes.start.files[0]?.file ?? '?'}${others > 0 ? ` + ${others} chunk${others > 1 ? 's' : ''}` : ''}`, kb(sizes.start.min), kb(sizes.start.gzip), ''],
    ...sizes.lazy.map((chunk) => [`lazy: ${chunk.name} (${chunk.file})`, kb(chunk.min), kb(chunk.gzip), '']),
    ['whole SDK without QR', kb(sizes.sdkWithoutQr.min), kb(sizes.sdkWithoutQr.gzip), goal(sizes.sdkWithoutQr)],
    ['QR', kb(sizes.qr.min), kb(sizes.qr.gzip), goal(sizes.qr, sizes.qr.chunks > 0)],
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => [
    (row[0] ?? '').padEnd(widths[0] ?? 0),
    (row[1] ?? '').padStart(widths[1] ?? 0),
    (row[2] ?? '').padStart(widths[2] ?? 0),
    row[3] ?? '',
  ].join('  ').trimEnd()).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { buildBrowser, OUT_DIR } = await import('./build-browser.mjs');
    const { metafile } = await buildBrowser();
    const sizes = measureSizes(metafile, OUT_DIR);
    writeSizes(sizes, OUT_DIR);
    process.stdout.write(`${formatSizes(sizes)}\n`);
  } catch (error) {
    process.stderr.write(`[size] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
