/**
 * What a fuzz target is: a parser of the library, the inputs it is fed, and the errors it is allowed
 * to throw. The invariant of the campaign is that a target returns or throws one of its allowed typed
 * errors (an `XmppError` subclass with a documented code); anything else (a `TypeError`, a
 * `RangeError`, an error of another class or code) is a finding, as is a result that breaks one of the
 * target's checks (e.g. what `parseXml` returns must serialize and parse back to the same thing).
 */
import type { Element } from 'ltx';
import { isDeepStrictEqual } from 'node:util';
import { StanzaError, StanzaParseError, XmppError } from '../lib/errors.js';
import { parseXml, serialize } from '../lib/stanzas/xml.js';
import type { Corpus } from './corpus.js';
import { GENERATORS, STANZA_WEIGHTS, type GeneratorName } from './generators.js';
import type { Rng } from './rng.js';

/** One input: the text (for stream targets, the frames joined) and the generator that made it. */
export interface FuzzInput {
  readonly generator: string;
  readonly text: string;
  /** Stream targets: the frames (or HTTP bodies) in the order they arrive. */
  readonly frames?: readonly string[];
  /** BOSH exchange targets: the HTTP status of each answer in `frames`. */
  readonly statuses?: readonly number[];
  /** A number drawn for the run (the cut sweep: where its first cut is). */
  readonly variant?: number;
}

/** A result that breaks a target's check: a finding, as an untyped throw is. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

/** A fuzz target. */
export interface Target {
  readonly name: string;
  /** The functions it calls, for the summary. */
  readonly parses: string;
  /** Its seeds and vocabulary (built once per worker). */
  corpus(): Corpus;
  /** Makes one input. */
  generate(rng: Rng, corpus: Corpus): FuzzInput;
  /** Runs the parser: returns, throws, or (async targets) returns a promise. This is what is timed. */
  run(input: FuzzInput): unknown;
  /**
   * Checks what `run` returned (a round trip through the builder, idempotence...), after the timing:
   * throws an {@link InvariantError} when the result breaks the check.
   */
  check?(result: unknown, input: FuzzInput): void;
  readonly async?: boolean;
  /** How to count a result other than as `ok` (a stream target: how the stream ended). */
  label?(result: unknown): string;
  /** Set-up before the first input (keys for the QR targets). */
  prepare?(): Promise<void>;
  /** The code of an error the target may throw for this input; `undefined` when it may not. */
  allowed(error: unknown, input: FuzzInput): string | undefined;
}

type ErrorClass = abstract new (...args: never[]) => XmppError;

/** The code of `error` when it is an instance of one of `classes` (and, given `codes`, has one of them). */
export function codeIf(error: unknown, classes: readonly ErrorClass[], codes?: readonly string[]): string | undefined {
  if (!(error instanceof XmppError) || !classes.some((type) => error instanceof type)) return undefined;
  return codes === undefined || codes.includes(error.code) ? error.code : undefined;
}

/** Draws a generator by weight and makes the input text. */
export function generateText(rng: Rng, corpus: Corpus, weights: Readonly<Partial<Record<GeneratorName, number>>>): FuzzInput {
  const generator = rng.weighted(weights as Readonly<Record<GeneratorName, number>>);
  return { generator, text: GENERATORS[generator](rng, corpus) };
}

/** True when the input's text is an `<iq type='error'/>` (the one input an IQ payload parser answers with a StanzaError). */
function isIqError(input: FuzzInput): boolean {
  try {
    const root = parseXml(input.text);
    return root.getName() === 'iq' && root.attrs.type === 'error';
  } catch {
    return false;
  }
}

/** Options of {@link xmlTarget}. */
export interface XmlTargetOptions {
  /** The parser reads IQ answers: a `StanzaError` is allowed for an `<iq type='error'/>`. */
  readonly iqError?: boolean;
  /** Generator weights other than {@link STANZA_WEIGHTS}. */
  readonly weights?: Readonly<Partial<Record<GeneratorName, number>>>;
  /**
   * The codec's builder for what its parser returns: then every value read is written (with
   * `serialize`), read again, and must come back the same.
   */
  readonly rebuild?: (value: never) => Element;
}

const message = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Checks that `value`, read by `parse`, is written by `rebuild` and read back the same. */
function readBack(value: unknown, parse: (element: Element) => unknown, rebuild: (value: never) => Element): void {
  let text: string;
  try {
    text = serialize(rebuild(value as never));
  } catch (error) {
    throw new InvariantError(`the builder refuses what the parser read: ${message(error)}`, { cause: error });
  }
  let again: unknown;
  try {
    // Read back under limits that fit what was written: the check is the round trip, not the limits
    // (a feature list read from 1 MiB can take more once each feature carries its namespace).
    again = parse(parseXml(text, { maxLength: text.length, maxDepth: 64 }));
  } catch (error) {
    throw new InvariantError(`what the builder wrote does not read back: ${message(error)} (${text.slice(0, 300)})`, { cause: error });
  }
  if (!isDeepStrictEqual(again, value)) {
    throw new InvariantError(`read, written and read again, it differs: ${JSON.stringify(value).slice(0, 400)} then ${JSON.stringify(again).slice(0, 400)}`);
  }
}

/**
 * A target that reads XML text with `parseXml` (default limits, as the transports do) and gives the
 * element to `parse`. Allowed: `StanzaParseError` (any code), and with `iqError` a `StanzaError` for an
 * `<iq type='error'/>`. With `rebuild`, what it reads must also write and read back the same.
 */
export function xmlTarget(name: string, parses: string, corpus: () => Corpus, parse: (element: Element) => unknown, options: XmlTargetOptions = {}): Target {
  let cached: Corpus | undefined;
  return {
    name,
    parses,
    corpus: () => (cached ??= corpus()),
    generate: (rng, c) => generateText(rng, c, options.weights ?? STANZA_WEIGHTS),
    run: (input) => parse(parseXml(input.text)),
    ...(options.rebuild ? { check: (value: unknown) => readBack(value, parse, options.rebuild as (value: never) => Element) } : {}),
    allowed(error, input) {
      if (error instanceof StanzaParseError) return error.code;
      if (options.iqError && error instanceof StanzaError && isIqError(input)) return error.code;
      return undefined;
    },
  };
}
