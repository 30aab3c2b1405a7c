/**
 * vCard4 over XMPP: XEP-0292 v0.12.0 (2023-03-14, the latest published version; it dropped the raw
 * IQ mode for PEP), the RFC 6351 XML vCard published over PEP (XEP-0163, XEP-0222) on the node
 * `urn:xmpp:vcard4`, so that contacts are pushed the profile when it changes. The profile fields map as
 * in vcard.ts: `nickName` <-> nickname/text (fn/text as fallback), `fullName` <-> fn/text,
 * `image` <-> photo/uri, `status` <-> note/text, `mobileNumber` <-> tel (type `cell`, uri `tel:`),
 * `email` <-> email/text.
 *
 * @see https://xmpp.org/extensions/xep-0292.html
 * @see https://www.rfc-editor.org/rfc/rfc6351 (XML vCard), https://www.rfc-editor.org/rfc/rfc6350 (vCard 4.0)
 * @see https://xmpp.org/extensions/xep-0060.html (publish-subscribe), https://xmpp.org/extensions/xep-0163.html (PEP)
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { buildDataForm } from './data-form.js';
import { attr, findChild, h, textElement } from './element.js';
import { buildIqGet, buildIqSet } from './iq.js';
import { NS_CLIENT, NS_PUBSUB, NS_PUBSUB_EVENT, NS_VCARD4 } from './ns.js';
import { iqPayload } from './payload.js';
import type { VCard, VCardFields } from './vcard.js';

/** XEP-0292 §4: the PEP node of one's vCard4. */
export const NODE_VCARD4 = 'urn:xmpp:vcard4';
/** The item id under which the vCard is published (one item, replaced on each publish). */
export const VCARD4_ITEM_ID = 'current';
/** XEP-0060 §7.1.5: the FORM_TYPE of publish options. */
const FORM_TYPE_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';

/** The profile read from a vCard4: the fields of vCard-temp's profile (no raw photo). */
export type VCard4 = Omit<VCard, 'photo'>;

/**
 * Builds `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>` with the profile fields; `''` fields are
 * left out, except fn, which RFC 6350 requires (written with an empty text when unknown).
 * @see https://www.rfc-editor.org/rfc/rfc6351#section-4
 */
export function buildVCard4(fields: VCardFields): Element {
  const vcard = h('vcard', { xmlns: NS_VCARD4 });
  // RFC 6350 §6.2.1: FN MUST be present (cardinality 1*).
  vcard.cnode(textProperty('fn', fields.fullName ?? ''));
  if (fields.nickName) vcard.cnode(textProperty('nickname', fields.nickName));
  if (fields.image) vcard.cnode(h('photo', undefined, [textElement('uri', fields.image)]));
  if (fields.mobileNumber) {
    vcard.cnode(h('tel', undefined, [
      h('parameters', undefined, [h('type', undefined, [textElement('text', 'cell')])]),
      textElement('uri', 'tel:' + telEscaped(fields.mobileNumber)),
    ]));
  }
  if (fields.email) vcard.cnode(textProperty('email', fields.email));
  if (fields.status) vcard.cnode(textProperty('note', fields.status));
  return vcard;
}

/**
 * Reads a `<vcard/>` (or an IQ that carries one directly, as in the IQ mode of earlier XEP-0292
 * versions). Unknown properties and parameters are ignored. Every field is `''` when the vCard has
 * none: `nickName` is the first nickname's first text, else the fn; `fullName` the fn; `image` the
 * photo/uri as is (a URL or a `data:` URL); `status` the note/text; `mobileNumber` the first tel of type
 * `cell`, else the first tel, as a `tel:` URI without its scheme, percent-decoded; `email` the first
 * email's text.
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<vcard/>`.
 * @see https://www.rfc-editor.org/rfc/rfc6351#section-4
 */
