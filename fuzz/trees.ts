/**
 * Structure-level generators: a seed parsed and edited as a tree (elements removed, duplicated, moved,
 * renamed, put in other namespaces; attributes and text set to edge values), random trees over the
 * corpus' vocabulary, deep nesting (up to 100,000 levels), and huge inputs (attributes and text of
 * megabytes, up to 50 MB; tens of thousands of attributes or children). Trees are written with ltx's
 * own writer, which escapes markup but lets any character through, so the output still carries what
 * the edits put in.
 */
import { Element } from 'ltx';
import { parseXml } from '../lib/stanzas/xml.js';
import type { Corpus } from './corpus.js';
import { mutate, pickSeed } from './mutations.js';
import type { Rng } from './rng.js';
import { BAD_CHARS, VALUES } from './tricks.js';

function elementsOf(root: Element): Element[] {
  const all: Element[] = [];
  const stack = [root];
  while (stack.length) {
    const element = stack.pop() as Element;
    all.push(element);
    for (const child of element.children) if (typeof child !== 'string') stack.push(child);
  }
  return all;
}

function value(rng: Rng, corpus: Corpus): string {
  switch (rng.int(6)) {
    case 0: return rng.pick(BAD_CHARS);
    case 1: case 2: return corpus.values.length ? rng.pick(corpus.values) : '';
    case 3: return rng.pick(VALUES) + (rng.chance(0.2) ? rng.pick(BAD_CHARS) : '');
    case 4: return 'x'.repeat(rng.size(14));
    default: return rng.pick(VALUES);
  }
}

function name(rng: Rng, corpus: Corpus): string {
  const base = corpus.names.length && rng.chance(0.85) ? rng.pick(corpus.names) : rng.pick(['a', 'x:y', 'item', 'query', 'error', 'c']);
  if (rng.chance(0.1)) return (rng.chance(0.5) ? 'stream:' : rng.pick(['a:', 'xml:', 'xmlns:', ':'])) + base.slice(base.indexOf(':') + 1);
  return base;
}

/** One edit of a tree; `all` are its elements, `root` its root. */
function edit(rng: Rng, corpus: Corpus, root: Element, all: Element[]): Element {
  const target = rng.pick(all);
  const parent = target.parent;
  switch (rng.int(13)) {
    case 11: target.children = target.children.filter((child) => typeof child !== 'string'); break; // no text
    case 12: for (const child of target.children) if (typeof child !== 'string') child.parent = null; target.children = []; break; // empty
    case 0: if (parent) parent.children.splice(parent.children.indexOf(target), 1); break;
    case 1: if (parent) parent.children.splice(parent.children.indexOf(target), 0, clone(target, parent)); break;
    case 2: target.name = name(rng, corpus); break;
    case 3:
      if (rng.chance(0.3)) delete target.attrs.xmlns;
      else target.attrs.xmlns = rng.chance(0.8) && corpus.namespaces.length ? rng.pick(corpus.namespaces) : rng.pick(['', 'jabber:client', 'x']);
      break;
    case 4: case 5: {
      const keys = Object.keys(target.attrs);
      const key = keys.length && rng.chance(0.6) ? rng.pick(keys) : corpus.attrNames.length ? rng.pick(corpus.attrNames) : 'type';
      if (rng.chance(0.15)) delete target.attrs[key];
      else target.attrs[key] = value(rng, corpus);
      break;
    }
    case 6: target.children.splice(rng.int(target.children.length + 1), 0, value(rng, corpus)); break;
    case 7: { // a subtree of another seed, inside this one
      const other = parseSeed(rng, corpus);
      if (other) target.cnode(rng.pick(elementsOf(other)));
      break;
    }
    case 8: { // an element moved elsewhere
      const to = rng.pick(all);
      if (parent && !contains(target, to)) {
        parent.children.splice(parent.children.indexOf(target), 1);
        to.cnode(target);
      }
      break;
    }
    case 9: if (target !== root && rng.chance(0.5)) return target; break; // unwrap: a child as the root
    default: { // wrap in a new element
      const wrapper = new Element(name(rng, corpus), rng.chance(0.5) && corpus.namespaces.length ? { xmlns: rng.pick(corpus.namespaces) } : {});
      if (parent) parent.children.splice(parent.children.indexOf(target), 1, wrapper);
      wrapper.cnode(target);
      wrapper.parent = parent;
      if (!parent) return wrapper;
    }
  }
  return root;
}

function contains(ancestor: Element, element: Element | null): boolean {
  for (let at: Element | null = element; at; at = at.parent) if (at === ancestor) return true;
  return false;
}

