/**
 * The targets that read text: `parseXml` itself (checked to give what `serialize` writes back the same
 * way: RFC 6120 §11 XML in, XML 1.0 out), JIDs (RFC 7622; parsing is checked to be idempotent, so that
 * a normalized JID reads as itself), XEP-0106 escaping (checked to be reversible, as documented),
 * base64 and base64url (RFC 4648) and the unsigned integers the codecs read.
 */
import type { Element } from 'ltx';
import { JidError, StanzaParseError } from '../lib/errors.js';
import {
  escapeLocal, fullJid, jidEquals, parseBase64, parseBase64Url, parseJid, parseUnsigned, parseXml, serialize, toBareJid,
  unescapeLocal, type Jid,
} from '../lib/stanzas/index.js';
import { corpusOf, fixtureBoshBodies, fixtureJids, fixtureStanzas, type Corpus } from './corpus.js';
import { LIMITED_TEXT_WEIGHTS, TEXT_WEIGHTS, XML_WEIGHTS, type GeneratorName } from './generators.js';
import type { Rng } from './rng.js';
import { builtSeeds } from './seeds.js';
import { codeIf, generateText, InvariantError, type FuzzInput, type Target } from './target.js';
import { JID_PARTS, VALUES } from './tricks.js';

interface TextTargetInit {
  readonly name: string;
  readonly parses: string;
  readonly corpus: () => Corpus;
  readonly run: (text: string, variant: number) => unknown;
  /** The check of the result, untimed (see {@link Target.check}). */
  readonly check?: (result: unknown, text: string) => void;
  readonly allowed: (error: unknown) => string | undefined;
  readonly weights?: Readonly<Partial<Record<GeneratorName, number>>>;
  /** A generator of the target's own, drawn one time in four. */
  readonly own?: (rng: Rng) => string;
  readonly label?: (result: unknown) => string;
}

function textTarget(init: TextTargetInit): Target {
  let cached: Corpus | undefined;
  return {
    name: init.name,
    parses: init.parses,
    corpus: () => (cached ??= init.corpus()),
    generate(rng, corpus): FuzzInput {
      if (init.own && rng.chance(0.25)) return { generator: 'shaped', text: init.own(rng), variant: rng.next() };
      return { ...generateText(rng, corpus, init.weights ?? TEXT_WEIGHTS), variant: rng.next() };
    },
    run: (input) => init.run(input.text, input.variant ?? 0),
    ...(init.check ? { check: (result: unknown, input: FuzzInput) => init.check?.(result, input.text) } : {}),
    allowed: (error) => init.allowed(error),
    ...(init.label ? { label: init.label } : {}),
  };
}

/** The round trip of what parseXml returned: it serializes, and that text parses to the same. */
function xmlRoundTrip(element: Element): void {
  let once: string;
  try {
    once = serialize(element);
  } catch (error) {
    throw new InvariantError(`parseXml accepted what serialize refuses: ${(error as Error).message}`, { cause: error });
  }
  let again: string;
  try {
    again = serialize(parseXml(once, { maxLength: 8 * once.length + 64 }));
  } catch (error) {
    throw new InvariantError(`serialize wrote what parseXml refuses: ${(error as Error).message}`, { cause: error });
  }
  if (again !== once) throw new InvariantError('serialize(parseXml(serialize(element))) differs from serialize(element)');
}

/**
 * Documents up to this length are cut at every place in each input; longer ones at this many places,
 * evenly, from a first place drawn for the input, so that the inputs of one document cover every place.
 */
const CUTS = 512;

/**
 * A stream cut at every place: every strict prefix of a document must be refused with a
 * `StanzaParseError`, unless all that was cut off is white space after the root.
 */
function everyCut(text: string, variant: number): number {
  const step = Math.max(1, text.length / CUTS);
  for (let at = (variant % 1024) / 1024 * step; at < text.length; at += step) {
    const cut = Math.floor(at);
    let read = false;
    try {
      parseXml(text.slice(0, cut));
      read = true;
    } catch (error) {
      if (!(error instanceof StanzaParseError)) throw error;
    }
    if (read && text.slice(cut).trim() !== '') throw new InvariantError(`the document cut at ${cut} of ${text.length} reads as a whole: ${JSON.stringify(text.slice(0, cut))}`);
  }
  return text.length;
}

