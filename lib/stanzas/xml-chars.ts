/**
 * XML 1.0 (Fifth Edition) character classes, shared by the reader and the writer: the characters a
 * document may hold (§2.2 Char), white space (§2.3 S), and names: XML 1.0 §2.3 Name, as Namespaces in
 * XML 1.0 §4 restricts them to qualified names (one colon at most, between two non-empty parts), which
 * RFC 6120 §11.2 requires of XMPP (namespace well-formedness) and which ltx's `getName` and `getNS`
 * assume.
 *
 * @see https://www.w3.org/TR/xml/#charsets
 * @see https://www.w3.org/TR/xml/#NT-Name
 * @see https://www.w3.org/TR/xml-names/#ns-qualnames
 */

/**
 * Characters XML 1.0 cannot carry: C0 controls but tab, LF and CR; U+FFFE and U+FFFF; lone surrogates
 * (a surrogate pair is one character beyond U+FFFF, which XML carries).
 */
export const INVALID_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A cheap first test: no match means no invalid character (surrogates are checked by {@link INVALID_CHAR}). */
const MAYBE_INVALID_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** The same, for what is beyond ASCII: a string of Latin-1 characters is answered without a scan. */
const MAYBE_INVALID_WIDE = /[\uD800-\uDFFF\uFFFE\uFFFF]/;

/** The C0 controls XML 1.0 cannot carry: all but tab, LF and CR. */
const CONTROLS: readonly string[] = Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).filter((c) => c !== '\t' && c !== '\n' && c !== '\r');

/** True when the text holds no character that XML 1.0 cannot carry (XML 1.0 §2.2), so it can be written. */
export function isXmlSafe(value: string): boolean {
  return !MAYBE_INVALID_CHAR.test(value) || !INVALID_CHAR.test(value);
}

/**
 * Where the first character that XML 1.0 cannot carry is in a whole document, -1 when there is none.
 * For long texts, one search per control character (each a memchr-like scan) is several times faster
 * than a character-class test, which reads the text one character at a time.
 */
export function invalidCharIndex(text: string): number {
  let at = -1;
  for (const control of CONTROLS) {
    const found = text.indexOf(control);
    if (found !== -1 && (at === -1 || found < at)) at = found;
  }
  if (MAYBE_INVALID_WIDE.test(text)) {
    const bad = INVALID_CHAR.exec(text);
    if (bad && (at === -1 || bad.index < at)) at = bad.index;
  }
  return at;
}

/** XML 1.0 §2.3 S: space, tab, CR, LF. */
export function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** XML 1.0 §2.3 Name, the whole production (NameStartChar NameChar*). */
const NAME = /^[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F\u2040]*$/u;

/** True for an XML 1.0 Name (§2.3). */
export function isXmlName(name: string): boolean {
  return NAME.test(name);
}

/** True for a name that ASCII rules decide: a-z A-Z 0-9 : _ . - (and nothing beyond ASCII). */
function isAsciiNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x3a) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** Not a NameStartChar although a NameChar: a digit, `.` or `-`. */
function isAsciiNameOnlyChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}

/**
 * True for a qualified name (Namespaces in XML 1.0 §4): an NCName, or two NCNames joined by a colon;
 * an NCName is an XML Name without colons. ASCII names are decided without a regular expression.
 */
export function isQName(name: string): boolean {
  const length = name.length;
  if (length === 0) return false;
  let colon = -1;
  let ascii = true;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x3a) {
      if (colon !== -1) return false;
      colon = i;
    } else if (c >= 0x80) ascii = false;
    else if (!isAsciiNameChar(c)) return false;
  }
  if (colon === 0 || colon === length - 1) return false;
  if (ascii) return !isAsciiNameOnlyChar(name.charCodeAt(0)) && (colon === -1 || !isAsciiNameOnlyChar(name.charCodeAt(colon + 1)));
  return colon === -1 ? isXmlName(name) : isXmlName(name.slice(0, colon)) && isXmlName(name.slice(colon + 1));
}

/**
 * Where the name that starts at `at` ends: at the first ASCII character that cannot be in a name (white
 * space, `/`, `>`, `=`, quotes, `<`, `&`...). The caller checks the name whole with {@link isQName}.
 */
export function nameEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && !isAsciiNameChar(c)) break;
    i++;
  }
  return i;
}
