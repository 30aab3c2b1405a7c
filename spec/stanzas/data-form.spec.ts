import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaParseError } from '../../lib/errors.js';
import { buildDataForm, dataFieldValues, dataFormType, parseDataForm } from '../../lib/stanzas/data-form.js';
import { NS_DATA } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { dataForm } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

// XEP-0004 §9.2 Example 2 (abridged to three fields).
const XEP_EXAMPLE = `<x xmlns='jabber:x:data' type='form'>
  <title>Bot Configuration</title>
  <instructions>Fill out this form to configure your new bot!</instructions>
  <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
  <field type='fixed'><value>Section 1: Bot Info</value></field>
  <field type='list-single' label='Maximum number of subscribers' var='maxsubs'>
    <value>20</value>
    <option label='10'><value>10</value></option>
    <option label='20'><value>20</value></option>
  </field>
  <field type='text-private' label='Password for special access' var='password'><desc>secret</desc><required/></field>
</x>`;

describe('stanzas/data-form (XEP-0004)', () => {
  describe('golden', () => {
    it('reads XEP-0004 §9.2 Example 2', () => {
      const form = parseDataForm(parseXml(XEP_EXAMPLE));
      assert.equal(form.type, 'form');
      assert.equal(form.title, 'Bot Configuration');
      assert.deepEqual(form.instructions, ['Fill out this form to configure your new bot!']);
      assert.equal(dataFormType(form), 'jabber:bot');
      assert.deepEqual(form.fields[1], { var: '', type: 'fixed', required: false, values: ['Section 1: Bot Info'], options: [] });
      assert.deepEqual(form.fields[2], {
        var: 'maxsubs', type: 'list-single', label: 'Maximum number of subscribers', required: false, values: ['20'],
        options: [{ label: '10', value: '10' }, { label: '20', value: '20' }],
      });
      assert.deepEqual(form.fields[3], { var: 'password', type: 'text-private', label: 'Password for special access', desc: 'secret', required: true, values: [], options: [] });
      assertXmlEqual(buildDataForm(form), XEP_EXAMPLE);
    });

    it("reads Prosody's registration form and ejabberd's upload limits", () => {
      const register = realStanza('IBR form (iq get jabber:iq:register)', 'prosody').getChild('query', 'jabber:iq:register')?.getChild('x', NS_DATA);
      assert.ok(register);
      const form = parseDataForm(register);
      assert.equal(dataFormType(form), 'jabber:iq:register');
      assert.deepEqual(form.fields.filter((f) => f.required).map((f) => f.var), ['username', 'password']);
      const forms = realStanza('upload service disco#info', 'ejabberd').getChild('query')?.getChildren('x', NS_DATA) ?? [];
      assert.deepEqual(forms.map((x) => dataFieldValues(parseDataForm(x), 'max-file-size')), [['10485760'], ['10485760'], undefined]);
    });

    it('refuses unknown types, a field without var, an option without value', () => {
      for (const bad of [`<x xmlns='${NS_DATA}' type='odd'/>`, `<x xmlns='${NS_DATA}'/>`, `<x xmlns='${NS_DATA}' type='form'><field type='text-single'/></x>`,
        `<x xmlns='${NS_DATA}' type='form'><field var='a' type='strange'/></x>`, `<x xmlns='${NS_DATA}' type='form'><field var='a'><option/></field></x>`]) {
        assert.throws(() => parseDataForm(parseXml(bad)), StanzaParseError, bad);
      }
    });
  });

  describe('round trip', () => {

    it('parseDataForm(buildDataForm(v)) deep-equals v', () => {
      fc.assert(fc.property(dataForm, (v) => assert.deepEqual(parseDataForm(throughText(buildDataForm(v))), v)));
    });
  });

  describe('random and mutated input', () => {
    it('only returns or throws StanzaParseError', () => {
      fuzzParser(parseDataForm, { names: ['x', 'field', 'value', 'option', 'required', 'title', 'instructions', 'desc'], namespaces: [NS_DATA], attrs: ['type', 'var', 'label'], seeds: [XEP_EXAMPLE] });
    });
  });
});