/** The idempotence of parseJid: the written form of a parsed JID parses to the same parts. */
function jidRoundTrip(jid: Jid, text: string): void {
  const written = fullJid(jid);
  let again;
  try {
    again = parseJid(written);
  } catch (error) {
    throw new InvariantError(`parseJid refuses its own output '${written}' (from '${text}')`, { cause: error });
  }
  if (again.local !== jid.local || again.domain !== jid.domain || again.resource !== jid.resource) {
    throw new InvariantError(`parseJid is not idempotent: '${text}' reads as '${written}', which reads as '${fullJid(again)}'`);
  }
  if (!jidEquals(text, written) || toBareJid(written) !== toBareJid(text)) throw new InvariantError(`'${text}' and its own normal form differ`);
}

/** escapeLocal, checked reversible by unescapeLocal (XEP-0106 §4). */
function escapingRoundTrip(escaped: string, text: string): void {
  if (unescapeLocal(escaped) !== text) throw new InvariantError(`unescapeLocal(escapeLocal('${text}')) is '${unescapeLocal(escaped)}'`);
}

function jidShaped(rng: Rng): string {
  const part = (): string => {
    let out = '';
    const pieces = 1 + rng.int(3);
    for (let i = 0; i < pieces; i++) out += rng.pick(JID_PARTS);
    return out;
  };
  return (rng.chance(0.7) ? part() + '@' : '') + part() + (rng.chance(0.5) ? '/' + part() : '');
}

function base64Shaped(rng: Rng): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n\t=';
  let out = '';
  const length = rng.size(9);
  for (let i = 0; i < length; i++) out += alphabet.charAt(rng.int(alphabet.length));
  return out;
}

const base64Seeds = (): Corpus => corpusOf(['', '=', 'AA==', 'AAA=', 'AAAA', 'iVBORw0KGgo=', 'biwsbj1hbGljZSxyPWFiYw==', 'YQ', 'YWI', '-_-_', 'AA\r\nAA=='], { ownOnly: true });

/** Every text target. */
export function textTargets(): Target[] {
  return [
    textTarget({
      name: 'xml', parses: 'parseXml (+ serialize, round trip)', corpus: () => corpusOf(fixtureStanzas()), run: (text) => parseXml(text),
      check: (element) => xmlRoundTrip(element as Element),
      allowed: (error) => codeIf(error, [StanzaParseError]), weights: XML_WEIGHTS,
    }),
    textTarget({
      name: 'xml-every-cut', parses: 'parseXml of every prefix of a document',
      corpus: () => corpusOf([...fixtureStanzas(), ...fixtureBoshBodies(), ...Object.values(builtSeeds()).flat()], { ownOnly: true }),
      run: everyCut, allowed: (error) => codeIf(error, [StanzaParseError]), weights: { seed: 1 }, label: () => 'every prefix refused',
    }),
    textTarget({
      name: 'jid', parses: 'parseJid, fullJid, toBareJid, jidEquals (idempotence)', corpus: () => corpusOf(fixtureJids(), { ownOnly: true }),
      run: (text) => parseJid(text), check: (jid, text) => jidRoundTrip(jid as Jid, text),
      allowed: (error) => codeIf(error, [JidError]), own: jidShaped, weights: LIMITED_TEXT_WEIGHTS,
    }),
    textTarget({
      name: 'jid-escaping', parses: 'escapeLocal, unescapeLocal (reversible)', corpus: () => corpusOf(['Alice Smith', 'a\\20b', 'x@y/z', "d'artagnan", 'a\\5c20'], { ownOnly: true }),
      run: (text) => escapeLocal(text), check: (escaped, text) => escapingRoundTrip(escaped as string, text),
      allowed: (error) => codeIf(error, [JidError]), own: jidShaped,
    }),
    textTarget({ name: 'base64', parses: 'parseBase64', corpus: base64Seeds, run: parseBase64, allowed: (error) => codeIf(error, [StanzaParseError], ['STANZA_INVALID_VALUE']), own: base64Shaped }),
    textTarget({ name: 'base64url', parses: 'parseBase64Url', corpus: base64Seeds, run: parseBase64Url, allowed: (error) => codeIf(error, [StanzaParseError], ['STANZA_INVALID_VALUE']), own: base64Shaped }),
    textTarget({
      name: 'unsigned', parses: 'parseUnsigned', corpus: () => corpusOf(VALUES.filter((value) => value.length < 24), { ownOnly: true }),
      run: (text) => parseUnsigned(text, 'n'),
      check: (n, text) => {
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new InvariantError(`parseUnsigned('${text}') is ${String(n)}`);
      },
      allowed: (error) => codeIf(error, [StanzaParseError], ['STANZA_INVALID_VALUE']),
    }),
  ];
}
