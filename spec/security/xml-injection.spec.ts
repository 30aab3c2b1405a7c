// Security checks: XML built from user input cannot inject elements. For arbitrary strings, biased to
// what breaks XML (`<`, `&`, quotes, `]]>`, CDATA and comment openers, DOCTYPE and entity tricks,
// lone surrogates, control characters, U+FFFE), every builder that takes user text builds, the
// element is serialized and parsed back, and then either
// - the parsed tree is the built tree, element for element, attribute for attribute, text for text
//   (so no element or attribute was added, and none cut short), and the codec's parser reads the very
//   string back; or
// - building or serializing threw a typed error (XML_INVALID_CHAR only for a string that holds a
//   character XML 1.0 cannot carry; JidError for a string that cannot be in a JID).
// Then the same kind of text through the SDK against the real Prosody: what is stored is read back
// as given, one element each.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { JidError, XmppError, createSDK, type ProfileSDK } from '../../lib/node.js';
import { buildBlock, parseBlockingPush } from '../../lib/stanzas/blocking.js';
import { buildDataForm, parseDataForm, type DataForm } from '../../lib/stanzas/data-form.js';
import { buildDiscoInfoGet } from '../../lib/stanzas/disco.js';
import { buildJid, escapeLocal } from '../../lib/stanzas/jid.js';
import { buildLastActivityGet } from '../../lib/stanzas/last-activity.js';
import { buildPresence, buildSubscribe, buildUnavailable, parsePresence } from '../../lib/stanzas/presence.js';
import { blockedJidsOfPrivacyList, buildBlockingPrivacyList, buildPrivacyActiveSet, buildPrivacyListGet, buildPrivacyListSet, parsePrivacyList, type PrivacyStanzas } from '../../lib/stanzas/privacy.js';
import { buildPasswordChange, buildRegisterFormSubmit, buildRegisterSet, parseRegisterForm } from '../../lib/stanzas/register.js';
import { buildRosterSet, parseRosterPush } from '../../lib/stanzas/roster.js';
import { buildUploadSlotRequest, parseUploadSlotRequest } from '../../lib/stanzas/upload.js';
import { buildVCard, buildVCardSet, parseVCard, updateVCard, type VCardFields } from '../../lib/stanzas/vcard.js';
import { buildVCard4, buildVCard4Publish, parseVCard4 } from '../../lib/stanzas/vcard4.js';
import { isXmlSafe, parseXml, serialize } from '../../lib/stanzas/xml.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';

/** Pieces that break naive XML writers, and characters XML 1.0 cannot carry. */
const HOSTILE = [
  '<', '>', '&', '"', "'", ']]>', '<![CDATA[', '<!--', '-->', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY e "boom">]>', '&e;',
  '</vCard>', '<evil/>', "'/><evil a='", '"><evil>', '</item><item jid=\'eve@evil\'/>', '&amp;', '&lt;', '&#60;', '&#0;', '&unknown;',
  '\u0000', '\u0001', '\u0008', '\u000B', '\u000C', '\u001F', '\uD800', '\uDC00', '\uDBFF\uDFFF', '\uFFFE', '\uFFFF',
  '\r', '\n', '\t', '\r\n', ' ', '\u0085', '\u2028', '💬', 'é', 'a', 'b@c', '/', '\\20', '\\5c',
];

/** Arbitrary strings, biased to {@link HOSTILE}; may be `''`. */
const hostileText = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), { maxLength: 10 })
  .map((parts) => parts.join(''));

/** The tree as plain data: names, defined attributes, merged non-empty text. */
interface Shape {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: (string | Shape)[];
}

function shape(element: Element): Shape {
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(element.attrs as Record<string, unknown>)) {
    if (value !== undefined && value !== null) attrs[key] = String(value);
  }
  const children: (string | Shape)[] = [];
  for (const child of element.children) {
    if (typeof child === 'string') {
      const last = children.at(-1);
      if (typeof last === 'string') children[children.length - 1] = last + child;
      else if (child !== '') children.push(child);
    } else {
      children.push(shape(child));
    }
  }
  return { name: element.name, attrs, children };
}

