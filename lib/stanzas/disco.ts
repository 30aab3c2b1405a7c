/**
 * Service Discovery: XEP-0030 v2.5, with the extended information forms of XEP-0128 v1.0. disco#info
 * tells what an entity is (identities) and supports (features, forms); disco#items lists the entities
 * and nodes associated with it (such as the server's upload service).
 *
 * @see https://xmpp.org/extensions/xep-0030.html
 * @see https://xmpp.org/extensions/xep-0128.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { buildDataForm, parseDataForm, type DataForm } from './data-form.js';
import { asString, h, localNameIn, passesNsOn } from './element.js';
import { buildIqGet } from './iq.js';
import { NS_DATA, NS_DISCO_INFO, NS_DISCO_ITEMS } from './ns.js';
import { iqPayload } from './payload.js';

/** An `<identity/>` of a disco#info answer. */
export interface DiscoIdentity {
  /** XEP-0030 §3.1: e.g. `server`, `client`, `store`. */
  readonly category: string;
  /** XEP-0030 §3.1: e.g. `im`, `pc`, `file`. */
  readonly type: string;
  /** The natural-language name, when given. */
  readonly name?: string;
  /** The identity's own `xml:lang`, when given (not inherited from the stanza). */
  readonly lang?: string;
}

/** What a disco#info answer says. */
export interface DiscoInfo {
  /** The node the answer is about (mirrored from the request), when given. */
  readonly node?: string;
  readonly identities: readonly DiscoIdentity[];
  /** The `var` of each `<feature/>`, in document order. */
  readonly features: readonly string[];
  /** XEP-0128 extended information: the `jabber:x:data` forms, in document order. */
  readonly forms: readonly DataForm[];
}

/** An `<item/>` of a disco#items answer. */
export interface DiscoItem {
  readonly jid: string;
  readonly node?: string;
  readonly name?: string;
}

/** What a disco#items answer says. */
export interface DiscoItems {
  /** The node the answer is about (mirrored from the request), when given. */
  readonly node?: string;
  readonly items: readonly DiscoItem[];
}

/**
 * Builds a disco#info request, optionally about a node.
 * @see https://xmpp.org/extensions/xep-0030.html#info-basic ('Querying for information')
 * @see https://xmpp.org/extensions/xep-0030.html#info-nodes ('Querying a specific JID and node combination')
 */
export function buildDiscoInfoGet(id: string, to: string, node?: string): Element {
  // XEP-0030 §3.1: the request MUST carry an empty <query/> and a 'to' address.
  return buildIqGet(id, to, new Element('query', node === undefined ? { xmlns: NS_DISCO_INFO } : { xmlns: NS_DISCO_INFO, node }));
}

/**
 * Builds the `<query/>` payload of a disco#info answer.
 * @see https://xmpp.org/extensions/xep-0030.html#info-basic ('Result-set for information request')
 * @see https://xmpp.org/extensions/xep-0128.html
 */
export function buildDiscoInfo(info: DiscoInfo): Element {
  const query = new Element('query', info.node === undefined ? { xmlns: NS_DISCO_INFO } : { xmlns: NS_DISCO_INFO, node: info.node });
  for (const identity of info.identities) {
    query.cnode(h('identity', { category: identity.category, type: identity.type, name: identity.name, 'xml:lang': identity.lang }));
  }
  for (const feature of info.features) query.cnode(new Element('feature', { var: feature }));
  for (const form of info.forms) query.cnode(buildDataForm(form));
  return query;
}

/**
 * Reads a disco#info answer (the `<iq/>` or its `<query/>`). Unknown children are ignored.
 * @throws {StanzaError} for an IQ error (e.g. `item-not-found`, `service-unavailable`).
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for an identity without category or type or a
 *   feature without var (XEP-0030 §3.1), `STANZA_UNEXPECTED` for another element; a malformed form
 *   throws as {@link parseDataForm} does.
 * @see https://xmpp.org/extensions/xep-0030.html#info-basic
 */
