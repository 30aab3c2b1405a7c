/**
 * SASLprep: RFC 4013 (SASLprep: Stringprep Profile for User Names and Passwords, February 2005), the
 * profile of RFC 3454 (stringprep) that SCRAM (RFC 5802 §2.2, "Normalize") and PLAIN (RFC 4616 §2)
 * apply to user names and passwords.
 *
 * Printable ASCII, the common case, is already in SASLprep's output form (nothing in U+0020-U+007E is
 * mapped, normalized differently, prohibited or right-to-left), so it is returned at once. Anything
 * else loads `@mongodb-js/saslprep` with a dynamic `import()`, so that the common path does not load its code-point
 * tables (560 KB of source in its browser build, 2.6 KB gzip) and bundlers can split them off.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4013
 * @see https://www.rfc-editor.org/rfc/rfc5802#section-2.2
 */
import { SaslError } from '../errors.js';

/**
 * The SASLprep function of the loaded module: `(input, { allowUnassigned })` → prepared string.
 * @see https://www.rfc-editor.org/rfc/rfc4013#section-2
 */
export type SaslprepFunction = (input: string, options?: { allowUnassigned?: boolean }) => string;

/**
 * Loads the SASLprep implementation (injectable for tests and for apps that bundle their own).
 * @see https://www.rfc-editor.org/rfc/rfc4013
 */
export type SaslprepLoader = () => Promise<SaslprepFunction>;

/** Printable ASCII only (U+0020-U+007E), or empty. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The default loader: the package's ESM entry (its `browser` export in bundles). */
const loadPackage: SaslprepLoader = async () => {
  const module = await import('@mongodb-js/saslprep');
  return module.default;
};

let loaded: Promise<SaslprepFunction> | undefined;

/** Loads the package once; a failed load is not kept, so a later call tries again. */
function loadOnce(): Promise<SaslprepFunction> {
  if (loaded === undefined) {
    loaded = loadPackage();
    loaded.catch(() => { loaded = undefined; });
  }
  return loaded;
}

/** Options of {@link saslprep}. @see https://www.rfc-editor.org/rfc/rfc4013 */
export interface SaslprepOptions {
  /** How to load the implementation; defaults to a dynamic `import('@mongodb-js/saslprep')`, once. */
  readonly load?: SaslprepLoader;
}

/**
 * Prepares a user name or password with SASLprep (RFC 4013), as a "query" string: unassigned code
 * points are allowed, as RFC 5802 §2.2 asks of SCRAM ("treating it as a query string"). Printable
 * ASCII comes back unchanged without loading anything.
 *
 * @throws {SaslError} `SASL_PROTOCOL` when the text holds a prohibited character (RFC 4013 §2.3, e.g.
 *   a control character), breaks the bidirectional rule (§2.4, RFC 3454 §6), or when the SASLprep
 *   implementation cannot be loaded (the load error is the `cause`).
 * @see https://www.rfc-editor.org/rfc/rfc4013#section-2
 */
export async function saslprep(text: string, options: SaslprepOptions = {}): Promise<string> {
  if (PRINTABLE_ASCII.test(text)) return text;
  let prepare: SaslprepFunction;
  try {
    prepare = await (options.load ?? loadOnce)();
  } catch (error) {
    throw new SaslError('SASL_PROTOCOL', '', 'SASLprep could not be loaded', { cause: error });
  }
  try {
    // RFC 4013 §2.3 (prohibited output) and §2.4 (bidi) are enforced by the implementation: it throws.
    return prepare(text, { allowUnassigned: true }); // RFC 5802 §2.2: a query string, unassigned allowed
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'refused';
    throw new SaslError('SASL_PROTOCOL', '', `SASLprep: ${reason}`, { cause: error });
  }
}
