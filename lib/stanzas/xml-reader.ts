/**
 * The XML reader behind `parseXml`: one document, one root element, read in a single pass in linear
 * time (every scan moves forward; a missing quote, `>`, `]]>` or `;` fails at once instead of being
 * searched for again at every character, as the generic tokenizer of ltx does, which made some inputs
 * of 1 MiB take seconds).
 *
 * It reads the XML that RFC 6120 §11 allows, and checks what XML 1.0 makes a well-formedness error:
 * characters outside §2.2 Char; names outside §2.3 Name (and, as Namespaces in XML 1.0 §4 and RFC 6120
 * §11.2 require, with one colon at most, between two non-empty parts); attributes without a quoted value, repeated
 * (§3.1 WFC Unique Att Spec) or holding `<` (§3.1 WFC No < in Attribute Values); references other than
 * the five predefined entities and character references to §2.2 characters (§4.1, RFC 6120 §11.1); end
 * tags that do not match (§3 WFC Element Type Match); anything but white space around the root (§2.1).
 * DTDs, comments and processing instructions are refused as RFC 6120 §11.1 requires (an XML
 * declaration at the very start is allowed), CDATA sections are read as text.
 *
 * @see https://www.w3.org/TR/xml/
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { invalidCharIndex, isQName, isXmlSpace, nameEnd } from './xml-chars.js';

const malformed = (message: string): StanzaParseError => new StanzaParseError('XML_MALFORMED', message);

/** The five predefined entities (XML 1.0 §4.6). */
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** The longest reference: `&#1114111;` or `&#x10FFFF;`. */
const MAX_REFERENCE = 10;