export function parseDiscoInfo(element: Element): DiscoInfo {
  const query = iqPayload(element, 'query', NS_DISCO_INFO);
  const inherits = passesNsOn(query);
  const identities: DiscoIdentity[] = [];
  const features: string[] = [];
  const forms: DataForm[] = [];
  for (const child of query.children) {
    if (typeof child === 'string') continue;
    const name = localNameIn(child, NS_DISCO_INFO, inherits);
    if (name === 'feature') {
      const feature = asString(child.attrs.var);
      // XEP-0030 §3.1: each <feature/> MUST possess a 'var' attribute.
      if (feature === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a disco#info feature without var');
      features.push(feature);
    } else if (name === 'identity') {
      identities.push(parseIdentity(child));
    } else if (name === undefined && localNameIn(child, NS_DATA, false) === 'x') {
      forms.push(parseDataForm(child)); // XEP-0128: extended information
    }
  }
  const node = asString(query.attrs.node);
  return node === undefined ? { identities, features, forms } : { node, identities, features, forms };
}

function parseIdentity(element: Element): DiscoIdentity {
  const attrs = element.attrs;
  const category = asString(attrs.category);
  const type = asString(attrs.type);
  // XEP-0030 §3.1: each <identity/> MUST possess 'category' and 'type' attributes.
  if (category === undefined || type === undefined) {
    throw new StanzaParseError('STANZA_MISSING_PART', `a disco#info identity without ${category === undefined ? 'category' : 'type'}`);
  }
  const identity: { category: string; type: string; name?: string; lang?: string } = { category, type };
  const name = asString(attrs.name);
  if (name !== undefined) identity.name = name;
  const lang = asString(attrs['xml:lang']);
  if (lang !== undefined) identity.lang = lang;
  return identity;
}

/**
 * Builds a disco#items request, optionally about a node.
 * @see https://xmpp.org/extensions/xep-0030.html#items-basic ('Requesting all items')
 * @see https://xmpp.org/extensions/xep-0030.html#items-nodes ('Requesting further nodes')
 */
export function buildDiscoItemsGet(id: string, to: string, node?: string): Element {
  return buildIqGet(id, to, new Element('query', node === undefined ? { xmlns: NS_DISCO_ITEMS } : { xmlns: NS_DISCO_ITEMS, node }));
}

/**
 * Builds the `<query/>` payload of a disco#items answer.
 * @see https://xmpp.org/extensions/xep-0030.html#items-basic ('Result-set for all items')
 */
export function buildDiscoItems(items: DiscoItems): Element {
  const query = new Element('query', items.node === undefined ? { xmlns: NS_DISCO_ITEMS } : { xmlns: NS_DISCO_ITEMS, node: items.node });
  for (const item of items.items) query.cnode(h('item', { jid: item.jid, node: item.node, name: item.name }));
  return query;
}

/**
 * Reads a disco#items answer (the `<iq/>` or its `<query/>`). Unknown children are ignored.
 * @throws {StanzaError} for an IQ error.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for an item without jid (XEP-0030 §4.1),
 *   `STANZA_UNEXPECTED` for another element.
 * @see https://xmpp.org/extensions/xep-0030.html#items-basic
 */
export function parseDiscoItems(element: Element): DiscoItems {
  const query = iqPayload(element, 'query', NS_DISCO_ITEMS);
  const inherits = passesNsOn(query);
  const items: DiscoItem[] = [];
  for (const child of query.children) {
    if (typeof child === 'string' || localNameIn(child, NS_DISCO_ITEMS, inherits) !== 'item') continue;
    const attrs = child.attrs;
    const jid = asString(attrs.jid);
    // XEP-0030 §4.1: the <item/> child MUST possess a 'jid' attribute.
    if (jid === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a disco#items item without jid');
    const item: { jid: string; node?: string; name?: string } = { jid };
    const node = asString(attrs.node);
    if (node !== undefined) item.node = node;
    const name = asString(attrs.name);
    if (name !== undefined) item.name = name;
    items.push(item);
  }
  const node = asString(query.attrs.node);
  return node === undefined ? { items } : { node, items };
}

/**
 * True when the disco#info answer lists the feature.
 * @see https://xmpp.org/extensions/xep-0030.html#info-basic
 */
export function hasFeature(info: DiscoInfo, feature: string): boolean {
  return info.features.includes(feature);
}

// Reading children fast: attributes by name (not through a shared keyed look-up), and namespaces
// without walking up the tree or comparing namespace strings for every child.