/**
 * The property for one builder: `build(s)` serialized and parsed back is the same tree, and `read`
 * (the codec's parser on the parsed tree) finds `s` again; or a typed error was thrown.
 */
function noInjection(build: (text: string) => Element, read?: (parsed: Element, text: string) => void, runs = 300): void {
  fc.assert(fc.property(hostileText, (text) => {
    let built: Element;
    let xml: string;
    try {
      built = build(text);
      xml = serialize(built);
    } catch (error) {
      assert.ok(error instanceof XmppError, `an untyped error for ${JSON.stringify(text)}: ${String(error)}`);
      if (error.code === 'XML_INVALID_CHAR') assert.ok(!isXmlSafe(text), `XML_INVALID_CHAR for XML-safe ${JSON.stringify(text)}`);
      return;
    }
    assert.ok(isXmlSafe(text) || !xml.includes(text), 'a character XML cannot carry was written');
    const parsed = parseXml(xml);
    assert.deepEqual(shape(parsed), shape(built), xml);
    read?.(parsed, text);
  }), { numRuns: runs });
}

const ALL: PrivacyStanzas = { message: true, iq: true, presenceIn: true, presenceOut: true };
const fields = (text: string): VCardFields => ({ nickName: text, fullName: text, image: `https://example.com/${text}`, status: text, mobileNumber: text, email: text });
const readFields = (read: { nickName: string; status: string; mobileNumber: string; email: string }, text: string): void => {
  if (text.trim() === '') return; // an empty field is no field (a vCard drops it)
  assert.deepEqual([read.nickName, read.status, read.mobileNumber, read.email], [text, text, text, text]);
};
const REGISTER_FORM: DataForm = {
  type: 'form',
  instructions: [],
  fields: [
    { var: 'FORM_TYPE', type: 'hidden', required: false, values: ['jabber:iq:register'], options: [] },
    { var: 'username', type: 'text-single', required: true, values: [], options: [] },
    { var: 'password', type: 'text-private', required: true, values: [], options: [] },
  ],
};
/** A JID whose local part is the text escaped (XEP-0106), or the JidError that says it cannot be one. */
const jidOf = (text: string): string => buildJid({ local: escapeLocal(text), domain: 'example.com' });

