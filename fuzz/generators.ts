/**
 * The named input generators and the weights a target draws them with. XML targets use
 * {@link XML_WEIGHTS} or {@link STANZA_WEIGHTS}: mutations and tree edits of the real-server fixtures,
 * then the attacks (characters XML cannot carry, DTD and entity tricks, truncation, deep nesting, huge
 * inputs, random bytes). Text targets (JIDs, base64, QR payloads) use {@link TEXT_WEIGHTS} or
 * {@link LIMITED_TEXT_WEIGHTS} and a generator of their own.
 */
import type { Corpus } from './corpus.js';
import { badChars, markup, mutate, pickSeed, randomBytes, splice, truncate } from './mutations.js';
import type { Rng } from './rng.js';
import { deepNesting, fill, huge, randomTree, treeEdit } from './trees.js';

/** A generator: the input's random numbers and the target's corpus in, the input text out. */
export type Generator = (rng: Rng, corpus: Corpus) => string;

const MiB = 1_048_576;

/**
 * A text seed grown by 64 KiB to 4 MiB (`huge-text`), or by 50 MB (`huge-text-50mb`, for the parsers
 * with a length limit; the others decode 50 MB in time linear in it, which is no hang but takes longer
 * than the bound). The filler is made once per worker.
 */
function hugeTextOf(rng: Rng, corpus: Corpus, sizes: readonly number[]): string {
  const size = rng.pick(sizes);
  const text = fill('x', size, size);
  const seed = pickSeed(rng, corpus);
  const at = rng.int(seed.length + 1);
  return seed.slice(0, at) + text + seed.slice(at);
}

/** Every generator, by name. */
export const GENERATORS = {
  seed: (rng: Rng, corpus: Corpus) => pickSeed(rng, corpus),
  mutate: (rng: Rng, corpus: Corpus) => mutate(rng, corpus),
  tree: treeEdit,
  'random-tree': randomTree,
  truncate,
  'bad-chars': badChars,
  markup,
  splice,
  deep: deepNesting,
  huge,
  'huge-text': (rng: Rng, corpus: Corpus) => hugeTextOf(rng, corpus, [64 * 1024, MiB, 4 * MiB]),
  'huge-text-50mb': (rng: Rng, corpus: Corpus) => hugeTextOf(rng, corpus, [50 * MiB]),
  bytes: (rng: Rng) => randomBytes(rng),
} satisfies Record<string, Generator>;

/** The name of a generator. */
export type GeneratorName = keyof typeof GENERATORS;

/** Weights for the targets of XML itself (`parseXml`, the BOSH body): mostly text that is not quite XML. */
export const XML_WEIGHTS: Readonly<Partial<Record<GeneratorName, number>>> = {
  seed: 2, mutate: 24, tree: 26, 'random-tree': 8, truncate: 8, 'bad-chars': 9, markup: 8, splice: 6, deep: 3, huge: 1, bytes: 5,
};

/**
 * Weights for the codecs, which read elements: mostly tree edits, which stay well-formed XML (about
 * 95% of them), so that about half of the inputs get past `parseXml` to the codec.
 */
export const STANZA_WEIGHTS: Readonly<Partial<Record<GeneratorName, number>>> = {
  seed: 4, mutate: 14, tree: 45, 'random-tree': 10, truncate: 6, 'bad-chars': 5, markup: 4, splice: 5, deep: 3, huge: 1, bytes: 3,
};

/** Weights for targets that read short text with no length limit (base64, integers). */
export const TEXT_WEIGHTS: Readonly<Partial<Record<GeneratorName, number>>> = {
  seed: 4, mutate: 40, truncate: 12, 'bad-chars': 12, splice: 10, 'huge-text': 1, bytes: 11,
};

/** Weights for targets that read short text with a length limit (JIDs, QR payloads). */
export const LIMITED_TEXT_WEIGHTS: Readonly<Partial<Record<GeneratorName, number>>> = { ...TEXT_WEIGHTS, 'huge-text-50mb': 0.5 };
