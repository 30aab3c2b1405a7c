/**
 * Seeds made with the codecs' own builders, one group per protocol, for the parts of each protocol the
 * real-server fixtures do not show (presence with caps, privacy lists with rules, data forms, stream
 * management, SASL elements, stream errors, vCard4 items and events...). Together with the fixtures
 * they are what the mutations start from.
 */
import type { Element } from 'ltx';
import {
  buildBindResult, buildBlockedBy, buildBlockedByPush, buildBlocklist, buildBlockingPush, buildCaps, buildClose, buildDataForm,
  buildDiscoInfo, buildDiscoItems, buildIq, buildLastActivity, buildOpen, buildPresence, buildPrivacyList, buildPrivacyListPush,
  buildPrivacyLists, buildRegisterForm, buildRoster, buildRosterPush, buildSaslMessage, buildStreamErrorElement,
  buildStreamFeatures, buildStreamManagement, buildUploadSlot, buildUploadSlotRequest, buildVCard, buildVCard4, buildVCard4Event,
  buildVCard4Items, serialize, type DataForm, type VCardFields,
} from '../lib/stanzas/index.js';
import { NS_STANZAS, NS_UPLOAD } from '../lib/stanzas/ns.js';

const result = (payload: Element, id = 'r1'): string => serialize(buildIq({ type: 'result', id, payload }));
const error = (condition: 'item-not-found' | 'not-acceptable' | 'forbidden'): string =>
  serialize(buildIq({ type: 'error', id: 'e1', error: { type: 'cancel', condition, text: 'no', applicationCondition: '', by: '' } }));

const FORM: DataForm = {
  type: 'form', title: 'Sign up', instructions: ['Fill in'],
  fields: [
    { var: 'FORM_TYPE', type: 'hidden', required: false, values: ['jabber:iq:register'], options: [] },
    { var: 'username', type: 'text-single', label: 'User', required: true, values: [], options: [] },
    { var: 'color', type: 'list-single', required: false, values: ['red'], options: [{ label: 'Red', value: 'red' }, { value: 'blue' }] },
    { var: '', type: 'fixed', required: false, values: ['note'], options: [] },
  ],
};
const UPLOAD_FORM: DataForm = {
  type: 'result', instructions: [],
  fields: [
    { var: 'FORM_TYPE', type: 'hidden', required: false, values: [NS_UPLOAD], options: [] },
    { var: 'max-file-size', required: false, values: ['5242880'], options: [] },
  ],
};
const ALICE: VCardFields = {
  nickName: 'Alice', fullName: 'Alice Smith', image: 'data:image/png;base64,iVBORw0KGgo=', status: 'Hi',
  mobileNumber: '+1 555 0100', email: 'alice@example.com',
};
const ITEM = { jid: 'bob@localhost', name: 'Bob', subscription: 'both', ask: 'subscribe', groups: ['Friends', 'Work'], approved: true } as const;
const ALL = { message: true, iq: true, presenceIn: true, presenceOut: true };

