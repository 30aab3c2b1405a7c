/**
 * XML in and out: the one place where text becomes `ltx` elements and elements become text.
 *
 * XMPP allows only a restricted XML: no DTD, no entity declarations, no entity references other than
 * the five predefined ones and character references (RFC 6120 §11.1). The parser here enforces that,
 * checks well-formedness (characters, names, attributes, matching end tags: see xml-reader.ts), and
 * caps the size of the input and the depth of the element tree; it reads in linear time, so hostile
 * input costs bounded work and always ends in a {@link StanzaParseError}. The serializer refuses
 * characters that XML 1.0 cannot carry, so what it writes always parses, and what it parses can
 * always be written.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11
 * @see https://www.w3.org/TR/xml/#charsets
 */
import { Element } from 'ltx';
import { StanzaParseError, XmppError } from '../errors.js';
import { INVALID_CHAR, isQName } from './xml-chars.js';
import { readXml } from './xml-reader.js';

export { Element };
export { isXmlSafe } from './xml-chars.js';

/** Limits applied by {@link parseXml}. */
export interface XmlLimits {
  /** Largest input, in UTF-16 code units. Default 1 MiB (1,048,576). */
  readonly maxLength?: number;
  /** Deepest element nesting; the root is depth 1. Default 32. */
  readonly maxDepth?: number;
}

/** Default of {@link XmlLimits.maxLength}. */
export const DEFAULT_MAX_XML_LENGTH = 1_048_576;
/** Default of {@link XmlLimits.maxDepth}. */
export const DEFAULT_MAX_XML_DEPTH = 32;

/**
 * Parses one XML document (a single root element) into an `ltx` element, in time linear in its length.
 *
 * @throws {StanzaParseError} `XML_TOO_LARGE` over `maxLength`; `XML_RESTRICTED` on a DTD, an entity or
 *   other markup declaration, a comment or a processing instruction (RFC 6120 §11.1; an XML declaration
 *   at the very start is allowed); `XML_TOO_DEEP` past `maxDepth`; `XML_MALFORMED` on text that is not
 *   well-formed XML 1.0: a character XML cannot carry (§2.2), a name that is not an XML name (§2.3), an
 *   attribute without a quoted value, repeated, or holding `<` (§3.1), an unknown entity or a reference
 *   to a character XML cannot carry (§4.1), mismatched or missing tags, anything but white space
 *   around the root, several roots or no root.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11.1
 * @see https://www.w3.org/TR/xml/#sec-well-formed
 */
export function parseXml(text: string, limits: XmlLimits = {}): Element {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_XML_LENGTH;
  if (text.length > maxLength) {
    throw new StanzaParseError('XML_TOO_LARGE', `XML of ${text.length} characters exceeds the limit of ${maxLength}`);
  }
  return readXml(text, limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH);
}

// What needs escaping, or checking for characters XML 1.0 cannot carry (xml-chars.ts): surrogates are
// matched as a class here and checked for pairing in the slow path.
const TEXT_SPECIAL = /[&<>\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<>"'\t\n\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const TEXT_ESCAPES = /[&<>\r]/g;
const ATTR_ESCAPES = /[&<>"'\t\n\r]/g;
const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const toEntity = (c: string): string => ENTITY[c] ?? c;

function checkChars(value: string): void {
  const bad = INVALID_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    throw new XmppError('XML_INVALID_CHAR', `U+${code.toString(16).toUpperCase().padStart(4, '0')} cannot be written in XML`);
  }
}

/**
 * Escapes character data for XML text content (`&`, `<`, `>` and CR, so that CR survives parsing).
 * @throws {XmppError} `XML_INVALID_CHAR` for a character XML 1.0 cannot carry.
 * @see https://www.w3.org/TR/xml/#syntax
 */
export function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  checkChars(value);
  return value.replace(TEXT_ESCAPES, toEntity);
}

/**
 * Escapes an attribute value, including tab, LF and CR so that attribute-value normalization keeps them.
 * @throws {XmppError} `XML_INVALID_CHAR` for a character XML 1.0 cannot carry.
 * @see https://www.w3.org/TR/xml/#AVNormalize
 */
export function escapeAttr(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  checkChars(value);
  return value.replace(ATTR_ESCAPES, toEntity);
}

/** Names already checked (the few a program writes, again and again), up to a bound. */
const CHECKED_NAMES = new Set<string>();

/** A name to write: a qualified XML name, else nothing could read what is written. */
function checkName(name: string): string {
  if (CHECKED_NAMES.has(name)) return name;
  if (!isQName(name)) throw new XmppError('XML_INVALID_CHAR', `'${name}' cannot be written as an XML name`);
  if (CHECKED_NAMES.size < 4096) CHECKED_NAMES.add(name);
  return name;
}

/**
 * Serializes an element and its descendants to XML text. Attributes whose value is `undefined` or
 * `null` are left out.
 * @throws {XmppError} `XML_INVALID_CHAR` when an attribute or text holds a character XML cannot carry,
 *   or an element or attribute name is not a qualified XML name (Namespaces in XML 1.0 §4).
 * @see https://www.w3.org/TR/xml-names/#ns-qualnames
 */
export function serialize(element: Element): string {
  let out = '<' + checkName(element.name);
  const attrs = element.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    out += ' ' + checkName(key) + "='" + escapeAttr(String(value)) + "'";
  }
  let inner = '';
  for (const child of element.children) {
    inner += typeof child === 'string' ? escapeText(child) : serialize(child as Element);
  }
  return inner === '' ? out + '/>' : out + '>' + inner + '</' + element.name + '>';
}
