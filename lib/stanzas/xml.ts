/**
 * XML in and out: the one place where text becomes `ltx` elements and elements become text.
 *
 * XMPP allows only a restricted XML: no DTD, no entity declarations, no entity references other than
 * the five predefined ones and character references (RFC 6120 §11.1). The parser here enforces that,
 * checks that every end tag matches its start tag, and caps the size of the input and the depth of the
 * element tree, so hostile input costs bounded work and always ends in a {@link StanzaParseError}.
 * The serializer refuses characters that XML 1.0 cannot carry, so what it writes always parses.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11
 * @see https://www.w3.org/TR/xml/#charsets
 */
import { Element } from 'ltx';
import SaxLtxModule from 'ltx/src/parsers/ltx.js';
import { StanzaParseError, XmppError } from '../errors.js';

export { Element };

/** The streaming tokenizer of ltx, typed for what is used here (its published types say otherwise). */
interface SaxParser {
  on(event: 'startElement', listener: (name: string, attrs: Record<string, string>) => void): void;
  on(event: 'endElement', listener: (name: string) => void): void;
  on(event: 'text', listener: (value: string) => void): void;
  write(data: string): void;
  end(): void;
}
const SaxLtx = SaxLtxModule as unknown as new () => SaxParser;

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
 * Parses one XML document (a single root element) into an `ltx` element.
 *
 * @throws {StanzaParseError} `XML_TOO_LARGE` over `maxLength`; `XML_RESTRICTED` on a DTD, an entity or
 *   other markup declaration, a comment or a processing instruction (RFC 6120 §11.1; an XML declaration
 *   at the very start is allowed); `XML_TOO_DEEP` past `maxDepth`; `XML_MALFORMED` on mismatched or
 *   missing tags, unknown entities, several roots or no root.
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11.1
 */
export function parseXml(text: string, limits: XmlLimits = {}): Element {
  const maxLength = limits.maxLength ?? DEFAULT_MAX_XML_LENGTH;
  if (text.length > maxLength) {
    throw new StanzaParseError('XML_TOO_LARGE', `XML of ${text.length} characters exceeds the limit of ${maxLength}`);
  }
  return buildTree(restrictedXml(text), limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH);
}

/**
 * RFC 6120 §11.1: an XML stream MUST NOT contain DTDs, comments or processing instructions. Checks
 * for them, and rewrites CDATA sections (allowed) as escaped text, since the tokenizer drops the text
 * that follows a CDATA section in the same element.
 */
function restrictedXml(text: string): string {
  let start = 0;
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end === -1) throw new StanzaParseError('XML_MALFORMED', 'unterminated XML declaration');
    start = end + 2;
  }
  if (text.indexOf('<?', start) !== -1) {
    throw new StanzaParseError('XML_RESTRICTED', 'processing instructions are not allowed in XMPP');
  }
  let at = text.indexOf('<!', start);
  if (at === -1) return start === 0 ? text : text.slice(start);
  let out = text.slice(start, at);
  while (at !== -1) {
    if (!text.startsWith('[CDATA[', at + 2)) {
      throw new StanzaParseError('XML_RESTRICTED', 'DTDs, markup declarations and comments are not allowed in XMPP');
    }
    const end = text.indexOf(']]>', at + 9);
    if (end === -1) throw new StanzaParseError('XML_MALFORMED', 'unterminated CDATA section');
    out += text.slice(at + 9, end).replace(TEXT_ESCAPES, toEntity);
    const next = text.indexOf('<!', end + 3);
    out += text.slice(end + 3, next === -1 ? undefined : next);
    at = next;
  }
  return out;
}

function buildTree(text: string, maxDepth: number): Element {
  const sax = new SaxLtx();
  let root: Element | undefined;
  let current: Element | undefined;
  let depth = 0;
  let closed = false;

  sax.on('startElement', (name: string, attrs: Record<string, string>) => {
    if (closed) throw new StanzaParseError('XML_MALFORMED', `a second root element <${name}> after the first`);
    if (++depth > maxDepth) {
      throw new StanzaParseError('XML_TOO_DEEP', `elements nested deeper than ${maxDepth}`);
    }
    // The tokenizer makes a fresh attribute object per tag: adopt it instead of copying it.
    const element = new Element(name);
    element.attrs = attrs;
    if (current) current.cnode(element);
    else root = element;
    current = element;
  });
  sax.on('endElement', (name: string) => {
    if (!current || current.name !== name) {
      throw new StanzaParseError('XML_MALFORMED', `end tag </${name}> does not match <${current?.name ?? ''}>`);
    }
    depth--;
    current = current.parent ?? undefined;
    if (!current) closed = true;
  });
  sax.on('text', (value: string) => {
    if (current) current.children.push(value);
    else if (value.trim() !== '') throw new StanzaParseError('XML_MALFORMED', 'text outside the root element');
  });

  try {
    sax.write(text);
    sax.end();
  } catch (error) {
    if (error instanceof StanzaParseError) throw error;
    throw new StanzaParseError('XML_MALFORMED', error instanceof Error ? error.message : 'malformed XML', {
      cause: error,
    });
  }
  if (!root || !closed) throw new StanzaParseError('XML_MALFORMED', root ? `<${root.name}> is not closed` : 'no element');
  return root;
}

// Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; U+FFFE and U+FFFF; lone surrogates.
// Surrogates are matched as a class here and checked for pairing in the slow path.
const TEXT_SPECIAL = /[&<>\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<>"'\t\n\r\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const INVALID_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
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

/** True when the text holds no character that XML 1.0 cannot carry (XML 1.0 §2.2), so it can be written. */
export function isXmlSafe(value: string): boolean {
  return !INVALID_CHAR.test(value);
}

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

/**
 * Serializes an element and its descendants to XML text. Attributes whose value is `undefined` or
 * `null` are left out.
 * @throws {XmppError} `XML_INVALID_CHAR` when a name, attribute or text holds a character XML cannot carry.
 */
export function serialize(element: Element): string {
  let out = '<' + element.name;
  const attrs = element.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (value === undefined || value === null) continue;
    out += ' ' + key + "='" + escapeAttr(String(value)) + "'";
  }
  let inner = '';
  for (const child of element.children) {
    inner += typeof child === 'string' ? escapeText(child) : serialize(child as Element);
  }
  return inner === '' ? out + '/>' : out + '>' + inner + '</' + element.name + '>';
}
