/**
 * XML namespaces used by the codecs, one `NS_*` constant each, with the specification that defines it.
 */

/** RFC 6120 §4.8.3: the content namespace of client streams. */
export const NS_CLIENT = 'jabber:client';
/** RFC 6120 §4.8.1: the stream namespace. */
export const NS_STREAM = 'http://etherx.jabber.org/streams';
/** RFC 7395 §3.3.2: WebSocket framing. */
export const NS_FRAMING = 'urn:ietf:params:xml:ns:xmpp-framing';
/** RFC 6120 §8.3.3: stanza error conditions. */
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
/** RFC 6120 §4.9.3: stream error conditions. */
export const NS_STREAMS_ERRORS = 'urn:ietf:params:xml:ns:xmpp-streams';
/** RFC 6120 §6.4: SASL negotiation. */
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
/** RFC 6120 §5.4: STARTTLS negotiation. */
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
/** RFC 6120 §7.4: resource binding. */
export const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind';
/** RFC 3921 §3 (kept by many servers as an optional feature): session establishment. */
export const NS_SESSION = 'urn:ietf:params:xml:ns:xmpp-session';
/** RFC 6121 §2.1: roster management. */
export const NS_ROSTER = 'jabber:iq:roster';
/** RFC 6121 §2.6.1: the roster versioning stream feature. */
export const NS_ROSTER_VER = 'urn:xmpp:features:rosterver';
/** RFC 6121 §3.4: subscription pre-approval stream feature. */
export const NS_PRE_APPROVAL = 'urn:xmpp:features:pre-approval';
/** XEP-0054: vcard-temp. */
export const NS_VCARD = 'vcard-temp';
/** XEP-0292 / RFC 6351: vCard4 in XML. */
export const NS_VCARD4 = 'urn:ietf:params:xml:ns:vcard-4.0';
/** XEP-0060: publish-subscribe. */
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
/** XEP-0060 §8: pubsub event notifications. */
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
/** XEP-0012: last activity. */
export const NS_LAST = 'jabber:iq:last';
/** XEP-0191: blocking command. */
export const NS_BLOCKING = 'urn:xmpp:blocking';
/** XEP-0191 §4: the error condition for messages to blocked entities. */
export const NS_BLOCKING_ERRORS = 'urn:xmpp:blocking:errors';
/** XEP-0016: privacy lists. */
export const NS_PRIVACY = 'jabber:iq:privacy';
/** XEP-0077: in-band registration. */
export const NS_REGISTER = 'jabber:iq:register';
/** XEP-0077 §4: the registration stream feature. */
export const NS_REGISTER_FEATURE = 'http://jabber.org/features/iq-register';
/** XEP-0004: data forms. */
export const NS_DATA = 'jabber:x:data';
/** XEP-0030: service discovery, info. */
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
/** XEP-0030: service discovery, items. */
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
/** XEP-0115: entity capabilities. */
export const NS_CAPS = 'http://jabber.org/protocol/caps';
/** XEP-0363: HTTP file upload. */
export const NS_UPLOAD = 'urn:xmpp:http:upload:0';
/** XEP-0198: stream management, version 3. */
export const NS_SM = 'urn:xmpp:sm:3';
/** XEP-0352: client state indication. */
export const NS_CSI = 'urn:xmpp:csi:0';
/** XEP-0199: XMPP ping. */
export const NS_PING = 'urn:xmpp:ping';
/** XEP-0206 / XEP-0124: BOSH. */
export const NS_HTTPBIND = 'http://jabber.org/protocol/httpbind';
/** XEP-0206 §8: the XMPP extension attributes of BOSH. */
export const NS_XBOSH = 'urn:xmpp:xbosh';
/** The project's own "who blocked me" protocol (server/prosody/modules/mod_profile_blocked_by.lua). */
export const NS_BLOCKED_BY = 'urn:xmpp-profile:blocked-by:0';
