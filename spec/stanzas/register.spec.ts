import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { type DataField, type DataForm } from '../../lib/stanzas/data-form.js';
import { parseIq } from '../../lib/stanzas/iq.js';
import { NS_DATA, NS_REGISTER, NS_REGISTER_FEATURE } from '../../lib/stanzas/ns.js';
import {
  buildPasswordChange,
  buildRegisterForm,
  buildRegisterFormSubmit,
  buildRegisterGet,
  buildRegisterSet,
  buildUnregister,
  isRegisterFeature,
  parseRegisterForm,
  REGISTER_FIELD_NAMES,
  type RegisterFieldName,
  type RegisterForm,
  type RegisterSubmission,
} from '../../lib/stanzas/register.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { bareJid, dataForm, stanzaId, xmlName, xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const isParseError = (code: string) => (e: unknown): boolean => e instanceof StanzaParseError && e.code === code;
/** The XEP's examples show the `from` the server stamps; builders leave it out and set the namespace. */
const asBuilt = (xml: string): string => xml.replace(/\s+from='[^']*'/, '').replace('<iq ', "<iq xmlns='jabber:client' ");
const field = (init: Partial<DataField> & { var: string }): DataField => ({ required: false, values: [], options: [], ...init });

const EXAMPLE_9 = `<iq type='result'
    from='contests.shakespeare.lit'
    to='juliet@capulet.com/balcony'
    id='reg3'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      Use the enclosed form to register. If your Jabber client does not
      support Data Forms, visit http://www.shakespeare.lit/contests.php
    </instructions>
    <x xmlns='jabber:x:data' type='form'>
      <title>Contest Registration</title>
      <instructions>
        Please provide the following information
        to sign up for our special contests!
      </instructions>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register</value>
      </field>
      <field type='text-single' label='Given Name' var='first'>
        <required/>
      </field>
      <field type='text-single' label='Family Name' var='last'>
        <required/>
      </field>
      <field type='text-single' label='Email Address' var='email'>
        <required/>
      </field>
      <field type='list-single' label='Gender' var='x-gender'>
        <option label='Male'><value>M</value></option>
        <option label='Female'><value>F</value></option>
      </field>
    </x>
  </query>
</iq>`;

const EXAMPLE_16 = `<iq type='error' from='shakespeare.lit' to='bill@shakespeare.lit/globe' id='unreg1'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='form'>
      <title>Cancel Registration</title>
      <instructions>Use this form to cancel your registration.</instructions>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register:cancel</value>
      </field>
      <field type='text-single' label='Username' var='username'>
        <required/>
      </field>
      <field type='text-private' label='Password' var='password'>
        <required/>
      </field>
      <field type='text-single' label='Mother&apos;s Maiden Name' var='x-mmn'>
        <required/>
      </field>
    </x>
  </query>
  <error code='405' type='cancel'>
    <not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`;

const EXAMPLE_23 = `<iq type='error' from='shakespeare.lit' to='bill@shakespeare.lit/globe' id='change1'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='form'>
      <title>Password Change</title>
      <instructions>Use this form to change your password.</instructions>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register:changepassword</value>
      </field>
      <field type='text-single' label='Username' var='username'>
        <required/>
      </field>
      <field type='text-private' label='Old Password' var='old_password'>
        <required/>
      </field>
      <field type='text-private' label='New Password' var='password'>
        <required/>
      </field>
      <field type='text-single' label='Mother&apos;s Maiden Name' var='x-mmn'>
        <required/>
      </field>
    </x>
  </query>
  <error code='401' type='modify'>
    <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`;

/** The form carried by an error answer: read from the error's `<query/>` (the IQ itself throws). */
function formOfError(xml: string): DataForm {
  const iq = parseXml(xml);
  assert.throws(() => parseRegisterForm(iq), StanzaError);
  const form = parseRegisterForm(iq.getChild('query', NS_REGISTER) ?? iq).form;
  assert.ok(form);
  return form;
}

