/**
 * The fuzzer's deterministic random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counter, 32-bit
 * variant, as in PractRand), seeded through splitmix32. Every input is drawn from its own generator,
 * seeded by the campaign seed, the target's name and the input's index, so that any one input can be
 * made again alone (`--replay target:index`) whatever the number of workers or the other targets.
 *
 * @see https://pracrand.sourceforge.net/RNG_engines.txt (sfc)
 * @see https://doi.org/10.1145/2714064.2660195 (SplitMix, Steele, Lea and Flood, OOPSLA 2014)
 */

/** splitmix32's finalizer: a well-mixed 32-bit hash of a 32-bit value. */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a of a string (a target's name), 32 bits. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The seed of input `index` of a target in a campaign seeded `seed`. */
export function inputSeed(seed: number, target: string, index: number): number {
  return mix32(mix32(seed ^ hashName(target)) ^ mix32(index + 0x632be5ab));
}

/** A seeded generator with the helpers the generators need. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = mix32(seed);
    this.#b = mix32(this.#a ^ 0x5bd1e995);
    this.#c = mix32(this.#b ^ 0x1b873593);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.next(); // sfc32: discard the first outputs
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n); 0 when n <= 0. */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick from an empty array');
    return item;
  }

  /** One key of a weight table, drawn in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    let total = 0;
    for (const key in weights) total += weights[key];
    let at = (this.next() / 0x1_0000_0000) * total;
    let last: K | undefined;
    for (const key in weights) {
      last = key;
      at -= weights[key];
      if (at < 0) return key;
    }
    if (last === undefined) throw new RangeError('an empty weight table');
    return last;
  }

  /** Small sizes most of the time, sometimes larger: 1 + floor(2^(u * bits)) - 1. */
  size(bits: number): number {
    return Math.floor(2 ** ((this.next() / 0x1_0000_0000) * bits));
  }
}
