/**
 * Fuzzing support: mutated real-server XML and random element trees, and the invariant every parser
 * keeps on them: return, or throw `StanzaParseError` (or `StanzaError`, only for an `<iq type='error'>`,
 * which is a well-formed answer of the peer, not a parse failure).
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Element } from 'ltx';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';
import { allRealTexts } from './fixtures.js';
import { xmlName, xmlText } from './arbitraries.js';

/** Mutations of a seed text: cut, insert, duplicate, truncate, swap characters. */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds);
  const junk = fc.constantFrom('<', '>', '/', "'", '"', '=', '&', ';', '<!', '<!DOCTYPE x>', '&#0;', '&#x110000;', ']]>', 'xmlns', ' ', '</a>', '<a>', '\u0000', '\uD800');
  return fc
    .tuple(seed, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.oneof(junk, xmlText(4)), fc.nat({ max: 3 })), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let out = text;
      for (const [at, len, insert, kind] of edits) {
        const i = out.length ? at % out.length : 0;
        if (kind === 0) out = out.slice(0, i) + out.slice(i + len);
        else if (kind === 1) out = out.slice(0, i) + insert + out.slice(i);
        else if (kind === 2) out = out.slice(0, i) + out.slice(i, i + len) + out.slice(i);
        else out = out.slice(0, i);
      }
      return out;
    });
}

/**
 * Random element trees over a vocabulary of names and namespaces, with random attributes (some of them
 * from `attrNames`) and text, so that parsers meet almost-right structures.
 */
export function randomElement(names: readonly string[], namespaces: readonly string[], attrNames: readonly string[] = []): fc.Arbitrary<Element> {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: xmlName });
  const attrName = attrNames.length ? fc.oneof(fc.constantFrom(...attrNames), xmlName) : xmlName;
  const attrValue = fc.oneof(xmlText(8), fc.constantFrom('0', '-1', '1e3', '99999999999999999999', 'result', 'error', 'get', 'set', 'both', 'none', 'to', 'from', 'remove', 'subscribe', 'true', 'false', 'deny', 'allow', 'jid', 'group', 'subscription', 'a@b', 'a@b/c', '@', ''));
  const attrs = fc.dictionary(attrName, attrValue, { maxKeys: 4 });
  const ns = fc.option(fc.constantFrom(...namespaces), { nil: undefined });
  const { tree } = fc.letrec<{ tree: Element; node: Element | string }>((tie) => ({
    tree: fc.tuple(name, ns, attrs, fc.array(tie('node'), { maxLength: 4 })).map(([n, xmlns, a, children]) => {
      const element = new Element(n, xmlns ? { ...a, xmlns } : a);
      for (const child of children) element.cnode(child);
      return element;
    }),
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, xmlText(6), tie('tree')),
  }));
  return tree;
}

/** Runs a parser on one input and checks the invariant. */
export function expectOnlyParseErrors(parse: (element: Element) => unknown, element: Element): void {
  try {
    parse(element);
  } catch (error) {
    if (error instanceof StanzaParseError) return;
    if (error instanceof StanzaError && element.getName() === 'iq' && element.attrs.type === 'error') return;
    assert.fail(`unexpected ${(error as Error)?.name}: ${(error as Error)?.message} on ${safeSerialize(element)}`);
  }
}

function safeSerialize(element: Element): string {
  try {
    return serialize(element);
  } catch {
    return element.toString();
  }
}

/** Checks text through `parseXml` then the parser: only `StanzaParseError` (or `StanzaError` as above). */
export function expectTextOnlyParseErrors(parse: (element: Element) => unknown, text: string): void {
  let element: Element;
  try {
    element = parseXml(text);
  } catch (error) {
    if (error instanceof StanzaParseError) return;
    assert.fail(`parseXml threw ${(error as Error)?.name}: ${(error as Error)?.message} on ${JSON.stringify(text)}`);
  }
  expectOnlyParseErrors(parse, element);
}

/**
 * The standard fuzz pair for a parser: mutated real-server stanzas (the given seeds plus every other
 * fixture), and random element trees over the parser's vocabulary.
 */
export function fuzzParser(
  parse: (element: Element) => unknown,
  vocabulary: { names: readonly string[]; namespaces: readonly string[]; attrs?: readonly string[]; seeds?: readonly string[] },
  numRuns = 300,
): void {
  const seeds = [...(vocabulary.seeds ?? []), ...allRealTexts()];
  fc.assert(fc.property(mutatedText(seeds), (text) => expectTextOnlyParseErrors(parse, text)), { numRuns });
  fc.assert(
    fc.property(randomElement(vocabulary.names, vocabulary.namespaces, vocabulary.attrs), (element) => expectOnlyParseErrors(parse, element)),
    { numRuns },
  );
}

/** Serializes then parses: what a peer would read of an element we built. */
export function throughText(element: Element): Element {
  return parseXml(serialize(element));
}
