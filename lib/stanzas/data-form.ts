/**
 * Data Forms: XEP-0004 v2.13, as used by in-band registration (XEP-0077 §8), service discovery
 * extensions (XEP-0128, XEP-0115 §5.4) and HTTP upload limits (XEP-0363 §4). Multi-item result forms
 * (`<reported/>`, `<item/>`) are not read.
 *
 * @see https://xmpp.org/extensions/xep-0004.html
 */
import type { Element } from 'ltx';
import { StanzaParseError } from '../errors.js';
import { attr, expectElement, h, requireAttr, textElement } from './element.js';
import { NS_DATA } from './ns.js';

/** XEP-0004 §3.1: the form types. */
export type DataFormType = 'form' | 'submit' | 'cancel' | 'result';

/** XEP-0004 §3.3: the field types. */
export type DataFieldType =
  | 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single' | 'list-multi' | 'list-single'
  | 'text-multi' | 'text-private' | 'text-single';

/** An `<option/>` of a list field. */
export interface DataFieldOption {
  readonly label?: string;
  readonly value: string;
}

/** A `<field/>`. `var` is `''` only for `fixed` fields, which may have none. */
export interface DataField {
  readonly var: string;
  readonly type?: DataFieldType;
  readonly label?: string;
  readonly desc?: string;
  readonly required: boolean;
  readonly values: readonly string[];
  readonly options: readonly DataFieldOption[];
}

/** A data form. */
export interface DataForm {
  readonly type: DataFormType;
  readonly title?: string;
  readonly instructions: readonly string[];
  readonly fields: readonly DataField[];
}

const FORM_TYPES = new Set<string>(['form', 'submit', 'cancel', 'result']);
const FIELD_TYPES = new Set<string>([
  'boolean', 'fixed', 'hidden', 'jid-multi', 'jid-single', 'list-multi', 'list-single', 'text-multi', 'text-private', 'text-single',
]);

/**
 * Builds an `<x xmlns='jabber:x:data'/>`.
 * @see https://xmpp.org/extensions/xep-0004.html#protocol-formtypes
 */
export function buildDataForm(form: DataForm): Element {
  const children: Element[] = [];
  if (form.title !== undefined) children.push(textElement('title', form.title));
  for (const line of form.instructions) children.push(textElement('instructions', line));
  for (const field of form.fields) children.push(buildField(field));
  return h('x', { xmlns: NS_DATA, type: form.type }, children);
}

function buildField(field: DataField): Element {
  const children: Element[] = [];
  if (field.desc !== undefined) children.push(textElement('desc', field.desc));
  if (field.required) children.push(h('required'));
  for (const value of field.values) children.push(textElement('value', value));
  for (const option of field.options) {
    children.push(h('option', { label: option.label }, [textElement('value', option.value)]));
  }
  return h('field', { var: field.var === '' ? undefined : field.var, type: field.type, label: field.label }, children);
}

/**
 * Reads a data form.
 * @throws {StanzaParseError} `STANZA_UNEXPECTED` when it is not `<x xmlns='jabber:x:data'/>`,
 *   `STANZA_INVALID_VALUE` for an unknown form or field type, `STANZA_MISSING_PART` for a field other
 *   than `fixed` without `var` (XEP-0004 §3.2).
 * @see https://xmpp.org/extensions/xep-0004.html#protocol
 */
export function parseDataForm(element: Element): DataForm {
  expectElement(element, 'x', NS_DATA);
  const type = requireAttr(element, 'type');
  if (!FORM_TYPES.has(type)) throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown data form type '${type}'`);
  let title: string | undefined;
  const instructions: string[] = [];
  const fields: DataField[] = [];
  for (const child of element.children) {
    if (typeof child === 'string' || child.getNS() !== NS_DATA) continue;
    const name = child.getName();
    if (name === 'title') title ??= child.getText();
    else if (name === 'instructions') instructions.push(child.getText());
    else if (name === 'field') fields.push(parseField(child));
  }
  return { type: type as DataFormType, ...(title !== undefined ? { title } : {}), instructions, fields };
}

function parseField(element: Element): DataField {
  const type = attr(element, 'type');
  if (type !== undefined && !FIELD_TYPES.has(type)) throw new StanzaParseError('STANZA_INVALID_VALUE', `unknown data field type '${type}'`);
  const name = attr(element, 'var');
  if (name === undefined && type !== 'fixed') throw new StanzaParseError('STANZA_MISSING_PART', 'a data form field without var');
  const label = attr(element, 'label');
  let desc: string | undefined;
  let required = false;
  const values: string[] = [];
  const options: DataFieldOption[] = [];
  for (const child of element.children) {
    if (typeof child === 'string' || child.getNS() !== NS_DATA) continue;
    const childName = child.getName();
    if (childName === 'value') values.push(child.getText());
    else if (childName === 'required') required = true;
    else if (childName === 'desc') desc ??= child.getText();
    else if (childName === 'option') options.push(parseOption(child));
  }
  return {
    var: name ?? '',
    ...(type !== undefined ? { type: type as DataFieldType } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(desc !== undefined ? { desc } : {}),
    required,
    values,
    options,
  };
}

function parseOption(element: Element): DataFieldOption {
  const label = attr(element, 'label');
  let value: string | undefined;
  for (const child of element.children) {
    if (typeof child !== 'string' && child.getName() === 'value') {
      value = child.getText();
      break;
    }
  }
  if (value === undefined) throw new StanzaParseError('STANZA_MISSING_PART', 'a data form option without value');
  return { ...(label !== undefined ? { label } : {}), value };
}

/** The values of the field named `name`, or `undefined` when the form has no such field. */
export function dataFieldValues(form: DataForm, name: string): readonly string[] | undefined {
  return form.fields.find((field) => field.var === name)?.values;
}

/**
 * The form's `FORM_TYPE` (the value of the hidden field of that name), `''` when it has none.
 * @see https://xmpp.org/extensions/xep-0068.html
 */
export function dataFormType(form: DataForm): string {
  return dataFieldValues(form, 'FORM_TYPE')?.[0] ?? '';
}
