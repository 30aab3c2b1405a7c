/**
 * The fuzzer's dictionary: the pieces of text that break parsers. Characters XML 1.0 cannot carry
 * (XML 1.0 §2.2: C0 controls, U+FFFE, U+FFFF, lone surrogates) and character references to them; the
 * markup RFC 6120 §11.1 forbids in XMPP (DTDs, entity declarations and references, comments,
 * processing instructions); CDATA edge cases; namespace tricks; and values at the edges of what the
 * codecs read (integers around 2^32 and 2^53, booleans, JIDs, URLs, base64).
 *
 * @see https://www.w3.org/TR/xml/#charsets
 * @see https://www.rfc-editor.org/rfc/rfc6120#section-11.1
 */

/** Characters XML 1.0 cannot carry, and others that are legal but often mishandled. */
export const BAD_CHARS: readonly string[] = [
  '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0085',
  '\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800', '\ud83d', '\ude00',
  '\ufffe', '\uffff', '\ufeff', '\u2028', '\u2029', '\u200b', '\u00a0', '\r', '\r\n', '\t',
  '\u{10ffff}', '\u{1f600}', 'e\u0301', '\u0130', '\ufb00', '\u212a', '\u0345', '\u1e9e',
];

/** Character and entity references, good and bad. */
export const REFERENCES: readonly string[] = [
  '&#0;', '&#x0;', '&#1;', '&#8;', '&#xB;', '&#x1F;', '&#xD800;', '&#xDFFF;', '&#55296;', '&#xFFFE;', '&#xFFFF;',
  '&#x110000;', '&#1114112;', '&#-1;', '&#x;', '&#;', '&#x-1;', '&#99999999999999999999;', '&#x41', '&#65',
  '&#65;', '&#x1F600;', '&#x10FFFF;', '&#9;', '&#10;', '&#13;', '&amp;', '&amp', '&lt;', '&gt;', '&quot;',
  '&apos;', '&nbsp;', '&lol;', '&xxe;', '&%p;', '&;', '&', ';', '&&;;', '&#x20;&#x20;',
];

const LAUGHS = "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>" +
  "<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>]>";

/** Markup forbidden in XMPP or easy to get wrong: DTDs, entities, comments, PIs, CDATA, declarations. */
export const MARKUP: readonly string[] = [
  '<!DOCTYPE x>', "<!DOCTYPE x [<!ENTITY a 'b'>]>", LAUGHS, LAUGHS + '<lolz>&lol2;</lolz>',
  '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "<!DOCTYPE x [<!ENTITY % p '<!ENTITY q \"r\">'> %p;]>",
  '<!DOCTYPE x SYSTEM "http://127.0.0.1/x.dtd">', "<!ENTITY a 'b'>", '<!ELEMENT a ANY>', '<!ATTLIST a b CDATA "c">',
  '<!NOTATION n SYSTEM "x">', '<!-- c -->', '<!---->', '<!-- -- -->', '<!--', '-->', '<?pi x?>', '<?pi', '?>',
  '<?xml version="1.0"?>', "<?xml version='1.1' encoding='UTF-16'?>", '<?xml?>', '<?xml', '<?XML version="1.0"?>',
  '<![CDATA[x]]>', '<![CDATA[', ']]>', '<![CDATA[<a>&amp;</a>]]>', '<![CDATA[]]]]><![CDATA[>]]>', '<![CDATA[]]>',
  '<![cdata[x]]>', '<![INCLUDE[x]]>', '<!', '<!x', '<?', '<!>', '<!-', '<![', '<![CDATA', ']]', ']>',
];

/** Structural junk: pieces of tags, quotes, namespace declarations. */
export const STRUCTURE: readonly string[] = [
  '<', '>', '/', '/>', '</', "'", '"', '=', ' ', '\n', 'xmlns', "xmlns=''", 'xmlns="x"', "xmlns:a='urn:a'", "xmlns:='x'",
  "xmlns:stream='http://etherx.jabber.org/streams'", "xmlns:xml='x'", "xml:lang='en'", 'a:', ':a', 'a:b:c', '<a>', '</a>',
  '<a/>', '<a:b/>', '<:a/>', '<a:/>', '< a/>', '<a b>', "<a b='c' b='d'/>", '<a b=c/>', "<a b='<'/>", '</ a>', '<a/ >',
  '<></>', '<>', '</>', '<stream:stream>', '</stream:stream>', "<error type='cancel'/>", "__proto__='x'", "constructor='x'",
  "toString='x'", "hasOwnProperty='x'", "<__proto__/>", '<constructor/>', '<1a/>', '<-a/>', '<a\u0000/>', '<\u00e9/>',
];

/** Values at the edges of what the codecs read. */
export const VALUES: readonly string[] = [
  '', ' ', '  x  ', '0', '00', '-0', '-1', '+1', '1e3', '0x1F', '1.5', ' 7 ', '\u0663', '\uff11', '4294967295', '4294967296',
  '9007199254740991', '9007199254740992', '99999999999999999999', '-129', '128', '127', '-128', 'NaN', 'Infinity',
  'true', 'false', 'TRUE', '1', 'yes', 'get', 'set', 'result', 'error', 'headline', 'both', 'none', 'to', 'from', 'remove',
  'subscribe', 'unsubscribe', 'allow', 'deny', 'jid', 'group', 'subscription', 'hidden', 'fixed', 'text-single', 'submit',
  'form', 'cell', 'CELL', 'tel:+1%20555', 'tel:%E0%A4%A', 'tel:', 'TEL:+1', 'data:image/png;base64,AAAA', 'data:;base64,',
  'http://', 'https://x', 'https://[::1]:99999/', 'http://xn--/', 'http://0x7f.1/', 'https://a.b:65536/', 'javascript:alert(1)',
  'a@b', 'a@b/c', '@b', 'a@', '/', 'a@b/', 'A@B.COM/Res', '\u0130@x', 'a@b..c', 'a@-b.c', 'a@[::1]', 'a@b.', 'a@.', 'b/ /',
  'see-other-host', 'urn:xmpp:sm:3', 'urn:xmpp:sm:99999999', 'urn:xmpp:sm:', 'SCRAM-SHA-1', '=', '==', 'AAAA', 'AA==',
  'A===', ' AA AA ', 'AA\nAA', 'A', 'sha-1', 'current', 'urn:xmpp:vcard4', 'urn:xmpp:http:upload:0', 'max-file-size',
  'FORM_TYPE', 'Authorization', 'cookie', 'EXPIRES', 'x\r\nInjected: 1', 'terminate', 'see-other-uri', 'item-not-found',
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', '{}', '[]', 'null', 'undefined',
];

/** JID parts and separators, for JID-shaped text. */
export const JID_PARTS: readonly string[] = [
  'alice', 'Alice', 'ALICE', 'bob', 'al\\20ice', 'al\\5cice', '\\40', 'localhost', 'example.com', 'EXAMPLE.COM.', 'xn--bcher-kva.example',
  'b\u00fccher.example', '\u0627\u0644\u0639\u0631\u0628\u064a\u0629', '\u4e2d\u6587', '[::1]', '[127.0.0.1]', '127.0.0.1',
  'res', 'Res/With/Slashes', ' ', '\u00e9', 'e\u0301', '\u212b', '\u0130', '\ufb00', '\u03a3', '\u1e9e', 'a-b', '-a', 'a-', 'a..b',
  '@', '/', '.', '"', '&', "'", ':', '<', '>', '\u0000', '\u007f', '\u0085', '\u200b', '\ud800', 'x'.repeat(64), 'x'.repeat(1024),
];
