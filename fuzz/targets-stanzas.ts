/**
 * The targets of `xmpp-profile/stanzas`: every exported `parse<Thing>` (and the readers built on them:
 * `toStanzaError`, `toStreamError`, `capsHash`, `verifyCaps`, `updateVCard`, `blockedJidsOfPrivacyList`,
 * the `is<Thing>` guards), each fed XML text through `parseXml` with the default limits, as the
 * transports do.
 */
import type { Element } from 'ltx';
import {
  buildBindResult, buildBlockedBy, buildBlockedByPush, buildBlocklist, buildBlockingPush, buildCaps, buildClose, buildDataForm,
  buildDiscoInfo, buildDiscoItems, buildLastActivity, buildOpen, buildPresence, buildPrivacyList, buildPrivacyLists,
  buildRegisterForm, buildRoster, buildSaslMessage, buildStreamErrorElement, buildStreamFeatures, buildStreamManagement,
  buildUploadSlot, buildUploadSlotRequest, buildVCard, buildVCard4, buildVCard4Event, buildVCard4Items, parseStreamError,
  type BindResult, type BlockedBy, type BlockedByPush, type Blocklist, type BlockingPush, type Caps, type DataForm, type DiscoInfo,
  type DiscoItems, type LastActivity, type Presence, type PrivacyList, type PrivacyLists, type RegisterForm, type Roster,
  type SaslMessage, type StreamClose, type StreamErrorInfo, type StreamFeatures, type StreamManagementMessage, type StreamOpen,
  type UploadSlot, type UploadSlotRequest, type VCard, type VCard4, type VCard4Event, type VCard4Item,
  blockedJidsOfPrivacyList, capsHash, dataFormType, findStanzaErrorElement, hasFeature, isBlockedByPush, isBlockedError, isIq,
  isPresence, isRegisterFeature, isRosterUnchanged, isSaslMessage, isStreamElement, isStreamErrorElement, isStreamManagement,
  parseBind, parseBlockedBy, parseBlockedByPush, parseBlocklist, parseBlockingPush, parseCaps, parseClose, parseDataForm,
  parseDiscoInfo, parseDiscoItems, parseFileTooLarge, parseIq, parseLastActivity, parseOpen, parsePresence, parsePrivacyList,
  parsePrivacyListPush, parsePrivacyLists, parseRegisterForm, parseRoster, parseRosterPush, parseSaslMessage,
  parseStreamFeatures, parseStreamManagement, parseUploadMaxSize, parseUploadSlot, parseUploadSlotRequest, parseVCard,
  parseVCard4, parseVCard4Event, parseVCard4Items, serialize, toStanzaError, toStreamError, updateVCard, verifyCaps,
} from '../lib/stanzas/index.js';
import { corpusOf, fixturesTitled, type Corpus } from './corpus.js';
import { builtSeeds } from './seeds.js';
import { InvariantError, xmlTarget, type Target } from './target.js';

let built: Record<string, string[]> | undefined;

/** A corpus of the builder seeds of `groups` and the fixtures whose titles contain one of `titles`. */
function seeds(groups: readonly string[], titles: readonly string[] = []): () => Corpus {
  return () => {
    built ??= builtSeeds();
    const own = [...groups.flatMap((group) => built?.[group] ?? []), ...titles.flatMap((title) => fixturesTitled(title))];
    return corpusOf(own);
  };
}

/** A guard must answer a boolean, whatever it is given. */
function guard(name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new InvariantError(`${name} answered ${typeof value}, not a boolean`);
}

function guards(element: Element): unknown {
  guard('isIq', isIq(element));
  guard('isPresence', isPresence(element));
  guard('isBlockedByPush', isBlockedByPush(element));
  guard('isBlockedError', isBlockedError(element));
  guard('isRosterUnchanged', isRosterUnchanged(element));
  guard('isSaslMessage', isSaslMessage(element));
  guard('isStreamManagement', isStreamManagement(element));
  guard('isStreamErrorElement', isStreamErrorElement(element));
  guard('isRegisterFeature', isRegisterFeature(element));
  guard('isStreamElement', isStreamElement(element, 'features'));
  return findStanzaErrorElement(element);
}

const PROFILE = { nickName: 'Alice', image: 'data:image/png;base64,AAAA', status: '', mobileNumber: '+1 555', email: 'a@b' };

/** The profile fields of a vCard (its raw `photo` is not one: the image is written from `image`). */
function vcardFields(element: Element): Omit<VCard, 'photo'> {
  const { photo: _photo, ...fields } = parseVCard(element);
  return fields;
}

