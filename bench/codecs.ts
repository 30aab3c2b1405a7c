/**
 * Codec benchmark: each parse (string -> typed object) and build (object -> string) of the library,
 * side by side with the floor: raw `ltx.parse` plus idiomatic hand-written extraction to the same
 * object, and hand-written `ltx` construction plus `toString()` for the same XML, on the same input in
 * the same run. Prints the median of several alternating rounds and the ratio ours / floor.
 *
 * Run with `npm run bench` (or `npm run bench -- --quick` for fewer rounds); `--markdown FILE` also
 * appends the tables to FILE in Markdown.
 */
import { strict as assert } from 'node:assert';
import { Element, parse as ltxParse } from 'ltx';
import { buildBlock, parseBlocklist } from '../lib/stanzas/blocking.js';
import { buildLastActivityGet, parseLastActivity } from '../lib/stanzas/last-activity.js';
import { buildIq } from '../lib/stanzas/iq.js';
import { buildPrivacyListSet, parsePrivacyList, type PrivacyItem, type PrivacyList } from '../lib/stanzas/privacy.js';
import { buildRoster, parseRoster, type Roster, type RosterItem } from '../lib/stanzas/roster.js';
import { buildVCardSet, parseVCard, type VCard, type VCardFields } from '../lib/stanzas/vcard.js';
import { NS_BLOCKING, NS_CLIENT, NS_LAST, NS_PRIVACY, NS_ROSTER, NS_VCARD } from '../lib/stanzas/ns.js';
import { parseXml, serialize } from '../lib/stanzas/xml.js';
import { assertXmlEqual } from '../spec/support/xml-assert.js';
import { comparePair, printTable, type PairResult } from './harness.js';
import { appendMarkdown, markdownTable } from './session/report.js';

const LIMIT = 1.1;
const quick = process.argv.includes('--quick');
const rounds = quick ? 5 : 15;
const roundMs = quick ? 20 : 40;

// ---------------------------------------------------------------------------------------------------
// Inputs (deterministic)


let seed = 42;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const photo20k = Array.from({ length: 20_480 }, () => BASE64[Math.floor(random() * 64)]).join('');

const profileWith = (image: string): VCardFields => ({
  nickName: 'alice', fullName: 'Alice Example', image, status: 'Out & about <3',
  mobileNumber: '+15555550100', email: 'alice@example.org',
});
const vcardPhotoFields = profileWith(`data:image/png;base64,${photo20k}`);
const vcardUrlFields = profileWith('http://127.0.0.1:15280/file_share/abc/alice.png');

const vcardText = (fields: VCardFields): string => serialize(buildIq({
  type: 'result', id: 'v1', from: 'alice@localhost', to: 'bob@localhost/phone',
  payload: buildVCardSet('x', fields).getChild('vCard', NS_VCARD) as Element,
}));

const rosterValue: Roster = {
  ver: '35b0b9a61ef89ed8015751c49c5e38de396968f1',
  items: Array.from({ length: 1000 }, (_, i): RosterItem => ({
    jid: `contact${i}@example.org`,
    name: i % 3 === 0 ? '' : `Contact ${i}`,
    subscription: (['both', 'to', 'from', 'none'] as const)[i % 4] as RosterItem['subscription'],
    ask: i % 10 === 0 ? 'subscribe' : '',
    groups: i % 5 === 0 ? [] : i % 2 ? ['Friends'] : ['Work', 'Team ' + (i % 7)],
    approved: false,
  })),
};
const rosterText = serialize(buildIq({ type: 'result', id: 'r1', to: 'alice@localhost/phone', payload: buildRoster(rosterValue) }));

const blockJids = Array.from({ length: 500 }, (_, i) => `spammer${i}@example.net`);
const blocklistText = `<iq xmlns='jabber:client' type='result' id='b1' to='alice@localhost/phone'><blocklist xmlns='urn:xmpp:blocking'>${blockJids.map((j) => `<item jid='${j}'/>`).join('')}</blocklist></iq>`;

