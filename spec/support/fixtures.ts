/**
 * Golden fixtures: what Prosody 0.12.3 and ejabberd 23.01 really answered, byte for byte, kept in
 * `spec/fixtures/real-server-stanzas.json` (one entry per exchange, one array per server).
 */
import { readFileSync } from 'node:fs';
import type { Element } from 'ltx';
import { parseXml } from '../../lib/stanzas/xml.js';

type Fixtures = Record<string, { prosody?: string[]; ejabberd?: string[]; transcript?: string[] }>;

const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/real-server-stanzas.json', import.meta.url), 'utf8'),
) as Fixtures;

/** The raw XML text a real server sent for the named exchange. */
export function realText(title: string, server: 'prosody' | 'ejabberd', index = 0): string {
  const text = fixtures[title]?.[server]?.[index];
  if (text === undefined) throw new Error(`no fixture '${title}' for ${server} #${index}`);
  return text;
}

/** The parsed element a real server sent for the named exchange. */
export function realStanza(title: string, server: 'prosody' | 'ejabberd', index = 0): Element {
  return parseXml(realText(title, server, index));
}

/** Every stanza of an exchange, from both servers. */
export function realTexts(title: string): string[] {
  const entry = fixtures[title];
  if (!entry) throw new Error(`no fixture '${title}'`);
  return [...(entry.prosody ?? []), ...(entry.ejabberd ?? [])];
}

/** Every stanza text of every exchange: seeds for mutation fuzzing. */
export function allRealTexts(): string[] {
  return Object.values(fixtures).flatMap((entry) => [...(entry.prosody ?? []), ...(entry.ejabberd ?? [])]);
}

/** The lines of a recorded transcript (BOSH, tokens). */
export function transcript(title: string): string[] {
  const lines = fixtures[title]?.transcript;
  if (!lines) throw new Error(`no transcript '${title}'`);
  return lines;
}
