/**
 * Text-level generators: byte-level mutations of a seed (cut, insert, duplicate, swap, truncate),
 * characters XML cannot carry put where text goes, forbidden markup (DTDs, entity tricks, comments,
 * PIs, CDATA) put at tag boundaries, seeds spliced together, and random bytes decoded as UTF-8 or
 * Latin-1. Each takes the input's generator and the target's corpus and returns the input text.
 */
import type { Corpus } from './corpus.js';
import type { Rng } from './rng.js';
import { BAD_CHARS, MARKUP, REFERENCES, STRUCTURE, VALUES } from './tricks.js';

/** A seed: the target's own seeds three times out of four, when it has any. */
export function pickSeed(rng: Rng, corpus: Corpus): string {
  if (corpus.own > 0 && (corpus.own === corpus.seeds.length || rng.chance(0.75))) return corpus.seeds[rng.int(corpus.own)] ?? '';
  return rng.pick(corpus.seeds);
}

/** A piece of junk from the dictionary or the corpus' vocabulary. */
function junk(rng: Rng, corpus: Corpus): string {
  switch (rng.int(8)) {
    case 0: return rng.pick(BAD_CHARS);
    case 1: return rng.pick(REFERENCES);
    case 2: return rng.pick(MARKUP);
    case 3: return rng.pick(VALUES);
    case 4: return corpus.values.length ? rng.pick(corpus.values) : '';
    case 5: return corpus.names.length ? `<${rng.pick(corpus.names)}>` : '<a>';
    case 6: return String.fromCharCode(rng.int(0x10000));
    default: return rng.pick(STRUCTURE);
  }
}

/** 1 to 6 random edits of a seed. */
export function mutate(rng: Rng, corpus: Corpus, seed = pickSeed(rng, corpus)): string {
  let out = seed;
  const edits = 1 + rng.size(2.6);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(out.length + 1);
    const length = rng.size(5);
    switch (rng.int(8)) {
      case 0: out = out.slice(0, at) + out.slice(at + length); break;
      case 1: case 2: out = out.slice(0, at) + junk(rng, corpus) + out.slice(at); break;
      case 3: out = out.slice(0, at) + out.slice(at, at + length) + out.slice(at); break;
      case 4: { // swap two ranges
        const other = rng.int(out.length + 1);
        const [a, b] = at < other ? [at, other] : [other, at];
        out = out.slice(0, a) + out.slice(b, b + length) + out.slice(a + length, b) + out.slice(a, a + length) + out.slice(b + length);
        break;
      }
      case 5: out = out.slice(0, at) + String.fromCharCode(rng.int(0x80)) + out.slice(at + 1); break;
      case 6: out = out.slice(0, at) + out.slice(at, at + length).toUpperCase() + out.slice(at + length); break;
      default: out = out.slice(0, at) + junk(rng, corpus) + out.slice(at + length);
    }
  }
  return out;
}

/** A seed cut at a random place: a truncated stanza or stream. */
export function truncate(rng: Rng, corpus: Corpus): string {
  const seed = pickSeed(rng, corpus);
  const cut = rng.int(seed.length + 1);
  return rng.chance(0.8) ? seed.slice(0, cut) : seed.slice(cut);
}

/** The places in an XML text where text content or an attribute value goes. */
function textPlace(rng: Rng, text: string): number {
  for (let tries = 0; tries < 4; tries++) {
    const at = rng.int(text.length);
    const c = text.charAt(at);
    if (c === '>' || c === "'" || c === '"') return at + 1;
  }
  return rng.int(text.length + 1);
}

/** Characters XML cannot carry (raw or as references) put into text and attribute values. */
export function badChars(rng: Rng, corpus: Corpus): string {
  let out = pickSeed(rng, corpus);
  const count = 1 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const at = textPlace(rng, out);
    const piece = rng.chance(0.6) ? rng.pick(BAD_CHARS) : rng.pick(REFERENCES);
    out = out.slice(0, at) + piece + out.slice(at);
  }
  return out;
}

/** Forbidden or tricky markup in front of the seed, at a tag boundary, or instead of it. */
export function markup(rng: Rng, corpus: Corpus): string {
  const seed = pickSeed(rng, corpus);
  const trick = rng.pick(MARKUP);
  switch (rng.int(4)) {
    case 0: return trick + seed;
    case 1: return seed + trick;
    case 2: {
      const at = textPlace(rng, seed);
      return seed.slice(0, at) + trick + seed.slice(at);
    }
    default: return trick;
  }
}

/** Two seeds joined: a prefix of one and a suffix of another, or one inside the other. */
export function splice(rng: Rng, corpus: Corpus): string {
  const a = pickSeed(rng, corpus);
  const b = rng.pick(corpus.seeds);
  if (rng.chance(0.5)) return a.slice(0, rng.int(a.length + 1)) + b.slice(rng.int(b.length + 1));
  const at = textPlace(rng, a);
  return a.slice(0, at) + b + a.slice(at);
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** Random bytes, decoded as UTF-8 (invalid sequences become U+FFFD) or Latin-1, or random UTF-16. */
export function randomBytes(rng: Rng): string {
  const length = rng.size(10);
  const bytes = new Uint8Array(length);
  const bias = rng.int(3); // 0: any byte; 1: mostly markup bytes; 2: mostly high bytes (broken UTF-8)
  for (let i = 0; i < length; i++) {
    if (bias === 1 && rng.chance(0.5)) bytes[i] = '<>/=\'" &;:!?[]x'.charCodeAt(rng.int(16));
    else if (bias === 2 && rng.chance(0.7)) bytes[i] = 0x80 + rng.int(0x80);
    else bytes[i] = rng.int(256);
  }
  switch (rng.int(3)) {
    case 0: return utf8.decode(bytes);
    case 1: return latin1.decode(bytes);
    default: {
      let out = '';
      for (let i = 0; i + 1 < length; i += 2) out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
      return out;
    }
  }
}