export function parseVCard4(element: Element): VCard4 {
  const vcard = iqPayload(element, 'vcard', NS_VCARD4);
  const inherits = vcard.findNS() === NS_VCARD4;
  let fullName: string | undefined;
  let nickName = '';
  let image: string | undefined;
  let status: string | undefined;
  let email: string | undefined;
  let cell: string | undefined;
  let firstTel: string | undefined;
  for (const child of vcard.children) {
    if (typeof child === 'string') continue;
    const inside = defaultIsVCard4(child, inherits);
    switch (nameInVCard4(child, inherits)) {
      case 'fn':
        fullName ??= propertyValue(child, 'text', inside);
        break;
      case 'nickname':
        if (nickName === '') nickName = propertyValue(child, 'text', inside) ?? '';
        break;
      case 'photo':
        image ??= propertyValue(child, 'uri', inside);
        break;
      case 'note':
        status ??= propertyValue(child, 'text', inside);
        break;
      case 'email':
        email ??= propertyValue(child, 'text', inside);
        break;
      case 'tel': {
        if (cell !== undefined) break;
        const number = telNumber(child, inside);
        if (number === undefined) break;
        firstTel ??= number;
        if (hasType(child, 'cell', inside)) cell = number;
        break;
      }
    }
  }
  const full = fullName ?? '';
  return {
    nickName: nickName === '' ? full : nickName,
    fullName: full,
    image: image ?? '',
    status: status ?? '',
    mobileNumber: cell ?? firstTel ?? '',
    email: email ?? '',
  };
}

/**
 * Builds the PEP publish of one's vCard4: node `urn:xmpp:vcard4`, item `current`, with publish
 * options that make the node readable by those subscribed to one's presence.
 * @see https://xmpp.org/extensions/xep-0060.html#publisher-publish-options (§7.1.5)
 * @see https://xmpp.org/extensions/xep-0163.html#approach-pubsub (PEP: no 'to', one's own account)
 */
export function buildVCard4Publish(id: string, fields: VCardFields): Element {
  const options = buildDataForm({
    type: 'submit',
    instructions: [],
    fields: [
      // XEP-0060 §7.1.5: the FORM_TYPE hidden field comes first.
      { var: 'FORM_TYPE', type: 'hidden', required: false, values: [FORM_TYPE_PUBLISH_OPTIONS], options: [] },
      { var: 'pubsub#access_model', required: false, values: ['presence'], options: [] },
    ],
  });
  const pubsub = h('pubsub', { xmlns: NS_PUBSUB }, [
    h('publish', { node: NODE_VCARD4 }, [h('item', { id: VCARD4_ITEM_ID }, [buildVCard4(fields)])]),
    h('publish-options', undefined, [options]),
  ]);
  return buildIqSet(id, undefined, pubsub);
}

/**
 * Builds the request for the vCard4 of `to` (a bare JID): the items of its `urn:xmpp:vcard4` node.
 * @see https://xmpp.org/extensions/xep-0060.html#subscriber-retrieve-requestall (§6.5.2)
 */
export function buildVCard4Get(id: string, to: string): Element {
  return buildIqGet(id, to, h('pubsub', { xmlns: NS_PUBSUB }, [h('items', { node: NODE_VCARD4 })]));
}

/** One published vCard4: the item id (absent when the item has none) and the vCard. */
export interface VCard4Item {
  readonly itemId?: string;
  readonly vcard: VCard4;
}

/**
 * Builds the `<pubsub/>` payload of an items result for the `urn:xmpp:vcard4` node.
 * @see https://xmpp.org/extensions/xep-0060.html#subscriber-retrieve-returnall (§6.5.3)
 */
export function buildVCard4Items(items: readonly VCard4ItemInit[]): Element {
  const list = h('items', { node: NODE_VCARD4 });
  for (const item of items) list.cnode(h('item', { id: item.itemId }, [buildVCard4(item.vcard)]));
  return h('pubsub', { xmlns: NS_PUBSUB }, [list]);
}

