// Typed access, for the browser specs, to scripts/build-browser.mjs (plain JavaScript without a
// declaration file): loaded through a variable URL so the type check does not need its types.

import { fileURLToPath } from 'node:url';

/** An esbuild metafile, as far as the specs read it. */
export interface Metafile {
  readonly outputs: Readonly<Record<string, {
    readonly bytes: number;
    readonly entryPoint?: string;
    readonly imports: readonly { readonly path: string; readonly kind: string }[];
    readonly inputs: Readonly<Record<string, { readonly bytesInOutput: number }>>;
  }>>;
}

/** What scripts/build-browser.mjs exports. */
export interface BuildScript {
  readonly OUT_DIR: string;
  readonly ENTRY: { readonly name: string; readonly source: string };
  readonly NODE_ONLY_MODULES: readonly string[];
  buildBrowser(options?: { entryPoints?: Record<string, string>; outdir?: string; declarations?: boolean }): Promise<{ metafile: Metafile; outdir: string }>;
  findNodeReferences(name: string, text: string): string[];
  scanDirectory(dir: string): string[];
}

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Loads scripts/build-browser.mjs. */
export async function loadBuildScript(): Promise<BuildScript> {
  const url = new URL('../../scripts/build-browser.mjs', import.meta.url).href;
  return (await import(url)) as BuildScript;
}

/** The outputs of a build whose inputs include `pattern`, as paths relative to the repository. */
export function outputsWithInput(metafile: Metafile, pattern: RegExp): string[] {
  return Object.entries(metafile.outputs)
    .filter(([file, output]) => file.endsWith('.js') && Object.keys(output.inputs).some((input) => pattern.test(input)))
    .map(([file]) => file);
}
