/**
 * fast-check arbitraries shared by the codec specs: text XML can carry (Unicode, XML special
 * characters, empty), JIDs and their parts, ids.
 */
import fc from 'fast-check';
import type { DataField, DataFieldType, DataForm } from '../../lib/stanzas/data-form.js';

// XML 1.0 §2.2 Char: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
const isXmlChar = (code: number): boolean =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);

const special = fc.constantFrom('&', '<', '>', '"', "'", ']]>', '&amp;', '\t', '\n', '\r', ' ', '\\', '💬', 'é', 'ß', '中');
const anyChar = fc
  .integer({ min: 0x9, max: 0x10ffff })
  .filter(isXmlChar)
  .map((code) => String.fromCodePoint(code));

/** Any string XML can carry, biased toward characters that need escaping. May be `''`. */
export const xmlText = (maxLength = 24): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ weight: 2, arbitrary: special }, { weight: 3, arbitrary: anyChar }, { weight: 5, arbitrary: fc.string({ maxLength: 3 }).map(s => s.replace(/[^\x20-\x7e]/g, '')) }), { maxLength })
    .map((parts) => parts.join(''));

/** A non-empty string XML can carry. */
export const xmlTextNonEmpty = (maxLength = 24): fc.Arbitrary<string> => xmlText(maxLength).filter((s) => s !== '');

/** An XML name (element or attribute local name), ASCII. */
export const xmlName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_.-]{0,10}$/);

/** A stanza id. */
export const stanzaId = fc.stringMatching(/^[a-zA-Z0-9_-]{1,16}$/);

/** A JID local part in normal form: lower case, no forbidden characters. */
export const jidLocal = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._-+é中'.split('')), { minLength: 1, maxLength: 12 })
  .map((chars) => chars.join(''));

/** A domain name in normal form. */
export const jidDomain = fc
  .array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 })
  .map((labels) => labels.join('.'));

/** A resource in normal form (NFC, no controls). */
export const jidResource = xmlTextNonEmpty(12)
  .map((s) => s.replace(/[\0-\x1F\x7F-\x9F]/g, 'x').normalize('NFC'))
  .filter((s) => s !== '' && [...new TextEncoder().encode(s)].length <= 1023);

/** A bare JID `local@domain`. */
export const bareJid = fc.tuple(jidLocal, jidDomain).map(([local, domain]) => `${local}@${domain}`);

/** A full JID `local@domain/resource`. */
export const fullJid = fc.tuple(jidLocal, jidDomain, jidResource).map(([l, d, r]) => `${l}@${d}/${r}`);

const FIELD_TYPES: DataFieldType[] = ['boolean', 'hidden', 'jid-multi', 'jid-single', 'list-multi', 'list-single', 'text-multi', 'text-private', 'text-single'];

/** A data form field (XEP-0004) of any type but `fixed`, with optional parts present or absent. */
export const dataField: fc.Arbitrary<DataField> = fc.record({
  var: xmlTextNonEmpty(10),
  type: fc.constantFrom(...FIELD_TYPES),
  label: xmlText(8),
  desc: xmlText(8),
  required: fc.boolean(),
  values: fc.array(xmlText(8), { maxLength: 3 }),
  options: fc.array(fc.record({ label: xmlText(6), value: xmlText(6) }, { requiredKeys: ['value'], noNullPrototype: true }), { maxLength: 3 }),
}, { requiredKeys: ['var', 'required', 'values', 'options'], noNullPrototype: true });

/** A data form (XEP-0004) of any type, with a title or not, instructions and fields. */
export const dataForm: fc.Arbitrary<DataForm> = fc.record({
  type: fc.constantFrom('form', 'submit', 'cancel', 'result') as fc.Arbitrary<DataForm['type']>,
  title: xmlText(8),
  instructions: fc.array(xmlText(8), { maxLength: 2 }),
  fields: fc.array(dataField, { maxLength: 4 }),
}, { requiredKeys: ['type', 'instructions', 'fields'], noNullPrototype: true });