/** What {@link buildVCard4Items} takes. */
export interface VCard4ItemInit {
  readonly itemId?: string;
  readonly vcard: VCardFields;
}

/**
 * Reads the answer to {@link buildVCard4Get} (the `<iq/>` or its `<pubsub/>`): the items in document
 * order, `[]` for an empty node.
 * @throws {StanzaError} for an IQ error (e.g. `item-not-found` when the contact has no such node).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element or items of another node;
 *   `STANZA_MISSING_PART` without `<items/>` or for an item without `<vcard/>`.
 * @see https://xmpp.org/extensions/xep-0060.html#subscriber-retrieve-returnall (§6.5.3)
 */
export function parseVCard4Items(element: Element): VCard4Item[] {
  const pubsub = iqPayload(element, 'pubsub', NS_PUBSUB);
  const items = findChild(pubsub, 'items', NS_PUBSUB);
  if (!items) throw new StanzaParseError('STANZA_MISSING_PART', 'the pubsub answer has no <items/>');
  expectVCard4Node(items);
  return readItems(items);
}

/** A vCard4 PEP notification: who published, the item id, and the vCard (absent in a pure notification). */
export interface VCard4Event {
  readonly from: string;
  readonly itemId?: string;
  readonly vcard?: VCard4;
}

/**
 * Builds the PEP notification a server sends to a contact when the vCard4 is published.
 * @see https://xmpp.org/extensions/xep-0060.html#publisher-publish-success-withpayload (§7.1.2.1)
 * @see https://xmpp.org/extensions/xep-0163.html#notify
 */
export function buildVCard4Event(from: string, to: string, id: string, fields: VCardFields): Element {
  return h('message', { xmlns: NS_CLIENT, from, to, id, type: 'headline' }, [
    h('event', { xmlns: NS_PUBSUB_EVENT }, [
      h('items', { node: NODE_VCARD4 }, [h('item', { id: VCARD4_ITEM_ID }, [buildVCard4(fields)])]),
    ]),
  ]);
}

/**
 * Reads a vCard4 PEP notification. Other children of the message (body, addresses, delay...) are
 * ignored. When the notification carries several items, the last (the latest published) is read;
 * an item without payload (a pure notification, XEP-0292 example) gives no `vcard`.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when it is not a message with a pubsub event for
 *   the `urn:xmpp:vcard4` node; `STANZA_MISSING_PART` without `from` or without an item (e.g. a
 *   retraction).
 * @see https://xmpp.org/extensions/xep-0060.html#publisher-publish-success-withpayload (§7.1.2.1)
 */