const ALL_STANZAS = { message: true, iq: true, presenceIn: true, presenceOut: true };
const privacyValue: PrivacyList = {
  name: 'blocked',
  items: Array.from({ length: 200 }, (_, i): PrivacyItem => {
    const stanzas = i % 4 === 0 ? { message: true, iq: false, presenceIn: true, presenceOut: false } : ALL_STANZAS;
    if (i === 199) return { action: 'allow', order: 1000, stanzas: ALL_STANZAS };
    if (i % 10 === 5) return { type: 'group', value: `Group ${i}`, action: 'deny', order: i + 1, stanzas };
    if (i % 10 === 7) return { type: 'subscription', value: 'none', action: 'deny', order: i + 1, stanzas };
    return { type: 'jid', value: `user${i}@example.net`, action: 'deny', order: i + 1, stanzas };
  }),
};
const privacyText = serialize(buildIq({ type: 'result', id: 'p1', payload: buildPrivacyListSet('x', privacyValue).getChild('query', NS_PRIVACY) as Element }));

const lastText = "<iq type='result' to='alice@localhost/phone' id='l1' from='bob@localhost' xmlns='jabber:client'><query seconds='903' xmlns='jabber:iq:last'>Heading Home</query></iq>";

// ---------------------------------------------------------------------------------------------------
// The floor: raw ltx plus the extraction and construction one would write by hand.

function handVCard(iq: Element): VCard {
  const vcard = iq.getChild('vCard', NS_VCARD);
  if (!vcard) throw new Error('no vCard');
  const fullName = vcard.getChildText('FN') ?? '';
  const nick = vcard.getChildText('NICKNAME') ?? '';
  const photo = vcard.getChild('PHOTO');
  let image = photo?.getChildText('EXTVAL') ?? '';
  let inline: { type: string; binval: string } | undefined;
  if (!image && photo) {
    const type = photo.getChildText('TYPE') ?? '';
    const binval = (photo.getChildText('BINVAL') ?? '').replace(/\s+/g, '');
    if (binval) {
      inline = { type, binval };
      image = `data:${type};base64,${binval}`;
    }
  }
  const tels = vcard.getChildren('TEL');
  const tel = tels.find((t) => t.getChild('CELL')) ?? tels[0];
  const emails = vcard.getChildren('EMAIL');
  const email = emails.find((e) => e.getChild('INTERNET') && e.getChild('PREF')) ?? emails[0];
  const result: { -readonly [K in keyof VCard]: VCard[K] } = {
    nickName: nick || fullName, fullName, image, status: vcard.getChildText('DESC') ?? '',
    mobileNumber: tel?.getChildText('NUMBER') ?? '', email: email?.getChildText('USERID') ?? '',
  };
  if (inline) result.photo = inline;
  return result;
}

function handVCardSet(id: string, f: VCardFields): string {
  const iq = new Element('iq', { xmlns: NS_CLIENT, type: 'set', id });
  const vcard = iq.c('vCard', { xmlns: NS_VCARD });
  if (f.fullName) vcard.c('FN').t(f.fullName);
  vcard.c('NICKNAME').t(f.nickName);
  const photo = vcard.c('PHOTO');
  const data = /^data:([^;,]*);base64,(.*)$/s.exec(f.image);
  if (data) {
    photo.c('TYPE').t(data[1] as string);
    photo.c('BINVAL').t(data[2] as string);
  } else {
    photo.c('EXTVAL').t(f.image);
  }
  const tel = vcard.c('TEL');
  tel.c('VOICE');
  tel.c('CELL');
  tel.c('NUMBER').t(f.mobileNumber);
  const email = vcard.c('EMAIL');
  email.c('INTERNET');
  email.c('USERID').t(f.email);
  vcard.c('DESC').t(f.status); // XEP-0054's DTD order puts DESC last
  return iq.toString();
}

function handRoster(iq: Element): Roster {
  const query = iq.getChild('query', NS_ROSTER);
  if (!query) throw new Error('no roster');
  const items = query.getChildren('item').map((item): RosterItem => ({
    jid: item.attrs.jid,
    name: item.attrs.name ?? '',
    subscription: item.attrs.subscription ?? 'none',
    ask: item.attrs.ask === 'subscribe' ? 'subscribe' : '',
    groups: item.getChildren('group').map((g) => g.getText()),
    approved: item.attrs.approved === 'true',
  }));
  return query.attrs.ver !== undefined ? { ver: query.attrs.ver, items } : { items };
}