function clone(element: Element, parent: Element | null): Element {
  const copy = new Element(element.name, { ...element.attrs });
  copy.parent = parent;
  for (const child of element.children) copy.children.push(typeof child === 'string' ? child : clone(child, copy));
  return copy;
}

function parseSeed(rng: Rng, corpus: Corpus): Element | undefined {
  try {
    return parseXml(pickSeed(rng, corpus));
  } catch {
    return undefined;
  }
}

/** A seed parsed and edited 1 to 5 times as a tree; a text mutation when the seed is not XML. */
export function treeEdit(rng: Rng, corpus: Corpus): string {
  let root = parseSeed(rng, corpus);
  if (!root) return mutate(rng, corpus);
  const edits = 1 + rng.int(5);
  for (let i = 0; i < edits; i++) {
    root = edit(rng, corpus, root, elementsOf(root));
    root.parent = null;
  }
  return root.toString();
}

/** A random tree over the corpus' vocabulary. */
export function randomTree(rng: Rng, corpus: Corpus): string {
  const build = (depth: number): Element => {
    const attrs: Record<string, string> = {};
    const count = rng.int(4);
    for (let i = 0; i < count; i++) attrs[corpus.attrNames.length ? rng.pick(corpus.attrNames) : 'a'] = value(rng, corpus);
    if (corpus.namespaces.length && rng.chance(0.6)) attrs.xmlns = rng.pick(corpus.namespaces);
    const element = new Element(name(rng, corpus), attrs);
    const children = depth > 4 ? 0 : rng.int(4);
    for (let i = 0; i < children; i++) element.cnode(rng.chance(0.25) ? value(rng, corpus) : build(depth + 1));
    return element;
  };
  return build(0).toString();
}

const DEPTHS = [31, 32, 33, 64, 1_000, 10_000, 100_000];

/** Deep nesting: alone, inside a seed, unclosed, or closed with the wrong tags. */
export function deepNesting(rng: Rng, corpus: Corpus): string {
  const depth = rng.pick(DEPTHS);
  const tag = corpus.names.length ? rng.pick(corpus.names) : 'a';
  const open = rng.chance(0.5) ? `<${tag}>` : `<${tag} xmlns='${corpus.namespaces.length ? rng.pick(corpus.namespaces) : 'x'}'>`;
  const close = rng.chance(0.9) ? `</${tag}>` : '</b>';
  const nest = open.repeat(depth) + (rng.chance(0.8) ? close.repeat(depth) : '');
  if (rng.chance(0.5)) return nest;
  const seed = pickSeed(rng, corpus);
  const at = seed.indexOf('>') + 1;
  return seed.slice(0, at) + nest + seed.slice(at);
}

const MiB = 1_048_576;
const SIZES = [64 * 1024, MiB, 4 * MiB, 50 * MiB];
const filler = new Map<string, string>();

/**
 * `pattern` repeated to `size` characters, made once per worker and pattern, and a shorter one is a
 * slice of it (not a copy). Past 4 MiB every pattern is `x`: those inputs test the length limit,
 * which reads no further, and one 50 MB string per worker is enough.
 */
export function fill(wanted: string, size: number, length: number): string {
  const pattern = size > 4 * MiB ? 'x' : wanted;
  const key = `${pattern}:${size}`;
  let text = filler.get(key);
  if (text === undefined) filler.set(key, (text = pattern.repeat(Math.ceil(size / pattern.length))));
  return text.slice(0, Math.max(0, length - (length % pattern.length)));
}

/**
 * A huge input: an attribute value or text of up to 50 MB, many attributes or children, a long
 * name. The seed's own size is taken off half of the time, so that some inputs land just under the
 * default limit (1 MiB) and some just over.
 */
export function huge(rng: Rng, corpus: Corpus): string {
  const seed = pickSeed(rng, corpus);
  const size = rng.pick(SIZES);
  const length = size - (rng.chance(0.5) ? seed.length + 9 - rng.int(3) : 0);
  const at = seed.indexOf('>');
  const head = at > 0 && seed.charAt(at - 1) === '/' ? at - 1 : at;
  switch (rng.int(5)) {
    case 0: return seed.slice(0, head) + ` huge='${fill(rng.pick(['x', ' ', '&amp;']), size, length)}'` + seed.slice(head);
    case 1: return seed.slice(0, at + 1) + fill(rng.pick(['x', '&lt;', '\u00e9']), size, length) + seed.slice(at + 1);
    case 2: return seed.slice(0, at + 1) + fill(rng.pick(['<a/>', '<item jid="a@b"/>', '<![CDATA[x]]>']), size, length) + seed.slice(at + 1);
    case 3: return seed.slice(0, head) + fill(" a='b'", size, length) + seed.slice(head);
    default: return `<${fill('n', size, length)}/>`;
  }
}