/** The codec's reading of a stream error, through both readers. */
function streamError(element: Element): StreamErrorInfo {
  toStreamError(element);
  return parseStreamError(element);
}

/** Every stanza codec target; those with a builder also check that what they read writes and reads back. */
export function stanzaTargets(): Target[] {
  const iq = { iqError: true } as const;
  return [
    xmlTarget('iq', 'parseIq', seeds(['iq'], ['custom IQ', 'error']), parseIq),
    xmlTarget('stanza-error', 'parseStanzaError, toStanzaError', seeds(['iq', 'presence'], ['error', 'bounced']),
      (element) => toStanzaError(findStanzaErrorElement(element) ?? element, element)),
    xmlTarget('presence', 'parsePresence (+ buildPresence)', seeds(['presence', 'caps'], ['presence']), parsePresence,
      { rebuild: (value: Presence) => buildPresence(value) }),
    xmlTarget('bind', 'parseBind (+ buildBindResult)', seeds(['bind'], ['BOSH']), parseBind, { ...iq, rebuild: (value: BindResult) => buildBindResult('b', value.jid) }),
    xmlTarget('blocked-by', 'parseBlockedBy (+ build)', seeds(['blocked-by'], ['who blocked me']), parseBlockedBy,
      { ...iq, rebuild: (value: BlockedBy) => buildBlockedBy(value.jids) }),
    xmlTarget('blocked-by-push', 'parseBlockedByPush (+ build)', seeds(['blocked-by-push']), parseBlockedByPush,
      { rebuild: (value: BlockedByPush) => buildBlockedByPush('p', 'a@b', 'a@b/c', value) }),
    xmlTarget('blocklist', 'parseBlocklist (+ build)', seeds(['blocklist'], ['blocklist', 'block result']), parseBlocklist,
      { ...iq, rebuild: (value: Blocklist) => buildBlocklist(value.jids) }),
    xmlTarget('blocking-push', 'parseBlockingPush (+ build)', seeds(['blocking-push'], ['push']), parseBlockingPush,
      { ...iq, rebuild: (value: BlockingPush) => buildBlockingPush('p', value) }),
    xmlTarget('caps', 'parseCaps (+ buildCaps)', seeds(['caps', 'features'], ['stream features']), parseCaps, { rebuild: (value: Caps) => buildCaps(value) }),
    xmlTarget('caps-hash', 'parseDiscoInfo, capsHash, verifyCaps', seeds(['disco', 'data-form'], ['disco#info']), (element) => {
      const info = parseDiscoInfo(element);
      guard('verifyCaps', verifyCaps(info, 'QgayPKawpkPSDYmwT/WM94uAlu0='));
      return capsHash(info);
    }, iq),
    xmlTarget('data-form', 'parseDataForm, dataFormType (+ build)', seeds(['data-form', 'register'], ['IBR form', 'upload service']), (element) => {
      const form = parseDataForm(element);
      dataFormType(form);
      return form;
    }, { rebuild: (value: DataForm) => buildDataForm(value) }),
    xmlTarget('disco-info', 'parseDiscoInfo, hasFeature (+ build)', seeds(['disco'], ['disco#info']), (element) => {
      const info = parseDiscoInfo(element);
      guard('hasFeature', hasFeature(info, 'urn:xmpp:blocking'));
      return info;
    }, { ...iq, rebuild: (value: DiscoInfo) => buildDiscoInfo(value) }),
    xmlTarget('disco-items', 'parseDiscoItems (+ build)', seeds(['disco'], ['disco#items']), parseDiscoItems, { ...iq, rebuild: (value: DiscoItems) => buildDiscoItems(value) }),
    xmlTarget('last-activity', 'parseLastActivity (+ build)', seeds(['last-activity'], ['last activity']), parseLastActivity,
      { ...iq, rebuild: (value: LastActivity) => buildLastActivity(value) }),
    xmlTarget('privacy-lists', 'parsePrivacyLists (+ build)', seeds(['privacy'], ['privacy']), parsePrivacyLists,
      { ...iq, rebuild: (value: PrivacyLists) => buildPrivacyLists(value) }),
    xmlTarget('privacy-list', 'parsePrivacyList, blockedJidsOfPrivacyList (+ build)', seeds(['privacy'], ['privacy']), (element) => {
      const list = parsePrivacyList(element);
      blockedJidsOfPrivacyList(list);
      return list;
    }, { ...iq, rebuild: (value: PrivacyList) => buildPrivacyList(value) }),
    xmlTarget('privacy-list-push', 'parsePrivacyListPush', seeds(['privacy'], ['privacy']), parsePrivacyListPush, iq),
    xmlTarget('register-form', 'parseRegisterForm (+ build)', seeds(['register', 'data-form'], ['IBR']), parseRegisterForm,
      { ...iq, rebuild: (value: RegisterForm) => buildRegisterForm(value) }),
    xmlTarget('roster', 'parseRoster, isRosterUnchanged (+ build)', seeds(['roster'], ['roster']), (element) => {
      guard('isRosterUnchanged', isRosterUnchanged(element));
      return parseRoster(element);
    }, { ...iq, rebuild: (value: Roster) => buildRoster(value) }),
    xmlTarget('roster-push', 'parseRosterPush', seeds(['roster'], ['roster pushes']), parseRosterPush),
    xmlTarget('sasl', 'parseSaslMessage (+ build)', seeds(['sasl'], ['BOSH']), parseSaslMessage, { rebuild: (value: SaslMessage) => buildSaslMessage(value) }),
    xmlTarget('stream-features', 'parseStreamFeatures (+ build)', seeds(['features'], ['stream features']), parseStreamFeatures,
      { rebuild: (value: StreamFeatures) => buildStreamFeatures(value) }),
    xmlTarget('stream-management', 'parseStreamManagement (+ build)', seeds(['sm']), parseStreamManagement,
      { rebuild: (value: StreamManagementMessage) => buildStreamManagement(value) }),
    xmlTarget('stream-open', 'parseOpen (+ buildOpen)', seeds(['stream']), parseOpen, { rebuild: (value: StreamOpen) => buildOpen(value) }),
    xmlTarget('stream-close', 'parseClose (+ buildClose)', seeds(['stream']), parseClose, { rebuild: (value: StreamClose) => buildClose(value.seeOtherUri) }),
    xmlTarget('stream-error', 'parseStreamError, toStreamError (+ build)', seeds(['stream']), streamError,
      { rebuild: (value: StreamErrorInfo) => buildStreamErrorElement(value.condition, value.text, value.seeOtherHost) }),
    xmlTarget('upload-slot-request', 'parseUploadSlotRequest (+ build)', seeds(['upload']), parseUploadSlotRequest,
      { ...iq, rebuild: (value: UploadSlotRequest) => buildUploadSlotRequest('u', 'upload.example', value) }),
    xmlTarget('upload-slot', 'parseUploadSlot (+ build)', seeds(['upload'], ['upload slot']), parseUploadSlot, { ...iq, rebuild: (value: UploadSlot) => buildUploadSlot(value) }),
    xmlTarget('upload-max-size', 'parseUploadMaxSize', seeds(['disco', 'data-form'], ['upload service']), parseUploadMaxSize, iq),
    xmlTarget('file-too-large', 'parseFileTooLarge', seeds(['upload'], ['too large']), parseFileTooLarge),
    xmlTarget('vcard', 'parseVCard (+ buildVCard)', seeds(['vcard'], ['vCard']), vcardFields, { ...iq, rebuild: (value: VCard) => buildVCard(value) }),
    xmlTarget('vcard-update', 'updateVCard, serialize', seeds(['vcard'], ['vCard']), (element) => serialize(updateVCard(element, PROFILE)), iq),
    xmlTarget('vcard4', 'parseVCard4 (+ buildVCard4)', seeds(['vcard4']), parseVCard4, { ...iq, rebuild: (value: VCard4) => buildVCard4(value) }),
    xmlTarget('vcard4-items', 'parseVCard4Items (+ build)', seeds(['vcard4']), parseVCard4Items, {
      ...iq, rebuild: (value: VCard4Item[]) => buildVCard4Items(value.map((item) => (item.itemId === undefined ? { vcard: item.vcard } : { itemId: item.itemId, vcard: item.vcard }))),
    }),
    xmlTarget('vcard4-event', 'parseVCard4Event (+ build)', seeds(['vcard4']), parseVCard4Event, {
      rebuild: (value: VCard4Event) => {
        const element = buildVCard4Event(value.from, 'a@b', 'm', value.vcard ?? { nickName: '', image: '', status: '', mobileNumber: '', email: '' });
        const item = element.getChild('event')?.getChild('items')?.getChild('item');
        if (item) {
          if (value.itemId === undefined) delete item.attrs.id;
          else item.attrs.id = value.itemId;
          if (!value.vcard) item.children = [];
        }
        return element;
      },
    }),
    xmlTarget('guards', 'is<Thing> guards, findStanzaErrorElement', seeds(['iq', 'presence', 'sasl', 'sm', 'stream']), guards),
  ];
}
