/**
 * Compares XML as parsed elements, never as strings: attribute order and whitespace-only text between
 * elements do not matter (servers reorder attributes; specifications pretty-print their examples).
 */
import { strict as assert } from 'node:assert';
import type { Element } from 'ltx';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';

function canonical(element: Element): string {
  const keys = Object.keys(element.attrs).filter((k) => element.attrs[k] !== undefined).sort();
  const attrs = keys.map((k) => ` ${k}=${JSON.stringify(String(element.attrs[k]))}`).join('');
  const hasElements = element.children.some((c) => typeof c !== 'string');
  const children = element.children
    .filter((c) => typeof c !== 'string' || !hasElements || c.trim() !== '')
    .map((c) => (typeof c === 'string' ? JSON.stringify(c) : canonical(c)))
    .join('');
  return `<${element.name}${attrs}>${children}</${element.name}>`;
}

/** Asserts that an element equals the XML text (or element) as parsed XML. */
export function assertXmlEqual(actual: Element, expected: string | Element): void {
  const want = typeof expected === 'string' ? parseXml(expected) : expected;
  const a = canonical(actual);
  const b = canonical(want);
  if (a !== b) assert.fail(`XML differs:\n  actual:   ${serialize(actual)}\n  expected: ${serialize(want)}`);
}
