// The browser build (scripts/build-browser.mjs, API.md §1): nothing from Node is reachable from the
// browser entry, the check fails a build that reaches Node, SASLprep is a lazy chunk, and the two
// bundle-time replacements (ltx's EventEmitter, SASLprep's Buffer-free tables) behave as the originals.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import nodeSaslprep from '@mongodb-js/saslprep';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { loadBuildScript, outputsWithInput, ROOT, type BuildScript, type Metafile } from './build-script.js';

/** What a function gives: its value, or the message of what it threw. */
function outcome<T>(run: () => T): { value: T } | { thrown: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { thrown: error instanceof Error ? error.message : String(error) };
  }
}

describe('browser build', function () {
  this.timeout(30_000);
  let script: BuildScript;
  let dir: string;

  before(async () => {
    script = await loadBuildScript();
    dir = mkdtempSync(path.join(tmpdir(), 'xmpp-profile-build-spec-'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n'); // the builds below are ESM
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('of lib/index.ts', () => {
    let outdir: string;
    let metafile: Metafile;

    before(async () => {
      outdir = path.join(dir, 'sdk');
      ({ metafile } = await script.buildBrowser({ outdir, declarations: false }));
    });

    it('reaches no Node module and no Buffer (the output scanned afresh)', () => {
      assert.deepEqual(script.scanDirectory(outdir), []);
      const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
      assert.ok(inputs.includes('lib/index.ts'));
      assert.deepEqual(inputs.filter((input) => /node_modules\/(ws|events|memory-pager|sparse-bitfield)\//.test(input)), []);
    });

    it('puts SASLprep in a chunk loaded only by a dynamic import()', () => {
      const chunks = outputsWithInput(metafile, /@mongodb-js\/saslprep\//);
      assert.equal(chunks.length, 1, `SASLprep in ${chunks.join(', ')}`);
      const chunk = chunks[0]!;
      const importers = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.path === chunk));
      assert.ok(importers.length > 0);
      assert.deepEqual([...new Set(importers.map((entry) => entry.kind))], ['dynamic-import']);
      const entry = Object.entries(metafile.outputs).find(([file]) => file.endsWith(`/${script.ENTRY.name}.js`));
      assert.ok(entry, 'the entry chunk');
      assert.ok(!Object.keys(entry[1].inputs).some((input) => input.includes('saslprep/dist')), 'SASLprep is not in the entry chunk');
    });
  });

  describe('the Node check', () => {
    /** Builds a one-file entry and resolves with the error it fails with. */
    async function failure(name: string, source: string): Promise<Error> {
      const file = path.join(dir, `${name}.ts`);
      writeFileSync(file, source);
      try {
        await script.buildBrowser({ entryPoints: { [name]: file }, outdir: path.join(dir, `out-${name}`), declarations: false });
      } catch (error) {
        assert.ok(error instanceof Error);
        return error;
      }
      return assert.fail(`the build of ${name} did not fail`);
    }

    it('fails the build on node:*, Node built-in names (with subpaths) and ws, naming the importer', async () => {
      for (const [name, specifier] of [
        ['node-prefix', 'node:crypto'], ['bare-fs', 'fs'], ['subpath', 'fs/promises'], ['buffer', 'buffer'],
        ['path', 'path'], ['http', 'http'], ['net', 'net'], ['ws', 'ws'],
      ] as const) {
        const error = await failure(name, `import * as m from '${specifier}';\nexport const keys = Object.keys(m);\n`);
        assert.equal(error.name, 'BrowserBuildError', error.message);
        assert.match(error.message, new RegExp(`"${specifier}" is a Node-only module`));
        assert.match(error.message, new RegExp(`imported by .*${name}\\.ts`));
      }
      const lazy = await failure('lazy', 'export const load = () => import(\'node:zlib\');\n');
      assert.match(lazy.message, /"node:zlib" is a Node-only module/);
    });

    it('fails the build on a use of the global Buffer or process', async () => {
      const error = await failure('global-buffer', 'export const bytes = (text: string) => Buffer.from(text, \'base64\');\n');
      assert.equal(error.name, 'BrowserBuildError');
      assert.match(error.message, /reaches Node/);
      assert.match(error.message, /global-buffer\.js: uses the global Buffer/);
      const env = await failure('global-process', 'export const debug = () => process.env.DEBUG === \'1\';\n');
      assert.match(env.message, /global-process\.js: uses the global process/);
    });

    it('tells a use of Buffer or an import of a Node module from lookalikes in built code', () => {
      for (const clean of [
        'const b=new ArrayBuffer(8);x instanceof SharedArrayBuffer', 'o.isBuffer(x)', 'a.Buffer=1', 'class BitBuffer{}',
        'import{a}from"./chunk-X.js"', 'import("./saslprep-Y.js")', 'this.#Buffer=1', 'const s="fs"', 'x.require("path2")', 'from"wss"',
        'typeof process<"u"', 'typeof process == "undefined"', 'this.#process(1)', 'a.process()', 'processing',
      ]) assert.deepEqual(script.findNodeReferences('clean.js', clean), [], clean);
      for (const [dirty, what] of [
        ['Buffer.from("x")', 'Buffer'], ['(0,Buffer)', 'Buffer'], ['import*as f from"node:fs"', 'node:fs'],
        ['import("node:crypto")', 'node:crypto'], ['require("fs")', 'fs'], ['require(\'path\')', 'path'],
        ['import{WebSocket}from"ws"', 'ws'], ['export*from"fs/promises"', 'fs/promises'], ['import"events"', 'events'],
        ['c=process.env.X?1:2', 'process'], ['(0,process.nextTick)(f)', 'process'],
      ] as const) {
        const found = script.findNodeReferences('dirty.js', dirty);
        assert.equal(found.length, 1, `${dirty}: ${JSON.stringify(found)}`);
        assert.ok(found[0]!.includes(what), found[0]);
      }
    });

    it('names every Node built-in and ws among the Node-only modules', async () => {
      const { builtinModules } = await import('node:module');
      for (const name of [...builtinModules.filter((n) => !n.startsWith('_')).map((n) => n.replace(/^node:/, '')), 'ws']) {
        assert.ok(script.NODE_ONLY_MODULES.includes(name), name);
      }
    });
  });

  describe('bundle-time replacements', () => {
    it('SASLprep without Buffer answers exactly as @mongodb-js/saslprep does in Node', async () => {
      const outdir = path.join(dir, 'saslprep');
      const { metafile } = await script.buildBrowser({
        entryPoints: { saslprep: path.join(ROOT, 'node_modules/@mongodb-js/saslprep/dist/browser.js') },
        outdir,
        declarations: false,
      });
      assert.deepEqual(script.scanDirectory(outdir), []);
      assert.ok(Object.keys(metafile.outputs[path.relative(ROOT, path.join(outdir, 'saslprep.js'))]?.inputs ?? {})
        .some((input) => input.endsWith('code-points-data-browser.js')));
      const bundled = ((await import(pathToFileURL(path.join(outdir, 'saslprep.js')).href)) as { default: typeof nodeSaslprep }).default;
      // RFC 4013 §3 examples, and each table: mapped to nothing, non-ASCII space, prohibited, bidi, unassigned.
      for (const input of ['I\u00ADX', 'user', 'USER', '\u00AA', '\u2168', '\u0007', '\u0627\u0031', 'a\u00A0b', '\u200Bx',
        '\u0627\u0628', '\u0627a\u0628', 'p\u00E4ss', '\uD83D\uDE00', '\u0221', '\uFFFD', '\uDB40\uDC01', 'x\u2028y', '\u05D0\u05D1\u05D2']) {
        for (const allowUnassigned of [false, true]) {
          assert.deepEqual(outcome(() => bundled(input, { allowUnassigned })), outcome(() => nodeSaslprep(input, { allowUnassigned })),
            `${JSON.stringify(input)} allowUnassigned=${allowUnassigned}`);
        }
      }
      fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean(), (input, allowUnassigned) => {
        assert.deepEqual(outcome(() => bundled(input, { allowUnassigned })), outcome(() => nodeSaslprep(input, { allowUnassigned })));
      }), { numRuns: 3000 });
    });

    it('ltx with the small EventEmitter parses and refuses XML exactly as in Node', async () => {
      const outdir = path.join(dir, 'xml');
      const { metafile } = await script.buildBrowser({ entryPoints: { xml: path.join(ROOT, 'lib/stanzas/xml.ts') }, outdir, declarations: false });
      const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
      assert.ok(inputs.includes('xmpp-profile-shim:events') && !inputs.some((input) => input.includes('node_modules/events/')), inputs.join(', '));
      const bundled = (await import(pathToFileURL(path.join(outdir, 'xml.js')).href)) as { parseXml: typeof parseXml; serialize: typeof serialize };
      const parsed = (xml: (text: string) => unknown) => (text: string) => {
        try {
          return { value: xml(text) };
        } catch (error) {
          return { code: (error as { code?: unknown }).code };
        }
      };
      const fixtures = JSON.parse(readFileSync(path.join(ROOT, 'spec/fixtures/real-server-stanzas.json'), 'utf8')) as Record<string, Record<string, string[]>>;
      const texts = [
        ...Object.values(fixtures).flatMap((byServer) => Object.values(byServer).flat()),
        '<a>x<![CDATA[<y>]]>z</a>', '<a><b></a>', '<a/><b/>', '<!DOCTYPE a><a/>', '<a>&unknown;</a>', '<a b="&lt;&#x41;"/>', '',
      ];
      assert.ok(texts.length > 20);
      for (const text of texts) {
        assert.deepEqual(parsed((t) => bundled.serialize(bundled.parseXml(t)))(text), parsed((t) => serialize(parseXml(t)))(text), text);
      }
    });
  });

  it('dist/browser/ as last built by the build script reaches no Node module, with its .d.ts re-exporting tsc\'s types', function () {
    const built = path.join(script.OUT_DIR, `${script.ENTRY.name}.js`);
    if (!existsSync(built)) this.skip(); // not built yet: `npm run build` (npm test builds it before the specs)
    assert.deepEqual(script.scanDirectory(script.OUT_DIR), []);
    assert.equal(readFileSync(path.join(script.OUT_DIR, `${script.ENTRY.name}.d.ts`), 'utf8').split('\n').find((line) => line.startsWith('export')),
      'export * from \'../index.js\';');
    const sizes = JSON.parse(readFileSync(path.join(script.OUT_DIR, 'sizes.json'), 'utf8')) as { start: { gzip: number; files: { file: string }[] } };
    assert.equal(sizes.start.files[0]?.file, `${script.ENTRY.name}.js`);
    assert.ok(sizes.start.gzip > 0);
  });
});