function isXmlCharCode(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** One reference, `&...;` at `at`: its character. */
function reference(text: string, at: number, semicolon: number): string {
  const body = text.slice(at + 1, semicolon);
  const predefined = PREDEFINED[body];
  if (predefined !== undefined && Object.hasOwn(PREDEFINED, body)) return predefined;
  let code = NaN;
  if (/^#[0-9]{1,7}$/.test(body)) code = Number(body.slice(1));
  else if (/^#x[0-9a-fA-F]{1,6}$/.test(body)) code = parseInt(body.slice(2), 16);
  else if (body.charAt(0) !== '#') throw new StanzaParseError('XML_MALFORMED', `the entity &${body}; is not one of XML's five (RFC 6120 §11.1)`);
  // XML 1.0 §4.1 WFC Legal Character: a character reference must name a character XML can carry.
  if (!isXmlCharCode(code)) throw malformed(`&${body}; is not a reference to a character XML can carry`);
  return String.fromCodePoint(code);
}

/**
 * Text or an attribute value with its references replaced (XML 1.0 §4.1). Takes the piece alone, so
 * that no search runs past its end (a search to the end of the document for every piece of text would
 * make the whole read quadratic).
 */
function unescape(piece: string): string {
  let amp = piece.indexOf('&');
  if (amp === -1) return piece;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semicolon = piece.indexOf(';', amp + 1);
    if (semicolon === -1 || semicolon - amp > MAX_REFERENCE) throw malformed(`'&' does not start a reference in '${piece.slice(amp, amp + MAX_REFERENCE)}'`);
    out += piece.slice(from, amp) + reference(piece, amp, semicolon);
    from = semicolon + 1;
    amp = piece.indexOf('&', from);
  }
  return out + piece.slice(from);
}

/** The name from `at` to `end`, checked to be a qualified XML name (see xml-chars.ts). */
function readName(text: string, at: number, end: number, what: string): string {
  const name = text.slice(at, end);
  if (!isQName(name)) throw malformed(`${what} at ${at} is not a qualified XML name`);
  return name;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && isXmlSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The attributes of a start tag from `at` (after the name) to its `>` or `/>`: where the tag ends,
 * negated (`~end`) when it closes itself. (A number rather than an object: a large document has
 * hundreds of thousands of tags, and reading it is mostly making objects and collecting them.)
 */
function readAttributes(text: string, at: number, attrs: Record<string, string>): number {
  let i = at;
  for (;;) {
    const spaced = i < text.length && isXmlSpace(text.charCodeAt(i));
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === 0x3e /* > */) return i + 1;
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x3e) return ~(i + 2);
    if (i >= text.length) throw malformed('a start tag is not closed');
    if (!spaced) throw malformed(`no white space before the attribute at ${i}`); // XML 1.0 §3.1: S Attribute
    const afterName = nameEnd(text, i);
    const name = readName(text, i, afterName, 'the attribute name');
    i = skipSpace(text, afterName);
    if (text.charCodeAt(i) !== 0x3d /* = */) throw malformed(`the attribute '${name}' has no value`);
    i = skipSpace(text, i + 1);
    const quote = text.charAt(i);
    if (quote !== '"' && quote !== "'") throw malformed(`the value of '${name}' is not quoted`);
    const close = text.indexOf(quote, i + 1);
    if (close === -1) throw malformed(`the value of '${name}' is not closed`);
    const raw = text.slice(i + 1, close);
    if (raw.indexOf('<') !== -1) throw malformed(`the value of '${name}' holds '<'`); // XML 1.0 §3.1 WFC: No < in Attribute Values
    if (Object.hasOwn(attrs, name)) throw malformed(`the attribute '${name}' is repeated`); // XML 1.0 §3.1 WFC: Unique Att Spec
    const value = unescape(raw);
    if (name === '__proto__') Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
    else attrs[name] = value;
    i = close + 1;
  }
}

/**
 * Reads one XML document into an element tree.
 * @throws {StanzaParseError} `XML_MALFORMED`, `XML_RESTRICTED` or `XML_TOO_DEEP` (see `parseXml`).
 */
export function readXml(text: string, maxDepth: number): Element {
  // XML 1.0 §2.2: a document holds only characters XML can carry.
  const bad = invalidCharIndex(text);
  if (bad !== -1) throw malformed(`U+${(text.codePointAt(bad) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at ${bad} cannot be in XML`);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark left by a decoder
  if (text.startsWith('<?xml', i) && (isXmlSpace(text.charCodeAt(i + 5)) || text.startsWith('?>', i + 5))) {
    const end = text.indexOf('?>', i);
    if (end === -1) throw malformed('unterminated XML declaration');
    i = end + 2;
  }
  let root: Element | undefined;
  let current: Element | undefined;
  let depth = 0;
  let pending = ''; // text of the current element since its last child
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i) {
      if (current) pending += unescape(text.slice(i, textEnd));
      else if (skipSpace(text, i) < textEnd) throw malformed(`text ${root ? 'after' : 'before'} the root element`);
    }
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    if (c === 0x21 /* ! */) {
      if (!text.startsWith('[CDATA[', lt + 2)) throw new StanzaParseError('XML_RESTRICTED', 'DTDs, markup declarations and comments are not allowed in XMPP');
      const end = text.indexOf(']]>', lt + 9);
      if (end === -1) throw malformed('unterminated CDATA section');
      if (!current) throw malformed('a CDATA section outside the root element');
      pending += text.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    if (c === 0x3f /* ? */) throw new StanzaParseError('XML_RESTRICTED', 'processing instructions are not allowed in XMPP');
    if (current && pending !== '') {
      current.children.push(pending);
      pending = '';
    }
    if (c === 0x2f /* / */) {
      const afterName = nameEnd(text, lt + 2);
      const name = readName(text, lt + 2, afterName, 'the end tag name');
      const close = skipSpace(text, afterName);
      if (text.charCodeAt(close) !== 0x3e) throw malformed(`the end tag </${name}> is not closed`);
      if (!current || current.name !== name) throw malformed(`end tag </${name}> does not match <${current?.name ?? ''}>`);
      current = current.parent ?? undefined;
      depth--;
      i = close + 1;
      continue;
    }
    const afterName = nameEnd(text, lt + 1);
    const name = readName(text, lt + 1, afterName, 'the element name');
    if (root && !current) throw malformed(`a second root element <${name}> after the first`);
    if (++depth > maxDepth) throw new StanzaParseError('XML_TOO_DEEP', `elements nested deeper than ${maxDepth}`);
    const attrs: Record<string, string> = {};
    const end = readAttributes(text, afterName, attrs);
    const element = new Element(name);
    element.attrs = attrs;
    if (current) current.cnode(element);
    else root = element;
    if (end < 0) depth--;
    else current = element;
    i = end < 0 ? ~end : end;
  }
  if (!root) throw malformed('no element');
  if (current) throw malformed(`<${current.name}> is not closed`);
  return root;
}
