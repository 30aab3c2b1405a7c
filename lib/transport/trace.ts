/**
 * The trace hook: every element in and out, as text, with secrets redacted — SASL payloads (RFC 6120
 * §6.4: they carry passwords, tokens and proofs), in-band registration passwords (XEP-0077 §3.1, also
 * in data forms, §4) and the values of `text-private` form fields.
 */
import type { Element } from 'ltx';
import { NS_DATA, NS_REGISTER, NS_SASL } from '../stanzas/ns.js';
import { serialize } from '../stanzas/xml.js';

/** One traced element. */
export interface TraceEntry {
  readonly direction: 'in' | 'out';
  /** The element as XML text, secrets replaced by `[redacted]`. */
  readonly xml: string;
}

/** Receives trace entries. A hook that throws is ignored. */
export type TraceHook = (entry: TraceEntry) => void;

const REDACTED = '[redacted]';
const SASL_WITH_PAYLOAD = new Set(['auth', 'response', 'challenge', 'success']);

/** A copy of the element with its secrets replaced, or the element itself when it holds none. */
export function redact(element: Element): Element {
  return needsRedaction(element) ? copyRedacted(element, false) : element;
}

function needsRedaction(element: Element): boolean {
  const ns = element.getNS();
  if (ns === NS_SASL) return SASL_WITH_PAYLOAD.has(element.getName());
  if (element.getName() !== 'iq') return false;
  for (const child of element.children) {
    if (typeof child !== 'string' && child.getName() === 'query' && child.getNS() === NS_REGISTER) return true;
  }
  return false;
}

function copyRedacted(element: Element, secret: boolean): Element {
  const copy = new (element.constructor as new (name: string, attrs?: Record<string, string>) => Element)(element.name, { ...element.attrs });
  const name = element.getName();
  const ns = element.getNS();
  const hides =
    secret ||
    (ns === NS_SASL && SASL_WITH_PAYLOAD.has(name)) ||
    (ns === NS_REGISTER && name === 'password') ||
    (ns === NS_DATA && name === 'field' && (element.attrs.var === 'password' || element.attrs.type === 'text-private'));
  for (const child of element.children) {
    if (typeof child === 'string') copy.children.push(hides && child.trim() !== '' ? REDACTED : child);
    else copy.cnode(copyRedacted(child, hides));
  }
  return copy;
}

/** Calls the hook with the redacted text of the element; a hook that throws changes nothing. */
export function trace(hook: TraceHook | undefined, direction: 'in' | 'out', element: Element): void {
  if (!hook) return;
  try {
    hook({ direction, xml: serialize(redact(element)) });
  } catch {
    // A user callback never breaks the session.
  }
}