function handRosterBuild(roster: Roster): string {
  const iq = new Element('iq', { xmlns: NS_CLIENT, type: 'result', id: 'r1', to: 'alice@localhost/phone' });
  const query = iq.c('query', { xmlns: NS_ROSTER, ver: roster.ver });
  for (const item of roster.items) {
    const el = query.c('item', { jid: item.jid, name: item.name || undefined, subscription: item.subscription, ask: item.ask || undefined });
    for (const group of item.groups) el.c('group').t(group);
  }
  return iq.toString();
}

const handBlocklist = (iq: Element): { jids: string[] } => ({
  jids: (iq.getChild('blocklist', NS_BLOCKING)?.getChildren('item') ?? []).map((item) => item.attrs.jid),
});

function handBlock(id: string, jids: readonly string[]): string {
  const iq = new Element('iq', { xmlns: NS_CLIENT, type: 'set', id });
  const block = iq.c('block', { xmlns: NS_BLOCKING });
  for (const jid of jids) block.c('item', { jid });
  return iq.toString();
}

function handPrivacyList(iq: Element): PrivacyList {
  const list = iq.getChild('query', NS_PRIVACY)?.getChild('list');
  if (!list) throw new Error('no list');
  return {
    name: list.attrs.name,
    items: list.getChildren('item').map((item): PrivacyItem => {
      const kinds = item.getChildElements();
      const stanzas = kinds.length === 0 ? ALL_STANZAS : {
        message: !!item.getChild('message'), iq: !!item.getChild('iq'),
        presenceIn: !!item.getChild('presence-in'), presenceOut: !!item.getChild('presence-out'),
      };
      const base = { action: item.attrs.action, order: Number(item.attrs.order), stanzas };
      return item.attrs.type ? { type: item.attrs.type, value: item.attrs.value, ...base } : base;
    }),
  };
}

function handPrivacySet(id: string, list: PrivacyList): string {
  const iq = new Element('iq', { xmlns: NS_CLIENT, type: 'set', id });
  const el = iq.c('query', { xmlns: NS_PRIVACY }).c('list', { name: list.name });
  for (const item of list.items) {
    const it = el.c('item', { type: item.type, value: item.value, action: item.action, order: String(item.order) });
    const s = item.stanzas;
    if (!(s.message && s.iq && s.presenceIn && s.presenceOut)) {
      if (s.message) it.c('message');
      if (s.iq) it.c('iq');
      if (s.presenceIn) it.c('presence-in');
      if (s.presenceOut) it.c('presence-out');
    }
  }
  return iq.toString();
}

const handLast = (iq: Element): { seconds: number; status: string } => {
  const query = iq.getChild('query', NS_LAST);
  if (!query) throw new Error('no query');
  return { seconds: Number(query.attrs.seconds), status: query.getText() };
};

const handLastGet = (id: string, to: string): string =>
  new Element('iq', { xmlns: NS_CLIENT, type: 'get', id, to }).c('query', { xmlns: NS_LAST }).root().toString();

// ---------------------------------------------------------------------------------------------------
// Cases: each side is checked to give the same answer before it is timed.

interface Case {
  readonly name: string;
  readonly ours: () => unknown;
  readonly floor: () => unknown;
  /** Compares the two answers: deep-equal objects, or strings equal as parsed XML. */
  readonly same: (ours: unknown, floor: unknown) => void;
}

const sameObject = (a: unknown, b: unknown): void => assert.deepEqual(a, b);
const sameXml = (a: unknown, b: unknown): void => assertXmlEqual(parseXml(a as string), b as string);

