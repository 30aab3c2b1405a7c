/**
 * Small helpers shared by the codecs to build and read `ltx` elements without allocating
 * intermediate arrays. Reading helpers throw {@link StanzaParseError} with a code when a required part
 * is missing, so no codec returns partial data silently.
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';

/** Attribute values; `undefined` leaves the attribute out. */
export type Attrs = Readonly<Record<string, string | undefined>>;

/** Builds an element with attributes and children (elements or text). */
export function h(name: string, attrs?: Attrs, children?: readonly (Element | string)[]): Element {
  const element = new Element(name);
  if (attrs) {
    for (const key in attrs) {
      const value = attrs[key];
      if (value !== undefined) element.attrs[key] = value;
    }
  }
  if (children) for (const child of children) element.cnode(child);
  return element;
}

/** Builds `<name>text</name>`, or `<name/>` for `''`. */
export function textElement(name: string, text: string, attrs?: Attrs): Element {
  const element = h(name, attrs);
  if (text !== '') element.children.push(text);
  return element;
}

/**
 * The namespace of a child, given the default namespace in scope at its parent (`parent.findNS()`),
 * without walking up the tree: its own `xmlns`, else the parent's default for an unprefixed name, else
 * the prefix's binding. As ltx's `findNS`, an empty `xmlns=''` does not count.
 */
export function childNs(child: Element, parentDefaultNs: string | undefined): string | undefined {
  const own: unknown = child.attrs.xmlns;
  if (typeof own === 'string' && own !== '') return own;
  return child.name.indexOf(':') === -1 ? parentDefaultNs : child.getNS();
}

/**
 * True when the unprefixed children of `parent` without their own `xmlns` share its namespace: the
 * parent is known to be in its namespace and, unprefixed, has it as the default namespace in scope.
 */
export function passesNsOn(parent: Element): boolean {
  return parent.name.indexOf(':') === -1;
}

/**
 * The child's local name when it is in `ns`, else `undefined`; `inherits` is {@link passesNsOn} of the
 * parent, which is known to be in `ns`. No walk up the tree in the common case.
 */
export function localNameIn(child: Element, ns: string, inherits: boolean): string | undefined {
  const name = child.name;
  if (name.indexOf(':') === -1) {
    const own: unknown = child.attrs.xmlns;
    if (own === undefined || own === '') return inherits || child.getNS() === ns ? name : undefined;
    return own === ns ? name : undefined;
  }
  return child.getNS() === ns ? child.getName() : undefined;
}

/** A string value, or `undefined` for anything else (attribute values read by name in hot loops). */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** True when the element has this local name and namespace (inherited namespaces count). */
export function isElement(element: Element, name: string, ns: string): boolean {
  return element.getName() === name && element.getNS() === ns;
}

/** The first child element with this local name and namespace, if any. */
export function findChild(parent: Element, name: string, ns: string): Element | undefined {
  const parentNs = parent.findNS();
  for (const child of parent.children) {
    if (typeof child !== 'string' && child.getName() === name && childNs(child, parentNs) === ns) return child;
  }
  return undefined;
}

/** Every child element with this local name and namespace. */
export function findChildren(parent: Element, name: string, ns: string): Element[] {
  const parentNs = parent.findNS();
  const found: Element[] = [];
  for (const child of parent.children) {
    if (typeof child !== 'string' && child.getName() === name && childNs(child, parentNs) === ns) found.push(child);
  }
  return found;
}

/** The first child element, whatever its name. */
export function firstChildElement(parent: Element): Element | undefined {
  for (const child of parent.children) if (typeof child !== 'string') return child;
  return undefined;
}

/** Every child element, whatever its name. */
export function childElements(parent: Element): Element[] {
  const found: Element[] = [];
  for (const child of parent.children) if (typeof child !== 'string') found.push(child);
  return found;
}

/** The text content of the first matching child, or `undefined` when there is no such child. */
export function childText(parent: Element, name: string, ns: string): string | undefined {
  const child = findChild(parent, name, ns);
  return child ? child.getText() : undefined;
}

/** An attribute's value, or `undefined` when absent. */
export function attr(element: Element, name: string): string | undefined {
  const value: unknown = element.attrs[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The first matching child.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` when there is none.
 */
export function requireChild(parent: Element, name: string, ns: string): Element {
  const child = findChild(parent, name, ns);
  if (!child) throw new StanzaParseError('STANZA_MISSING_PART', `<${parent.name}> has no <${name} xmlns='${ns}'/>`);
  return child;
}

/**
 * An attribute's value.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` when it is absent.
 */
export function requireAttr(element: Element, name: string): string {
  const value = attr(element, name);
  if (value === undefined) throw new StanzaParseError('STANZA_MISSING_PART', `<${element.name}> has no '${name}' attribute`);
  return value;
}

/**
 * Checks an element's name and namespace.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when they differ.
 */
export function expectElement(element: Element, name: string, ns: string): Element {
  if (!isElement(element, name, ns)) {
    throw new StanzaParseError('STANZA_UNEXPECTED', `expected <${name} xmlns='${ns}'/>, got <${element.name} xmlns='${element.getNS() ?? ''}'/>`);
  }
  return element;
}

/**
 * Reads a non-negative integer attribute or text: decimal digits, at most `Number.MAX_SAFE_INTEGER`
 * (XML Schema `xs:unsignedLong` as far as JavaScript numbers are exact).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` when it is not one.
 */
export function parseUnsigned(value: string, what: string): number {
  const trimmed = value.trim();
  const number = Number(trimmed);
  if (!/^\d{1,16}$/.test(trimmed) || number > Number.MAX_SAFE_INTEGER) {
    throw new StanzaParseError('STANZA_INVALID_VALUE', `${what} is not a non-negative integer: '${value}'`);
  }
  return number;
}
