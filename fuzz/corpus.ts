/**
 * What the fuzzer mutates: the real-server fixtures (what Prosody 0.12 and ejabberd 23.01 answered, in
 * spec/fixtures/real-server-stanzas.json, BOSH bodies cut out of the recorded transcripts) and each
 * target's own seeds, with the vocabulary read from all of them (element names, namespaces, attribute
 * names and values), so that random trees look almost right to the parsers.
 */
import { readFileSync } from 'node:fs';
import type { Element } from 'ltx';
import { parseXml } from '../lib/stanzas/xml.js';

/** Seeds and vocabulary for one target. */
export interface Corpus {
  /** Texts to mutate, the target's own first. */
  readonly seeds: readonly string[];
  /** How many of `seeds` are the target's own (drawn more often than the shared fixtures). */
  readonly own: number;
  readonly names: readonly string[];
  readonly namespaces: readonly string[];
  readonly attrNames: readonly string[];
  readonly values: readonly string[];
}

type Fixtures = Record<string, { prosody?: string[]; ejabberd?: string[]; transcript?: string[] }>;

let fixtures: Fixtures | undefined;

function loadFixtures(): Fixtures {
  fixtures ??= JSON.parse(readFileSync(new URL('../spec/fixtures/real-server-stanzas.json', import.meta.url), 'utf8')) as Fixtures;
  return fixtures;
}

/** Every stanza a real server sent, as text. */
export function fixtureStanzas(): string[] {
  return Object.values(loadFixtures()).flatMap((entry) => [...(entry.prosody ?? []), ...(entry.ejabberd ?? [])]);
}

/** The stanzas of the fixtures whose title contains `part` (case-insensitive). */
export function fixturesTitled(part: string): string[] {
  const wanted = part.toLowerCase();
  return Object.entries(loadFixtures())
    .filter(([title]) => title.toLowerCase().includes(wanted))
    .flatMap(([, entry]) => [...(entry.prosody ?? []), ...(entry.ejabberd ?? [])]);
}

/** The `<body/>` texts of the recorded BOSH transcripts, both directions. */
export function fixtureBoshBodies(): string[] {
  const bodies: string[] = [];
  for (const [title, entry] of Object.entries(loadFixtures())) {
    if (!title.startsWith('BOSH')) continue;
    for (const line of entry.transcript ?? []) {
      const at = line.indexOf('<body');
      if (at !== -1) bodies.push(line.slice(at));
    }
  }
  return bodies;
}

/** Every attribute value and text of the fixtures that looks like a JID. */
export function fixtureJids(): string[] {
  const found = new Set<string>();
  for (const element of parsedFixtures()) {
    walk(element, (node) => {
      for (const key of ['to', 'from', 'jid']) {
        const value: unknown = node.attrs[key];
        if (typeof value === 'string') found.add(value);
      }
      if (node.getName() === 'jid') found.add(node.getText());
    });
  }
  return [...found];
}

let parsed: Element[] | undefined;

function parsedFixtures(): Element[] {
  parsed ??= [...fixtureStanzas(), ...fixtureBoshBodies()].flatMap((text) => {
    try {
      return [parseXml(text)];
    } catch {
      return []; // a transcript line that is not one element (the client's side, abbreviated)
    }
  });
  return parsed;
}

function walk(element: Element, visit: (element: Element) => void): void {
  visit(element);
  for (const child of element.children) if (typeof child !== 'string') walk(child, visit);
}

let shared: Omit<Corpus, 'seeds' | 'own'> | undefined;

/** The vocabulary of the fixtures and of the given extra seeds. */
function vocabulary(extra: readonly string[]): Omit<Corpus, 'seeds' | 'own'> {
  const names = new Set<string>();
  const namespaces = new Set<string>();
  const attrNames = new Set<string>();
  const values = new Set<string>();
  const elements = [...parsedFixtures()];
  for (const text of extra) {
    try {
      elements.push(parseXml(text));
    } catch {
      // a seed that is not XML (a JID, a payload) adds no vocabulary
    }
  }
  for (const element of elements) {
    walk(element, (node) => {
      names.add(node.name);
      for (const [key, value] of Object.entries(node.attrs as Record<string, unknown>)) {
        if (typeof value !== 'string') continue;
        if (key === 'xmlns' || key.startsWith('xmlns:')) namespaces.add(value);
        attrNames.add(key);
        if (value.length <= 64) values.add(value);
      }
    });
  }
  return { names: [...names], namespaces: [...namespaces], attrNames: [...attrNames], values: [...values] };
}

/**
 * The corpus of a target: its own seeds, then (unless `ownOnly`) every fixture stanza, with the
 * shared vocabulary enlarged by its seeds.
 */
export function corpusOf(own: readonly string[], options: { readonly ownOnly?: boolean } = {}): Corpus {
  shared ??= vocabulary([]);
  const extra = own.length ? vocabulary(own) : shared;
  const seeds = options.ownOnly ? [...own] : [...own, ...fixtureStanzas()];
  return { seeds, own: own.length, ...extra };
}