const parseCases: Case[] = [
  { name: 'vCard, 20 KB photo', ours: () => parseVCard(parseXml(vcardText(vcardPhotoFields))), floor: () => handVCard(ltxParse(vcardText(vcardPhotoFields)) as Element), same: sameObject },
  { name: 'vCard, URL photo', ours: () => parseVCard(parseXml(vcardText(vcardUrlFields))), floor: () => handVCard(ltxParse(vcardText(vcardUrlFields)) as Element), same: sameObject },
  { name: 'roster of 1,000', ours: () => parseRoster(parseXml(rosterText)), floor: () => handRoster(ltxParse(rosterText) as Element), same: sameObject },
  { name: 'blocklist of 500', ours: () => parseBlocklist(parseXml(blocklistText)), floor: () => handBlocklist(ltxParse(blocklistText) as Element), same: sameObject },
  { name: 'privacy list of 200', ours: () => parsePrivacyList(parseXml(privacyText)), floor: () => handPrivacyList(ltxParse(privacyText) as Element), same: sameObject },
  { name: 'last activity', ours: () => parseLastActivity(parseXml(lastText)), floor: () => handLast(ltxParse(lastText) as Element), same: sameObject },
];

// The vCard texts are computed once so that the parse cases time parsing only.
const vcardPhotoText = vcardText(vcardPhotoFields);
const vcardUrlText = vcardText(vcardUrlFields);
parseCases[0] = { ...(parseCases[0] as Case), ours: () => parseVCard(parseXml(vcardPhotoText)), floor: () => handVCard(ltxParse(vcardPhotoText) as Element) };
parseCases[1] = { ...(parseCases[1] as Case), ours: () => parseVCard(parseXml(vcardUrlText)), floor: () => handVCard(ltxParse(vcardUrlText) as Element) };

const buildCases: Case[] = [
  { name: 'vCard, 20 KB photo', ours: () => serialize(buildVCardSet('v2', vcardPhotoFields)), floor: () => handVCardSet('v2', vcardPhotoFields), same: sameXml },
  { name: 'vCard, URL photo', ours: () => serialize(buildVCardSet('v2', vcardUrlFields)), floor: () => handVCardSet('v2', vcardUrlFields), same: sameXml },
  { name: 'roster of 1,000', ours: () => serialize(buildIq({ type: 'result', id: 'r1', to: 'alice@localhost/phone', payload: buildRoster(rosterValue) })), floor: () => handRosterBuild(rosterValue), same: sameXml },
  { name: 'block 500', ours: () => serialize(buildBlock('b2', blockJids)), floor: () => handBlock('b2', blockJids), same: sameXml },
  { name: 'privacy list of 200', ours: () => serialize(buildPrivacyListSet('p2', privacyValue)), floor: () => handPrivacySet('p2', privacyValue), same: sameXml },
  { name: 'last activity get', ours: () => serialize(buildLastActivityGet('l2', 'bob@localhost')), floor: () => handLastGet('l2', 'bob@localhost'), same: sameXml },
];

function run(title: string, cases: readonly Case[]): PairResult[] {
  const results: PairResult[] = [];
  for (const c of cases) {
    c.same(c.ours(), c.floor());
    results.push(comparePair(c.name, c.ours, c.floor, rounds, roundMs));
    process.stderr.write('.');
  }
  printTable(title, results, LIMIT);
  appendMarkdown(markdownTable(title, ['case', 'ours µs/op', 'ltx floor µs/op', 'ratio', `<= ${LIMIT}x`],
    results.map((r) => [r.name, r.oursUs.toFixed(2), r.floorUs.toFixed(2), r.ratio.toFixed(3) + 'x', r.ratio <= LIMIT ? 'ok' : `over ${LIMIT}x`])));
  return results;
}

const heading = `codec benchmark: node ${process.version}, ${rounds} alternating rounds of ~${roundMs} ms per side, median`;
process.stdout.write(`${heading}\n`);
appendMarkdown(`\n${heading}\n`);
const all = [...run('parse: XML text -> typed object (ours: parseXml + parse<Thing>; floor: ltx.parse + hand-written extraction)', parseCases),
  ...run('build: typed object -> XML text (ours: build<Thing> + serialize; floor: hand-written ltx construction + toString)', buildCases)];
const over = all.filter((r) => r.ratio > LIMIT);
const verdict = over.length ? `${over.length} case(s) over ${LIMIT}x: ${over.map((r) => r.name).join(', ')}` : `every case within ${LIMIT}x of the ltx floor`;
process.stdout.write(`\n${verdict}\n`);
appendMarkdown(`\n${verdict}\n`);
