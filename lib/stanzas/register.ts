/**
 * In-Band Registration: XEP-0077 v2.4. Ask a server (or service) what it needs to create an account,
 * answer with the legacy `jabber:iq:register` fields or by filling the XEP-0004 data form it sent, cancel
 * a registration, change a password, and spot the `iq-register` stream feature.
 *
 * @see https://xmpp.org/extensions/xep-0077.html
 */
import { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { buildDataForm, parseDataForm, type DataField, type DataForm } from './data-form.js';
import { textElement } from './element.js';
import { buildIqGet, buildIqSet } from './iq.js';
import { NS_DATA, NS_REGISTER, NS_REGISTER_FEATURE } from './ns.js';
import { iqPayload } from './payload.js';

/** XEP-0066: out-of-band data, used by XEP-0077 §5 to point at a web registration page. (Local: not in ns.ts.) */
const NS_OOB = 'jabber:x:oob';

/** XEP-0077 §14 (schema): the legacy registration fields. */
export type RegisterFieldName =
  | 'username' | 'nick' | 'password' | 'name' | 'first' | 'last' | 'email' | 'address' | 'city' | 'state'
  | 'zip' | 'phone' | 'url' | 'date' | 'misc' | 'text' | 'key';

/** The legacy registration fields in schema order (XEP-0077 §14), the order {@link buildRegisterSet} writes. */
export const REGISTER_FIELD_NAMES: readonly RegisterFieldName[] = [
  'username', 'nick', 'password', 'name', 'first', 'last', 'email', 'address', 'city', 'state',
  'zip', 'phone', 'url', 'date', 'misc', 'text', 'key',
];
const FIELD_NAMES = new Set<string>(REGISTER_FIELD_NAMES);

/** What a registration query says (the answer to {@link buildRegisterGet}, or any register query). */
export interface RegisterForm {
  /** XEP-0077 §3.1: `<registered/>`, the asking entity already has an account. */
  readonly registered: boolean;
  /** The first `<instructions/>`, as written (not trimmed); `''` when absent. */
  readonly instructions: string;
  /** The legacy fields present, in document order, each once (unknown elements are ignored). */
  readonly fields: readonly RegisterFieldName[];
  /** The legacy fields with a non-empty text (`<username/>` asks for a value, it does not give `''`). */
  readonly values: Readonly<Partial<Record<RegisterFieldName, string>>>;
  /** XEP-0077 §4: the `jabber:x:data` form, which takes precedence over the legacy fields (§6). */
  readonly form?: DataForm;
  /** XEP-0077 §5: the `jabber:x:oob` URL of a registration web page. */
  readonly redirectUrl?: string;
}

/** What {@link buildRegisterSet} sends: username and password, and any other legacy field asked for. */
export type RegisterSubmission = { readonly username: string; readonly password: string } & Readonly<
  Partial<Record<Exclude<RegisterFieldName, 'username' | 'password'>, string>>
>;

/** Values to fill a data form with, by field `var`: one string, or several for `*-multi` fields. */
export type RegisterFormValues = Readonly<Record<string, string | readonly string[]>>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds the request for the registration fields (`to` omitted: the server of the stream).
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register (Example 1)
 */
export function buildRegisterGet(id: string, to?: string): Element {
  return buildIqGet(id, to, registerQuery());
}

/**
 * Builds a `<query xmlns='jabber:iq:register'/>` from its parts: `<registered/>`, `<instructions/>`,
 * each field (with its value or empty), the data form, the out-of-band URL.
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for a field that is not a legacy field (XEP-0077 §4
 *   rule 1: hosts MUST NOT add fields) or a value for a field not listed in `fields`.
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register (Examples 2, 3 and 9)
 */
export function buildRegisterForm(form: RegisterForm): Element {
  const query = registerQuery();
  if (form.registered) query.cnode(new Element('registered'));
  if (form.instructions !== '') query.cnode(textElement('instructions', form.instructions));
  for (const name of form.fields) {
    if (!FIELD_NAMES.has(name)) throw new StanzaParseError('STANZA_INVALID_VALUE', `'${name}' is not a jabber:iq:register field`); // XEP-0077 §4
    query.cnode(textElement(name, form.values[name] ?? ''));
  }
  for (const name in form.values) {
    if (!form.fields.includes(name as RegisterFieldName)) {
      throw new StanzaParseError('STANZA_INVALID_VALUE', `a value for '${name}', which is not among the fields`);
    }
  }
  if (form.form) query.cnode(buildDataForm(form.form));
  if (form.redirectUrl !== undefined) {
    query.cnode(new Element('x', { xmlns: NS_OOB }).cnode(textElement('url', form.redirectUrl)).up());
  }
  return query;
}

/**
 * Reads a registration query (the `<iq/>` or its `<query/>`): the answer to {@link buildRegisterGet}, or
 * the query an error carries (pass `error.stanza`'s `<query/>` to read a form sent with an error, §3.2).
 * @throws {StanzaError} for an IQ error (e.g. `service-unavailable` where registration is off).
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` for another element, `STANZA_MISSING_PART` for an IQ
 *   without `<query/>` or an out-of-band `<x/>` without `<url/>`, and what `parseDataForm` throws for
 *   a malformed data form.
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register
 */
export function parseRegisterForm(element: Element): RegisterForm {
  const query = iqPayload(element, 'query', NS_REGISTER);
  let registered = false;
  let instructions: string | undefined;
  const fields: RegisterFieldName[] = [];
  const values: Partial<Record<RegisterFieldName, string>> = {};
  let form: DataForm | undefined;
  let redirectUrl: string | undefined;
  for (const child of query.children) {
    if (typeof child === 'string') continue;
    const name = child.getName();
    const ns = child.getNS();
    if (ns === NS_REGISTER) {
      if (name === 'registered') registered = true;
      else if (name === 'instructions') instructions ??= child.getText();
      else if (FIELD_NAMES.has(name) && !fields.includes(name as RegisterFieldName)) {
        fields.push(name as RegisterFieldName);
        const text = child.getText();
        if (text !== '') values[name as RegisterFieldName] = text;
      }
    } else if (name === 'x') {
      if (ns === NS_DATA) form ??= parseDataForm(child);
      else if (ns === NS_OOB && redirectUrl === undefined) redirectUrl = oobUrl(child);
    }
  }
  const result: Mutable<RegisterForm> = { registered, instructions: instructions ?? '', fields, values };
  if (form) result.form = form;
  if (redirectUrl !== undefined) result.redirectUrl = redirectUrl;
  return result;
}

/**
 * Builds the registration with the legacy fields, written in schema order. The caller provides every
 * field the host listed (XEP-0077 §3.1: the entity MUST provide all of them).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty username or password (XEP-0077 §3.1:
 *   the host MUST answer `not-acceptable` to an empty password).
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register (Example 4)
 */
export function buildRegisterSet(id: string, submission: RegisterSubmission, to?: string): Element {
  if (submission.username === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'registration with an empty username');
  if (submission.password === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'registration with an empty password'); // XEP-0077 §3.1
  const query = registerQuery();
  const fields = submission as Readonly<Partial<Record<RegisterFieldName, string>>>;
  for (const name of REGISTER_FIELD_NAMES) {
    const value = fields[name];
    if (value !== undefined) query.cnode(textElement(name, value));
  }
  return buildIqSet(id, to, query);
}

/**
 * Fills a data form received in a registration answer and builds its submission (XEP-0077 §4 rule 5:
 * the form, not the legacy fields as well). The submitted form (type `submit`) holds, for each field of
 * the received form but `fixed` ones: hidden fields (`FORM_TYPE` among them) with their values
 * unchanged; other fields with the value given in `values`, else their default value; a required field
 * with neither is an error; optional ones are left out. Field types are kept, labels and options are not.
 * @throws {StanzaParseError} `STANZA_MISSING_PART` for a required field without a value (or an empty one).
 * @see https://xmpp.org/extensions/xep-0077.html#extensibility
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-register (Example 10)
 * @see https://xmpp.org/extensions/xep-0004.html#protocol-formtypes
 */
export function buildRegisterFormSubmit(id: string, form: DataForm, values: RegisterFormValues, to?: string): Element {
  const fields: DataField[] = [];
  for (const field of form.fields) {
    if (field.type === 'fixed' || field.var === '') continue;
    let submitted: readonly string[];
    const given = Object.hasOwn(values, field.var) ? values[field.var] : undefined;
    if (field.type === 'hidden') submitted = field.values; // XEP-0004 §3.3: hidden values go back unchanged
    else if (given !== undefined) submitted = typeof given === 'string' ? [given] : given;
    else submitted = field.values;
    if (field.required && (submitted.length === 0 || (submitted.length === 1 && submitted[0] === ''))) {
      throw new StanzaParseError('STANZA_MISSING_PART', `the registration form requires '${field.var}'`); // XEP-0077 §3.1
    }
    if (submitted.length === 0) continue;
    const out: Mutable<DataField> = { var: field.var, required: false, values: submitted, options: [] };
    if (field.type !== undefined) out.type = field.type;
    fields.push(out);
  }
  return buildIqSet(id, to, registerQuery().cnode(buildDataForm({ type: 'submit', instructions: [], fields })).up());
}

/**
 * Builds the cancellation of a registration. Sent to the user's own server, `to` and `from` are left out
 * (XEP-0077 §3.2), and the server closes the stream once the account is gone.
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-cancel (Example 11)
 */
export function buildUnregister(id: string, to?: string): Element {
  // XEP-0077 §3.2: <remove/> is the only child of the query.
  return buildIqSet(id, to, registerQuery().cnode(new Element('remove')).up());
}

/**
 * Builds a password change (over an encrypted stream only, XEP-0077 §11).
 * @throws {StanzaParseError} `STANZA_INVALID_VALUE` for an empty password (XEP-0077 §3.3: the host
 *   keeps the old password then, so the change would silently do nothing).
 * @see https://xmpp.org/extensions/xep-0077.html#usecases-changepw (Example 18)
 */
export function buildPasswordChange(id: string, username: string, password: string, to?: string): Element {
  if (password === '') throw new StanzaParseError('STANZA_INVALID_VALUE', 'a password change to an empty password'); // XEP-0077 §3.3
  const query = registerQuery();
  query.cnode(textElement('username', username));
  query.cnode(textElement('password', password));
  return buildIqSet(id, to, query);
}

/**
 * True when stream features advertise in-band registration (`<register
 * xmlns='http://jabber.org/features/iq-register'/>`). Servers may offer registration without it: ask
 * with {@link buildRegisterGet} to be sure.
 * @see https://xmpp.org/extensions/xep-0077.html#streamfeature (Example 26)
 */
export function isRegisterFeature(features: Element): boolean {
  for (const child of features.children) {
    if (typeof child !== 'string' && child.getName() === 'register' && child.getNS() === NS_REGISTER_FEATURE) return true;
  }
  return false;
}

function registerQuery(): Element {
  return new Element('query', { xmlns: NS_REGISTER });
}

function oobUrl(x: Element): string {
  for (const child of x.children) {
    if (typeof child !== 'string' && child.getName() === 'url' && child.getNS() === NS_OOB) return child.getText();
  }
  throw new StanzaParseError('STANZA_MISSING_PART', `an <x xmlns='${NS_OOB}'/> without <url/>`); // XEP-0066 §5
}