describe('stanzas/register (XEP-0077)', () => {
  describe('golden fixtures: XEP-0077 §3.1', () => {
    it('builds the request of Example 1', () => {
      assertXmlEqual(buildRegisterGet('reg1', 'shakespeare.lit'), `<iq xmlns='jabber:client' type='get' id='reg1' to='shakespeare.lit'>
  <query xmlns='jabber:iq:register'/>
</iq>`);
      assertXmlEqual(buildRegisterGet('reg1'), "<iq xmlns='jabber:client' type='get' id='reg1'><query xmlns='jabber:iq:register'/></iq>");
    });

    it('reads (and builds) the fields of Example 2', () => {
      const two = parseXml(`<iq type='result' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      Choose a username and password for use with this service.
      Please also provide your email address.
    </instructions>
    <username/>
    <password/>
    <email/>
  </query>
</iq>`);
      const expected: RegisterForm = {
        registered: false,
        instructions: '\n      Choose a username and password for use with this service.\n      Please also provide your email address.\n    ',
        fields: ['username', 'password', 'email'],
        values: {},
      };
      assert.deepEqual(parseRegisterForm(two), expected);
      assertXmlEqual(buildRegisterForm(expected), two.getChild('query', NS_REGISTER) ?? '');
    });

    it('reads (and builds) the current registration of Example 3', () => {
      const three = parseXml(`<iq type='result' id='reg1'>
  <query xmlns='jabber:iq:register'>
    <registered/>
    <username>juliet</username>
    <password>R0m30</password>
    <email>juliet@capulet.com</email>
  </query>
</iq>`);
      const expected: RegisterForm = {
        registered: true,
        instructions: '',
        fields: ['username', 'password', 'email'],
        values: { username: 'juliet', password: 'R0m30', email: 'juliet@capulet.com' },
      };
      assert.deepEqual(parseRegisterForm(three), expected);
      assertXmlEqual(buildRegisterForm(expected), three.getChild('query', NS_REGISTER) ?? '');
    });

    it('builds the registration of Example 4', () => {
      assertXmlEqual(buildRegisterSet('reg2', { username: 'bill', password: 'Calliope', email: 'bard@shakespeare.lit' }), `<iq xmlns='jabber:client' type='set' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>Calliope</password>
    <email>bard@shakespeare.lit</email>
  </query>
</iq>`);
    });

    it('refuses the empty result of Example 5 as a form; throws the errors of Examples 6 and 7', () => {
      assert.throws(() => parseRegisterForm(parseXml("<iq type='result' id='reg2'/>")), isParseError('STANZA_MISSING_PART'));
      const six = parseXml(`<iq type='error' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>m1cro$oft</password>
    <email>billg@bigcompany.com</email>
  </query>
  <error code='409' type='cancel'>
    <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`);
      assert.throws(() => parseRegisterForm(six), (e: unknown) => e instanceof StanzaError && e.condition === 'conflict' && e.type === 'cancel');
      const seven = parseXml(`<iq type='error' id='reg2'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>Calliope</password>
  </query>
  <error code='406' type='modify'>
    <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
  </error>
</iq>`);
      assert.throws(() => parseRegisterForm(seven), (e: unknown) => e instanceof StanzaError && e.condition === 'not-acceptable' && e.type === 'modify');
    });

    it('builds the request of Example 8 and reads the data form of Example 9', () => {
      assertXmlEqual(buildRegisterGet('reg3', 'contests.shakespeare.lit'), asBuilt(`<iq type='get'
    from='juliet@capulet.com/balcony'
    to='contests.shakespeare.lit'
    id='reg3'>
  <query xmlns='jabber:iq:register'/>
</iq>`));
      const nine = parseRegisterForm(parseXml(EXAMPLE_9));
      assert.deepEqual(nine, {
        registered: false,
        instructions: '\n      Use the enclosed form to register. If your Jabber client does not\n      support Data Forms, visit http://www.shakespeare.lit/contests.php\n    ',
        fields: [],
        values: {},
        form: {
          type: 'form',
          title: 'Contest Registration',
          instructions: ['\n        Please provide the following information\n        to sign up for our special contests!\n      '],
          fields: [
            field({ var: 'FORM_TYPE', type: 'hidden', values: ['jabber:iq:register'] }),
            field({ var: 'first', type: 'text-single', label: 'Given Name', required: true }),
            field({ var: 'last', type: 'text-single', label: 'Family Name', required: true }),
            field({ var: 'email', type: 'text-single', label: 'Email Address', required: true }),
            field({ var: 'x-gender', type: 'list-single', label: 'Gender', options: [{ label: 'Male', value: 'M' }, { label: 'Female', value: 'F' }] }),
          ],
        },
      });
    });

    it('fills the form of Example 9 into the submission of Example 10 (labels left out, as XEP-0004 allows)', () => {
      const form = parseRegisterForm(parseXml(EXAMPLE_9)).form;
      assert.ok(form);
      const values = { first: 'Juliet', last: 'Capulet', email: 'juliet@capulet.com', 'x-gender': 'F' };
      assertXmlEqual(buildRegisterFormSubmit('reg4', form, values, 'contests.shakespeare.lit'), asBuilt(`<iq type='set'
    from='juliet@capulet.com/balcony'
    to='contests.shakespeare.lit'
    id='reg4'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='submit'>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register</value>
      </field>
      <field type='text-single' var='first'>
        <value>Juliet</value>
      </field>
      <field type='text-single' var='last'>
        <value>Capulet</value>
      </field>
      <field type='text-single' var='email'>
        <value>juliet@capulet.com</value>
      </field>
      <field type='list-single' var='x-gender'>
        <value>F</value>
      </field>
    </x>
  </query>
</iq>`));
    });
  });

  describe('golden fixtures: XEP-0077 §3.2, §3.3, §5, §8', () => {
    it('builds the cancellation of Example 11', () => {
      assertXmlEqual(buildUnregister('unreg1'), asBuilt(`<iq type='set' from='bill@shakespeare.lit/globe' id='unreg1'>
  <query xmlns='jabber:iq:register'>
    <remove/>
  </query>
</iq>`));
    });

    it('reads the cancellation form of Example 16 and fills it into Example 17', () => {
      const form = formOfError(EXAMPLE_16);
      assert.equal(form.title, 'Cancel Registration');
      assertXmlEqual(buildRegisterFormSubmit('unreg2', form, { username: 'bill@shakespeare.lit', password: 'theglobe', 'x-mmn': 'Throckmorton' }, 'shakespeare.lit'),
        asBuilt(`<iq type='set' from='bill@shakespeare.lit/globe' to='shakespeare.lit' id='unreg2'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='submit'>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register:cancel</value>
      </field>
      <field type='text-single' var='username'>
        <value>bill@shakespeare.lit</value>
      </field>
      <field type='text-private' var='password'>
        <value>theglobe</value>
      </field>
      <field type='text-single' var='x-mmn'>
        <value>Throckmorton</value>
      </field>
    </x>
  </query>
</iq>`));
    });

    it('builds the password change of Example 18', () => {
      assertXmlEqual(buildPasswordChange('change1', 'bill', 'newpass', 'shakespeare.lit'), `<iq xmlns='jabber:client' type='set' to='shakespeare.lit' id='change1'>
  <query xmlns='jabber:iq:register'>
    <username>bill</username>
    <password>newpass</password>
  </query>
</iq>`);
    });

    it('reads the password change form of Example 23 and fills it into Example 24', () => {
      const form = formOfError(EXAMPLE_23);
      const values = { username: 'bill@shakespeare.lit', old_password: 'theglobe', password: 'groundlings', 'x-mmn': 'Throckmorton' };
      assertXmlEqual(buildRegisterFormSubmit('change2', form, values, 'shakespeare.lit'),
        asBuilt(`<iq type='set' from='bill@shakespeare.lit/globe' to='shakespeare.lit' id='change2'>
  <query xmlns='jabber:iq:register'>
    <x xmlns='jabber:x:data' type='submit'>
      <field type='hidden' var='FORM_TYPE'>
        <value>jabber:iq:register:changepassword</value>
      </field>
      <field type='text-single' var='username'>
        <value>bill@shakespeare.lit</value>
      </field>
      <field type='text-private' var='old_password'>
        <value>theglobe</value>
      </field>
      <field type='text-private' var='password'>
        <value>groundlings</value>
      </field>
      <field type='text-single' var='x-mmn'>
        <value>Throckmorton</value>
      </field>
    </x>
  </query>
</iq>`));
    });

    it('reads the redirection of Example 25 (instructions and out-of-band URL)', () => {
      const redirect = parseXml(`<iq type='result'
    from='contests.shakespeare.lit'
    to='juliet@capulet.com/balcony'
    id='reg3'>
  <query xmlns='jabber:iq:register'>
    <instructions>
      To register, visit http://www.shakespeare.lit/contests.php
    </instructions>
    <x xmlns='jabber:x:oob'>
      <url>http://www.shakespeare.lit/contests.php</url>
    </x>
  </query>
</iq>`);
      const expected: RegisterForm = {
        registered: false,
        instructions: '\n      To register, visit http://www.shakespeare.lit/contests.php\n    ',
        fields: [],
        values: {},
        redirectUrl: 'http://www.shakespeare.lit/contests.php',
      };
      assert.deepEqual(parseRegisterForm(redirect), expected);
      assertXmlEqual(buildRegisterForm(expected), redirect.getChild('query', NS_REGISTER) ?? '');
    });

    it('recognizes the stream feature of Example 26', () => {
      const features = parseXml(`<stream:features xmlns:stream='http://etherx.jabber.org/streams'>
    <register xmlns='http://jabber.org/features/iq-register'/>
  </stream:features>`);
      assert.equal(isRegisterFeature(features), true);
      assert.equal(isRegisterFeature(parseXml("<stream:features xmlns:stream='http://etherx.jabber.org/streams'><register xmlns='jabber:iq:register'/></stream:features>")), false);
    });
  });

  describe('golden fixtures: real servers', () => {
    it("reads Prosody's form: legacy fields plus the data form", () => {
      const prosody = parseRegisterForm(realStanza('IBR form (iq get jabber:iq:register)', 'prosody'));
      const instructions = 'Choose a username and password for use with this service.';
      assert.deepEqual(prosody, {
        registered: false,
        instructions,
        fields: ['username', 'password'],
        values: {},
        form: {
          type: 'form',
          title: 'Creating a new account',
          instructions: [instructions],
          fields: [
            field({ var: 'FORM_TYPE', type: 'hidden', values: ['jabber:iq:register'] }),
            field({ var: 'username', type: 'text-single', label: 'Username', required: true }),
            field({ var: 'password', type: 'text-private', label: 'Password', required: true }),
          ],
        },
      });
      assert.ok(prosody.form);
      assertXmlEqual(buildRegisterFormSubmit('r1', prosody.form, { username: 'alice', password: 'pw <&> "1"' }), `<iq xmlns='jabber:client' type='set' id='r1'>
        <query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>
          <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>
          <field var='username' type='text-single'><value>alice</value></field>
          <field var='password' type='text-private'><value>pw &lt;&amp;&gt; "1"</value></field>
        </x></query></iq>`);
    });

    it("reads ejabberd's legacy form (instructions after the fields)", () => {
      assert.deepEqual(parseRegisterForm(realStanza('IBR form (iq get jabber:iq:register)', 'ejabberd')), {
        registered: false,
        instructions: 'Choose a username and password to register with this server',
        fields: ['username', 'password'],
        values: {},
      });
    });

    for (const server of ['prosody', 'ejabberd'] as const) {
      it(`${server}: the registration result is an empty IQ result, not a form`, () => {
        const result = realStanza('IBR result', server);
        const iq = parseIq(result);
        assert.equal(iq.type, 'result');
        assert.equal(iq.payload, undefined);
        assert.throws(() => parseRegisterForm(result), isParseError('STANZA_MISSING_PART'));
      });

      it(`${server}: the stream features say whether registration is offered`, () => {
        assert.equal(isRegisterFeature(realStanza('stream features before auth (ws, plain http)', server)), true);
        assert.equal(isRegisterFeature(realStanza('stream features after auth', server)), false);
      });
    }

    it('throws the duplicate-username error of both servers as StanzaError conflict with its text', () => {
      assert.throws(() => parseRegisterForm(realStanza('IBR duplicate username error', 'prosody')),
        (e: unknown) => e instanceof StanzaError && e.condition === 'conflict' && e.type === 'cancel' && e.text === 'The requested username already exists.');
      assert.throws(() => parseRegisterForm(realStanza('IBR duplicate username error', 'ejabberd')),
        (e: unknown) => e instanceof StanzaError && e.condition === 'conflict' && e.type === 'cancel' && e.text === 'User already exists');
    });
  });

  describe('validation and tolerance', () => {
    const form: DataForm = {
      type: 'form',
      instructions: [],
      fields: [
        field({ var: 'FORM_TYPE', type: 'hidden', values: ['jabber:iq:register'] }),
        field({ var: '', type: 'fixed', values: ['Fill in'] }),
        field({ var: 'username', type: 'text-single', required: true }),
        field({ var: 'password', type: 'text-private', required: true }),
        field({ var: 'nick', type: 'text-single' }),
        field({ var: 'lang', type: 'list-single', values: ['en'] }),
        field({ var: 'tags', type: 'list-multi' }),
        field({ var: 'secret', type: 'hidden', values: ['s3'] }),
        field({ var: 'captcha' }),
      ],
    };
    const submitted = (values: Record<string, string | readonly string[]>): DataForm | undefined =>
      parseRegisterForm(throughText(buildRegisterFormSubmit('s', form, values))).form;

    it('fills a data form: hidden fields unchanged, defaults kept, optional ones left out, fixed ones dropped', () => {
      assert.deepEqual(submitted({ username: 'u', password: 'p', FORM_TYPE: 'forged', secret: 'forged', tags: ['a', 'b'], captcha: '' }), {
        type: 'submit',
        instructions: [],
        fields: [
          field({ var: 'FORM_TYPE', type: 'hidden', values: ['jabber:iq:register'] }),
          field({ var: 'username', type: 'text-single', values: ['u'] }),
          field({ var: 'password', type: 'text-private', values: ['p'] }),
          field({ var: 'lang', type: 'list-single', values: ['en'] }),
          field({ var: 'tags', type: 'list-multi', values: ['a', 'b'] }),
          field({ var: 'secret', type: 'hidden', values: ['s3'] }),
          field({ var: 'captcha', values: [''] }),
        ],
      });
    });

    it('refuses to submit a form with a required field missing or empty', () => {
      assert.throws(() => buildRegisterFormSubmit('s', form, { username: 'u' }), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => buildRegisterFormSubmit('s', form, { username: 'u', password: '' }), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => buildRegisterFormSubmit('s', form, { username: [], password: 'p' }), isParseError('STANZA_MISSING_PART'));
      // An inherited property is not a value.
      assert.throws(() => buildRegisterFormSubmit('s', form, Object.create({ username: 'u', password: 'p' }) as Record<string, string>), isParseError('STANZA_MISSING_PART'));
    });

    it('refuses empty credentials and fields that are not jabber:iq:register fields', () => {
      assert.throws(() => buildRegisterSet('r', { username: 'u', password: '' }), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => buildRegisterSet('r', { username: '', password: 'p' }), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => buildPasswordChange('c', 'u', ''), isParseError('STANZA_INVALID_VALUE'));
      const bad = { registered: false, instructions: '', fields: ['username', 'gender'] as RegisterFieldName[], values: {} };
      assert.throws(() => buildRegisterForm(bad), isParseError('STANZA_INVALID_VALUE'));
      assert.throws(() => buildRegisterForm({ registered: false, instructions: '', fields: ['username'], values: { password: 'p' } }), isParseError('STANZA_INVALID_VALUE'));
    });

    it('ignores unknown and repeated elements, reads a form without FORM_TYPE, refuses broken extensions', () => {
      const query = (inner: string) => parseXml(`<query xmlns='jabber:iq:register'>${inner}</query>`);
      assert.deepEqual(parseRegisterForm(query("<username>a</username><gender>x</gender><username>b</username><email xmlns='urn:example'>e</email><instructions>one</instructions><instructions>two</instructions><remove/>")), {
        registered: false, instructions: 'one', fields: ['username'], values: { username: 'a' },
      });
      assert.deepEqual(parseRegisterForm(query("<x xmlns='jabber:x:data' type='form'><field var='u'/></x><x xmlns='jabber:x:data' type='result'/>")).form,
        { type: 'form', instructions: [], fields: [field({ var: 'u' })] });
      assert.throws(() => parseRegisterForm(query("<x xmlns='jabber:x:oob'><desc>no url</desc></x>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parseRegisterForm(query("<x xmlns='jabber:x:data'/>")), isParseError('STANZA_MISSING_PART'));
      assert.throws(() => parseRegisterForm(parseXml("<query xmlns='jabber:iq:roster'/>")), isParseError('STANZA_UNEXPECTED'));
    });
  });

  describe('round trip', () => {
    const fieldNames = fc.uniqueArray(fc.constantFrom(...REGISTER_FIELD_NAMES), { maxLength: 6 });
    const registerForm: fc.Arbitrary<RegisterForm> = fc
      .tuple(fc.boolean(), xmlText(), fieldNames, fc.option(dataForm, { nil: undefined }), fc.option(xmlText(), { nil: undefined }))
      .chain(([registered, instructions, fields, form, redirectUrl]) =>
        fc.tuple(...fields.map((name) => fc.option(xmlTextNonEmpty(), { nil: undefined }).map((value) => [name, value] as const))).map((pairs) => {
          const values: Partial<Record<RegisterFieldName, string>> = {};
          for (const [name, value] of pairs) if (value !== undefined) values[name] = value;
          return { registered, instructions, fields, values, ...(form ? { form } : {}), ...(redirectUrl !== undefined ? { redirectUrl } : {}) };
        }));

    it('parseRegisterForm(buildRegisterForm(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(registerForm, (v) => {
        assert.deepEqual(parseRegisterForm(throughText(buildRegisterForm(v))), v);
      }));
    });

    it('the legacy registration reads back as its fields, in schema order', () => {
      const optional = fc.dictionary(fc.constantFrom(...REGISTER_FIELD_NAMES.filter((n) => n !== 'username' && n !== 'password')), xmlTextNonEmpty(), { noNullPrototype: true, maxKeys: 5 });
      fc.assert(fc.property(stanzaId, xmlTextNonEmpty(), xmlTextNonEmpty(), optional, fc.option(bareJid, { nil: undefined }), (id, username, password, rest, to) => {
        const submission: RegisterSubmission = { ...rest, username, password };
        const iq = throughText(buildRegisterSet(id, submission, to));
        assert.deepEqual([iq.attrs.id, iq.attrs.type, iq.attrs.to], [id, 'set', to]);
        const read = parseRegisterForm(iq);
        assert.deepEqual(read.fields, REGISTER_FIELD_NAMES.filter((n) => n in submission));
        assert.deepEqual(read.values, submission);
      }));
    });

    it('the password change and the cancellation read back', () => {
      fc.assert(fc.property(stanzaId, xmlTextNonEmpty(), xmlTextNonEmpty(), fc.option(bareJid, { nil: undefined }), (id, username, password, to) => {
        const change = parseRegisterForm(throughText(buildPasswordChange(id, username, password, to)));
        assert.deepEqual(change, { registered: false, instructions: '', fields: ['username', 'password'], values: { username, password } });
        const remove = throughText(buildUnregister(id, to));
        assert.deepEqual([remove.attrs.id, remove.attrs.type, remove.attrs.to], [id, 'set', to]);
        const query = remove.getChild('query', NS_REGISTER);
        assert.deepEqual(query?.children.map((c) => (typeof c === 'string' ? c : c.name)), ['remove']);
        const get = throughText(buildRegisterGet(id, to));
        assert.deepEqual([get.attrs.type, get.attrs.to, get.getChild('query', NS_REGISTER)?.children.length], ['get', to, 0]);
      }));
    });

    it('a filled form reads back with the given values, hidden ones unchanged, as a submission', () => {
      const fields = fc.uniqueArray(
        fc.record({ var: xmlName, type: fc.constantFrom('hidden', 'text-single', 'text-private', 'list-multi'), required: fc.boolean(), values: fc.array(xmlText(6), { maxLength: 2 }) }, { noNullPrototype: true }),
        { selector: (f) => f.var, maxLength: 5 },
      );
      fc.assert(fc.property(fields, fc.array(xmlTextNonEmpty(6), { minLength: 1, maxLength: 2 }), (received, given) => {
        const form: DataForm = { type: 'form', instructions: ['fill'], fields: received.map((f) => field(f)) };
        const values: Record<string, readonly string[]> = {};
        for (const f of received) if (f.type !== 'hidden') values[f.var] = given;
        const hiddenRequiredEmpty = received.some((f) => f.type === 'hidden' && f.required && (f.values.length === 0 || (f.values.length === 1 && f.values[0] === '')));
        if (hiddenRequiredEmpty) {
          assert.throws(() => buildRegisterFormSubmit('s', form, values), isParseError('STANZA_MISSING_PART'));
          return;
        }
        const read = parseRegisterForm(throughText(buildRegisterFormSubmit('s', form, values))).form;
        assert.equal(read?.type, 'submit');
        const expected = received
          .map((f) => field({ var: f.var, type: f.type, values: f.type === 'hidden' ? f.values : given }))
          .filter((f) => f.values.length > 0);
        assert.deepEqual(read?.fields, expected);
      }));
    });
  });

  describe('random and mutated input', () => {
    const vocabulary = {
      names: ['iq', 'query', 'registered', 'instructions', 'username', 'password', 'email', 'remove', 'x', 'field', 'value', 'url', 'error', 'register'],
      namespaces: [NS_REGISTER, NS_DATA, 'jabber:x:oob', 'jabber:client', NS_REGISTER_FEATURE],
      attrs: ['type', 'id', 'var', 'label'],
      seeds: [EXAMPLE_9, EXAMPLE_16, EXAMPLE_23],
    };

    it('parseRegisterForm only returns or throws StanzaParseError', () => {
      fuzzParser(parseRegisterForm, vocabulary);
    });

    it('isRegisterFeature never throws', () => {
      fuzzParser((element) => assert.equal(typeof isRegisterFeature(element), 'boolean'), vocabulary);
    });
  });
});