/** The builder-made seeds of each protocol, by the name of the group. */
export function builtSeeds(): Record<string, string[]> {
  const s = (elements: readonly Element[]): string[] => elements.map((element) => serialize(element));
  return {
    iq: [error('item-not-found'), result(buildDiscoItems({ items: [] }))],
    presence: s([
      buildPresence({ show: 'dnd', status: 'busy', priority: -5, caps: { hash: 'sha-1', node: 'http://x', ver: 'QgayPKawpkPSDYmwT/WM94uAlu0=' } }),
      buildPresence({ type: 'unavailable', status: 'bye' }),
      buildPresence({ type: 'error', error: { type: 'auth', condition: 'forbidden', text: 'x', applicationCondition: 'blocked', by: '' } }),
    ]),
    bind: [result(buildBindResult('b1', 'alice@localhost/res').getChild('bind') as Element)],
    'blocked-by': [result(buildBlockedBy(['carol@localhost', 'dave@localhost'])), error('forbidden')],
    'blocked-by-push': s([buildBlockedByPush('p1', 'alice@localhost', 'alice@localhost/r', { action: 'unblock', jids: ['carol@localhost'] })]),
    blocklist: [result(buildBlocklist(['carol@localhost', 'spam.example']))],
    'blocking-push': s([buildBlockingPush('p2', { action: 'block', jids: ['carol@localhost'] }), buildBlockingPush('p3', { action: 'unblock', jids: [] })]),
    caps: s([buildCaps({ node: 'http://prosody.im', ver: 'abc=' }), buildPresence({ caps: { hash: 'sha-1', node: 'n', ver: 'v' } })]),
    'data-form': s([buildDataForm(FORM), buildDataForm(UPLOAD_FORM)]),
    disco: [result(buildDiscoInfo({
      node: 'n', identities: [{ category: 'client', type: 'pc', name: 'X', lang: 'en' }, { category: 'server', type: 'im' }],
      features: ['http://jabber.org/protocol/disco#info', NS_UPLOAD], forms: [UPLOAD_FORM, FORM],
    })), result(buildDiscoItems({ node: 'n', items: [{ jid: 'upload.localhost', name: 'Upload' }, { jid: 'x', node: 'y' }] }))],
    'last-activity': [result(buildLastActivity({ seconds: 903, status: 'Gone' })), error('forbidden')],
    privacy: [
      result(buildPrivacyLists({ active: 'a', default: null, lists: ['a', 'block'] })),
      result(buildPrivacyList({ name: 'block', items: [
        { type: 'jid', value: 'carol@localhost', action: 'deny', order: 1, stanzas: ALL },
        { type: 'group', value: 'Work', action: 'allow', order: 2, stanzas: { message: true, iq: false, presenceIn: true, presenceOut: false } },
        { type: 'subscription', value: 'none', action: 'deny', order: 3, stanzas: ALL },
        { action: 'allow', order: 4294967295, stanzas: ALL },
      ] })),
      serialize(buildPrivacyListPush('p4', 'block')),
    ],
    register: [result(buildRegisterForm({
      registered: true, instructions: 'Choose', fields: ['username', 'password', 'email'], values: { username: 'alice' }, form: FORM,
      redirectUrl: 'https://example.com/register',
    }))],
    roster: [result(buildRoster({ ver: 'v1', items: [ITEM, { ...ITEM, jid: 'carol@localhost', groups: [], approved: false, ask: '' }] })),
      serialize(buildRosterPush('push1', 'v2', { ...ITEM, subscription: 'remove' }, 'alice@localhost'))],
    sasl: s([
      buildSaslMessage({ kind: 'auth', mechanism: 'SCRAM-SHA-1', data: 'biwsbj1hbGljZSxyPWFiYw==' }),
      buildSaslMessage({ kind: 'challenge', data: 'cj1hYmMsdD0xLGk9NDA5Ng==' }), buildSaslMessage({ kind: 'success', data: '' }),
      buildSaslMessage({ kind: 'failure', condition: 'not-authorized', text: 'Bad password' }), buildSaslMessage({ kind: 'abort' }),
    ]),
    features: s([buildStreamFeatures({
      mechanisms: ['SCRAM-SHA-1', 'PLAIN'], starttls: { required: true }, register: true, bind: true, session: { optional: true },
      sm: [2, 3], rosterVersioning: true, preApproval: true, csi: true, caps: { hash: 'sha-1', node: 'n', ver: 'v' }, other: ['{urn:x}y'],
    })]),
    sm: s([
      buildStreamManagement({ kind: 'enable', resume: true, max: 300 }),
      buildStreamManagement({ kind: 'enabled', id: 'sm1', resume: true, max: 600, location: '[::1]:5222' }),
      buildStreamManagement({ kind: 'resume', h: 4294967295, previd: 'sm1' }), buildStreamManagement({ kind: 'resumed', h: 0, previd: 'sm1' }),
      buildStreamManagement({ kind: 'failed', condition: 'item-not-found', text: 'gone', h: 12 }), buildStreamManagement({ kind: 'r' }),
      buildStreamManagement({ kind: 'a', h: 7 }),
    ]),
    stream: s([
      buildOpen({ from: 'localhost', id: 's1', version: '1.0', lang: 'en' }), buildClose(), buildClose('wss://other.example/ws'),
      buildStreamErrorElement('see-other-host', 'moved', 'other.example:5222'), buildStreamErrorElement('conflict', 'Replaced'),
    ]),
    upload: [
      serialize(buildUploadSlotRequest('u1', 'upload.localhost', { filename: 'a b.png', size: 1024, contentType: 'image/png' })),
      result(buildUploadSlot({ put: { url: 'https://upload.example/a?x=1', headers: [{ name: 'Authorization', value: 'Basic x' }, { name: 'Expires', value: '' }] }, get: { url: 'https://upload.example/a' } })),
      `<iq type='error' id='u2'><error type='modify'><not-acceptable xmlns='${NS_STANZAS}'/><file-too-large xmlns='${NS_UPLOAD}'><max-file-size>20000</max-file-size></file-too-large></error></iq>`,
    ],
    vcard: [result(buildVCard(ALICE)), error('item-not-found'), serialize(buildIq({ type: 'result', id: 'v0' }))],
    vcard4: [result(buildVCard4(ALICE)), result(buildVCard4Items([{ itemId: 'current', vcard: ALICE }, { vcard: { ...ALICE, image: '' } }])),
      serialize(buildVCard4Event('bob@localhost', 'alice@localhost', 'm1', ALICE))],
  };
}