export function parseVCard4Event(message: Element): VCard4Event {
  if (message.getName() !== 'message') {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <message/>, got <${message.name}/>`);
  }
  const event = findChild(message, 'event', NS_PUBSUB_EVENT);
  const items = event && findChild(event, 'items', NS_PUBSUB_EVENT);
  if (!items || attr(items, 'node') !== NODE_VCARD4) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `the message is not a pubsub event of the node ${NODE_VCARD4}`);
  }
  const from = attr(message, 'from');
  if (from === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a PEP notification without from');
  let last: Element | undefined;
  for (const child of items.children) {
    if (typeof child !== 'string' && child.getName() === 'item' && child.getNS() === NS_PUBSUB_EVENT) last = child;
  }
  if (!last) throw new StanzaParseError('STANZA_MISSING_PART', `the ${NODE_VCARD4} event has no <item/>`);
  const itemId = attr(last, 'id');
  const payload = findChild(last, 'vcard', NS_VCARD4);
  const result: { from: string; itemId?: string; vcard?: VCard4 } = { from };
  if (itemId !== undefined) result.itemId = itemId;
  if (payload) result.vcard = parseVCard4(payload);
  return result;
}

function expectVCard4Node(items: Element): void {
  const node = attr(items, 'node');
  if (node !== NODE_VCARD4) throw new StanzaParseError('STANZA_UNEXPECTED', `items of the node '${node ?? ''}', not ${NODE_VCARD4}`);
}

function readItems(items: Element): VCard4Item[] {
  const out: VCard4Item[] = [];
  for (const child of items.children) {
    if (typeof child === 'string' || child.getName() !== 'item' || child.getNS() !== NS_PUBSUB) continue;
    const payload = findChild(child, 'vcard', NS_VCARD4);
    if (!payload) throw new StanzaParseError('STANZA_MISSING_PART', `an item of ${NODE_VCARD4} without <vcard/>`);
    const itemId = attr(child, 'id');
    out.push(itemId === undefined ? { vcard: parseVCard4(payload) } : { itemId, vcard: parseVCard4(payload) });
  }
  return out;
}

/** `<name><text>value</text></name>` (RFC 6351 §4: a property with a text value). */
function textProperty(name: string, value: string): Element {
  return h(name, undefined, [textElement('text', value)]);
}

/**
 * The local name of an element in the vCard4 namespace, `undefined` for another namespace. `inherits`:
 * the default namespace around the element is vCard4's (so that unprefixed elements need no walk).
 */
function nameInVCard4(element: Element, inherits: boolean): string | undefined {
  const name = element.name;
  if (name.indexOf(':') === -1) return defaultIsVCard4(element, inherits) ? name : undefined;
  return element.getNS() === NS_VCARD4 ? element.getName() : undefined;
}

/** Whether the default namespace inside `element` is vCard4's, given that of its parent. */
function defaultIsVCard4(element: Element, inherits: boolean): boolean {
  const xmlns: unknown = element.attrs.xmlns;
  return xmlns === undefined ? inherits : xmlns === NS_VCARD4;
}

/** The text of a property's first value element of the given type (`text`, `uri`). */
function propertyValue(property: Element, valueType: string, inside: boolean): string | undefined {
  const child = childInVCard4(property, valueType, inside);
  return child ? child.getText() : undefined;
}

function childInVCard4(parent: Element, name: string, inside: boolean): Element | undefined {
  for (const child of parent.children) {
    if (typeof child !== 'string' && nameInVCard4(child, inside) === name) return child;
  }
  return undefined;
}

/**
 * A number percent-encoded for a `tel:` URI (RFC 3966). A lone surrogate cannot be encoded: it stays as
 * it is, and `serialize` refuses it (`XML_INVALID_CHAR`), as in any other field.
 */
function telEscaped(number: string): string {
  try {
    return encodeURI(number);
  } catch {
    return number;
  }
}

/** A tel's number: its `uri` without `tel:` and percent-decoded, or its `text` (RFC 6350 §6.4.1). */
function telNumber(tel: Element, inside: boolean): string | undefined {
  const uri = propertyValue(tel, 'uri', inside);
  if (uri !== undefined) {
    if (uri.slice(0, 4).toLowerCase() !== 'tel:') return uri;
    const number = uri.slice(4);
    if (number.indexOf('%') === -1) return number;
    try {
      return decodeURI(number);
    } catch {
      return number; // a malformed percent-escape: the text as written
    }
  }
  return propertyValue(tel, 'text', inside);
}

/** Whether a property's `parameters/type` has the text value `type` (case-insensitive, RFC 6350 §5.6). */
function hasType(property: Element, type: string, inside: boolean): boolean {
  const parameters = childInVCard4(property, 'parameters', inside);
  if (!parameters) return false;
  const inParameters = defaultIsVCard4(parameters, inside);
  const types = childInVCard4(parameters, 'type', inParameters);
  if (!types) return false;
  const inTypes = defaultIsVCard4(types, inParameters);
  for (const child of types.children) {
    if (typeof child !== 'string' && nameInVCard4(child, inTypes) === 'text' && child.getText().toLowerCase() === type) return true;
  }
  return false;
}
