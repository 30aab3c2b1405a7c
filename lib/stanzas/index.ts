/**
 * `xmpp-profile/stanzas`: the pure codecs. For each protocol, `build<Thing>` returns an ltx element and
 * `parse<Thing>` returns typed data; `parseXml` and `serialize` turn text into elements and back.
 * Nothing here does I/O, reads a clock or draws random numbers: ids and nonces are arguments.
 */
export * from './xml.js';
export * from './ns.js';
export * from './element.js';
export * from './jid.js';
export * from './stanza-error.js';
export * from './iq.js';
export * from './payload.js';
export * from './data-form.js';
export * from './vcard.js';
export * from './vcard4.js';
export * from './last-activity.js';
export * from './roster.js';
export * from './presence.js';
export * from './blocking.js';
export * from './blocked-by.js';
export * from './privacy.js';
export * from './register.js';
export * from './disco.js';
export * from './caps.js';
export * from './sha1.js';
export * from './base64.js';
export * from './upload.js';
export * from './stream.js';
export * from './stream-features.js';
export * from './sasl.js';
export * from './bind.js';
export * from './stream-management.js';