describe('security: XML built from user input cannot inject elements', () => {
  describe('every builder that takes user text, for arbitrary strings', () => {
    it('vCard-temp: buildVCard, buildVCardSet, updateVCard (profile fields)', () => {
      noInjection((text) => buildVCard(fields(text)), (parsed, text) => readFields(parseVCard(parsed), text));
      noInjection((text) => buildVCardSet('v1', fields(text)), (parsed, text) => readFields(parseVCard(parsed), text));
      const stored = parseXml("<vCard xmlns='vcard-temp'><N><GIVEN>Ann</GIVEN></N><BDAY>2000-01-01</BDAY><TEL><WORK/><NUMBER>+1 555</NUMBER></TEL></vCard>");
      noInjection((text) => updateVCard(stored, fields(text)), (parsed, text) => {
        readFields(parseVCard(parsed), text);
        assert.equal(parsed.getChild('BDAY')?.getText(), '2000-01-01');
      });
    });

    it('vCard4 over PEP: buildVCard4, buildVCard4Publish', () => {
      noInjection((text) => buildVCard4(fields(text)), (parsed, text) => readFields(parseVCard4(parsed), text));
      noInjection((text) => buildVCard4Publish('p1', fields(text)));
    });

    // Found by the property above: buildVCard4 wrote the number as a tel: URI with encodeURI, which
    // threw a URIError (untyped) for a lone surrogate; lib/stanzas/vcard4.ts now refuses it as
    // serialize refuses what XML cannot carry.
    it('vCard4: a mobile number holding a lone surrogate is refused with a typed error, not a URIError', () => {
      for (const number of ['\uD800', '+1 555 \uDC00']) {
        let thrown: unknown;
        try {
          serialize(buildVCard4({ ...fields('x'), mobileNumber: number }));
        } catch (error) {
          thrown = error;
        }
        assert.ok(thrown instanceof XmppError && thrown.code === 'XML_INVALID_CHAR', `${JSON.stringify(number)}: ${String(thrown)}`);
      }
    });

    it('roster: buildRosterSet (names, groups, JIDs)', () => {
      noInjection((text) => buildRosterSet('r1', { jid: 'bob@example.com', name: text, groups: [text, 'Friends'] }), (parsed, text) => {
        const { item } = parseRosterPush(parsed);
        if (text !== '') assert.equal(item.name, text);
        assert.ok(item.groups.includes('Friends'));
        if (text.trim() !== '') assert.ok(item.groups.includes(text), JSON.stringify(item.groups));
      });
      noInjection((text) => buildRosterSet('r2', { jid: jidOf(text) }), (parsed, text) => assert.equal(parseRosterPush(parsed).item.jid, jidOf(text)));
    });

    it('presence: buildPresence, buildUnavailable (status), buildSubscribe (JID)', () => {
      noInjection((text) => buildPresence({ status: text }), (parsed, text) => assert.equal(parsePresence(parsed).status, text));
      noInjection((text) => buildUnavailable(text), (parsed, text) => assert.equal(parsePresence(parsed).status, text));
      noInjection((text) => buildSubscribe(jidOf(text)));
    });

    it('in-band registration: buildRegisterSet, buildRegisterFormSubmit, buildPasswordChange', () => {
      noInjection((text) => buildRegisterSet('g1', { username: text, password: text, email: text }), (parsed, text) => {
        const { values } = parseRegisterForm(parsed);
        assert.deepEqual([values.username, values.password, values.email], [text, text, text]);
      });
      noInjection((text) => buildRegisterFormSubmit('g2', REGISTER_FORM, { username: text, password: text }), (parsed, text) => {
        const form = parseRegisterForm(parsed).form;
        assert.deepEqual(form?.fields.filter((field) => field.var !== 'FORM_TYPE').map((field) => field.values), [[text], [text]]);
      });
      noInjection((text) => buildPasswordChange('g3', text, text), (parsed, text) => {
        const { values } = parseRegisterForm(parsed);
        assert.deepEqual([values.username, values.password], [text, text]);
      });
    });

    it('privacy lists: list names, item values, the blocking list of JIDs', () => {
      noInjection((text) => buildPrivacyListSet('v1', {
        name: text,
        items: [{ type: 'group', value: text, action: 'deny', order: 1, stanzas: ALL }, { action: 'allow', order: 2, stanzas: ALL }],
      }), (parsed, text) => {
        const list = parsePrivacyList(parsed);
        assert.equal(list.name, text);
        assert.equal(list.items[0]?.value, text);
        assert.equal(list.items.length, 2);
      });
      noInjection((text) => buildPrivacyActiveSet('v2', text));
      noInjection((text) => buildPrivacyListGet('v3', text));
      noInjection((text) => buildBlockingPrivacyList(text, [jidOf(text)]), (parsed, text) => {
        assert.deepEqual(blockedJidsOfPrivacyList(parsePrivacyList(parsed)), [jidOf(text)]);
      });
    });

    it('blocking, last activity, disco: JIDs made from user text (XEP-0106) and disco nodes', () => {
      noInjection((text) => buildBlock('b1', [jidOf(text), 'bob@example.com']), (parsed, text) => {
        assert.deepEqual(parseBlockingPush(parsed).jids, [jidOf(text), 'bob@example.com']);
      });
      noInjection((text) => buildLastActivityGet('l1', jidOf(text)));
      noInjection((text) => buildDiscoInfoGet('d1', buildJid({ local: 'bob', domain: 'example.com', resource: text }), text));
    });

    it('HTTP upload: buildUploadSlotRequest (file name, content type)', () => {
      noInjection((text) => buildUploadSlotRequest('u1', 'upload.example.com', { filename: text, size: 42, contentType: text }), (parsed, text) => {
        const request = parseUploadSlotRequest(parsed);
        assert.deepEqual([request.filename, request.contentType], [text, text]);
      });
    });

    it('data forms: buildDataForm (titles, instructions, field names, labels, values)', () => {
      noInjection((text) => buildDataForm({
        type: 'submit', title: text, instructions: [text],
        fields: [{ var: text === '' ? 'x' : text, type: 'text-multi', label: text, required: false, values: [text, 'plain'], options: [] }],
      }), (parsed, text) => {
        const form = parseDataForm(parsed);
        assert.equal(form.fields.length, 1);
        assert.deepEqual(form.fields[0]?.values, [text, 'plain']);
      });
    });

    it('examples: what XML cannot carry is refused typed; hostile text is escaped, not interpreted', () => {
      assert.throws(() => serialize(buildVCard(fields('a\u0000b'))), (error: unknown) => error instanceof XmppError && error.code === 'XML_INVALID_CHAR');
      assert.throws(() => serialize(buildPresence({ status: '\uD800' })), (error: unknown) => error instanceof XmppError && error.code === 'XML_INVALID_CHAR');
      assert.throws(() => jidOf(' a'), (error: unknown) => error instanceof JidError);
      assert.equal(jidOf("a<b>'&\"/@c"), 'a\\3cb\\3e\\27\\26\\22\\2f\\40c@example.com', 'XEP-0106 escapes what a JID cannot hold');
      const xml = serialize(buildPresence({ status: "]]><evil/>'\"&" }));
      assert.equal(xml, "<presence xmlns='jabber:client'><status>]]&gt;&lt;evil/&gt;'\"&amp;</status></presence>");
    });
  });

  describe('through the SDK, against the real Prosody', function () {
    this.timeout(30_000);
    let server: ServerHandle;
    const sdks: ProfileSDK[] = [];

    before(async function () {
      this.timeout(60_000);
      server = await useServer('prosody');
    });

    after(async () => {
      await Promise.all(sdks.splice(0).map((sdk) => sdk.logout()));
    });

    async function user(): Promise<{ sdk: ProfileSDK; jid: string }> {
      const sdk = createSDK();
      sdks.push(sdk);
      await sdk.initializeSDK({ service: server.websocketUrl, domain: server.domain, requestTimeoutMs: 5000 });
      const registered = await sdk.register(freshName('xml'), true);
      assert.equal(registered.statusCode, 200, registered.message);
      return { sdk, jid: registered.data!.userJid };
    }

    const NASTY = [
      "</NICKNAME><FN>mallory</FN><NICKNAME>", ']]><evil/><![CDATA[', "'/><item jid='eve@localhost'/>", '&amp;&lt;&#0;&e;',
      '<!DOCTYPE x [<!ENTITY e "boom">]>&e;', '<?xml version="1.0"?>', 'tab\tcr\rlf\n', '💬 é 中 \u0085',
    ];

    it('profile fields and roster names are stored and read back exactly as given, one element each', async () => {
      const alice = await user();
      const bob = await user();
      for (const text of NASTY) {
        const set = await alice.sdk.setUserProfile(text, undefined, text);
        assert.equal(set.statusCode, 200, `${JSON.stringify(text)}: ${set.message}`);
        const read = await bob.sdk.getUserProfile(alice.jid);
        assert.equal(read.statusCode, 200, read.message);
        assert.deepEqual([read.data?.nickName, read.data?.status], [text, text], JSON.stringify(text));
        assert.equal((await alice.sdk.addFriend(bob.jid, text)).statusCode, 200);
        const friends = await alice.sdk.getFriendsList();
        assert.deepEqual(friends.data?.map((friend) => [friend.userJid, friend.name]), [[bob.jid, text]], JSON.stringify(text));
      }
    });

    it('text XML cannot carry is refused with 400 naming the parameter, before anything is sent', async () => {
      const alice = await user();
      for (const text of ['a\u0000b', 'lone \uD800', '\uFFFE']) {
        const answer = await alice.sdk.setUserProfile(text);
        assert.equal(answer.statusCode, 400);
        assert.match(answer.message, /^NAME /);
        assert.match((await alice.sdk.addFriend('bob@localhost', text)).message, /^NAME /);
      }
    });
  });
});
