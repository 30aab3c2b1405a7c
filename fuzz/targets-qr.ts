/**
 * The QR login parsers (API.md §6): `parseQrPayload`, which reads what a camera saw, and
 * `openCredentials`, which opens what came through the relay. Inputs are text mutations of payloads
 * and of sealed messages, and JSON-level edits: fields of the wrong type, huge or missing, extra and
 * `__proto__` keys, altered ciphertext. The key pair and the sealed messages were made once with
 * `createQrKeyPair` and `sealCredentials` and are fixed here, so that every input can be made again.
 */
import { QrError } from '../lib/errors.js';
import { buildQrPayload, openCredentials, parseQrPayload } from '../lib/qr/payload.js';
import { corpusOf, type Corpus } from './corpus.js';
import { LIMITED_TEXT_WEIGHTS } from './generators.js';
import type { Rng } from './rng.js';
import { codeIf, generateText, type FuzzInput, type Target } from './target.js';
import { BAD_CHARS, VALUES } from './tricks.js';

const NOW = 1_750_000_000_000;
const SESSION = 'Zm9vYmFyYmF6cXV4MTIzNDU2';

/** The browser's P-256 key of the fuzz campaign (made for it, used nowhere else). */
const BROWSER_KEY = {
  kty: 'EC', crv: 'P-256', d: '50PYfO-Lp4uo7jOSK37UC1WeqS9My1bDbWLpkNff_ko',
  x: 'LFw_Ec4vjPU_AKPNKFt9in7Wn9CzNLwvemNHqUWSbhw', y: 'Rns_B5UGLFXuB8-eYJW8l-Xe0tLwxvGGM6IYnIdBX0Q',
} as const;
const BROWSER_PUBLIC = 'BCxcPxHOL4z1PwCjzShbfYp-1p_QszS8L3pjR6lFkm4cRns_B5UGLFXuB8-eYJW8l-Xe0tLwxvGGM6IYnIdBX0Q';

/**
 * Sealed for that key and session: alice's password, bob's token; then carol's for another key and
 * dave's for another session, which must not open.
 */
const SEALED = [
  '{"t":"xmpp-profile-qr","v":1,"epk":"BNh-EIzDL8NsqMX8de3GBVjsylzoku-FPuy2xPY4nnaLyiA8tpArLYsmhmeE68sB_paFdWm_g0H2hzSOnlP67kk","iv":"jNJSQ-tVvGi2lxHj","ct":"gayzz0Ucw2a_UTFgE-xhjRYKaFuPjcZmLsR1-LZ74jwxKAA3e1RozOjj"}',
  '{"t":"xmpp-profile-qr","v":1,"epk":"BPLvd6cIaxbRcpJ887ccXd9ofgni-Bne7TEV-bJawp-OmaEn0oG8vFQWjsPG7uFQYb31cK_Kk0DokkO3nsaPq-w","iv":"Y1LAo5CcbQf6SqNJ","ct":"Z6Zbp6FujLYzeydGE4P56-3genkxM3viwQOyO4QdHrve6nrs_XaKT6SQhpgQ"}',
  '{"t":"xmpp-profile-qr","v":1,"epk":"BL2XcV-9cEhfhJ5KqhyFOo5RIKfGX9zbZfNsPN-q6V59FMFYACS14upIPOgPB5EEYMabP6q0dL_814KfeKEX88c","iv":"JVuSqhmXabrtyAdA","ct":"rKxLdeOnvz132JZ_ciOydjy2O293jgNezAKyTCQs18YpSKrOVA"}',
  '{"t":"xmpp-profile-qr","v":1,"epk":"BP300JHZ-8KLAjyx8Ht9u0ZzVnpGgxA8q7hW1PyUr9JiGGW4nkFRTGVaIm6DDq1RCIgdEazt5iSNu2HCd0B_fLI","iv":"_X591qNqkC0kudPU","ct":"pKIcny_4LhhGDp0uCwknIb1OKoG0jEqLdi3XYENYdNsTLnsJ"}',
];

function jsonValue(rng: Rng): unknown {
  switch (rng.int(10)) {
    case 0: return rng.pick([0, -1, 1.5, NOW, NOW * 1e9, Number.MAX_SAFE_INTEGER + 2, 1e308]);
    case 1: return null;
    case 2: return rng.chance(0.5);
    case 3: return [rng.pick(VALUES)];
    case 4: return { t: 'xmpp-profile-qr' };
    case 5: return 'A'.repeat(rng.size(12));
    case 6: return rng.pick(BAD_CHARS);
    default: return rng.pick(VALUES);
  }
}

/** A JSON-level edit of one of the seeds: a field set, removed or added, then written back. */
function jsonEdit(rng: Rng, corpus: Corpus): FuzzInput {
  const seed = rng.pick(corpus.seeds);
  const value = JSON.parse(seed) as Record<string, unknown>;
  const keys = Object.keys(value);
  const edits = 1 + rng.int(3);
  for (let i = 0; i < edits; i++) {
    const key = rng.chance(0.85) ? rng.pick(keys) : rng.pick(['__proto__', 'constructor', 'x', 'tk', 'p', 'u']);
    const field = value[key];
    if (typeof field === 'string' && rng.chance(0.5)) {
      // a small change of a string field: one character flipped, cut or grown
      const at = rng.int(field.length + 1);
      value[key] = rng.chance(0.5) ? field.slice(0, at) + String.fromCharCode(65 + rng.int(58)) + field.slice(at + 1) : field.slice(0, at);
    } else if (rng.chance(0.15)) delete value[key];
    else value[key] = jsonValue(rng);
  }
  let text = JSON.stringify(value);
  if (rng.chance(0.1)) text = text.slice(0, -1) + `,"t":${JSON.stringify(rng.pick(VALUES))}}`; // a duplicate key
  return { generator: 'json', text };
}

function qrTarget(name: string, parses: string, corpus: () => Corpus, run: (text: string) => unknown, codes: readonly string[], prepare?: () => Promise<void>): Target {
  let cached: Corpus | undefined;
  return {
    name,
    parses,
    corpus: () => (cached ??= corpus()),
    generate: (rng, c) => (rng.chance(0.4) ? jsonEdit(rng, c) : generateText(rng, c, LIMITED_TEXT_WEIGHTS)),
    run: (input) => run(input.text),
    ...(prepare ? { prepare, async: true } : {}),
    allowed: (error) => codeIf(error, [QrError], codes),
  };
}

/** The QR targets. */
export function qrTargets(): Target[] {
  let key: CryptoKey | undefined;
  const payloads = (): Corpus => corpusOf([
    buildQrPayload({ relay: 'wss://relay.example/qr', session: SESSION, key: BROWSER_PUBLIC, expiresAt: NOW + 60_000 }),
    buildQrPayload({ relay: 'ws://127.0.0.1:8080', session: 'a'.repeat(64), key: '_-'.repeat(43) + 'A', expiresAt: NOW - 1 }),
  ], { ownOnly: true });
  return [
    qrTarget('qr-payload', 'parseQrPayload', payloads, (text) => parseQrPayload(text, NOW), ['QR_MALFORMED', 'QR_EXPIRED']),
    qrTarget(
      'qr-open', 'openCredentials', () => corpusOf(SEALED, { ownOnly: true }),
      (text) => openCredentials(key as CryptoKey, SESSION, text), ['QR_MALFORMED', 'QR_DECRYPT'],
      async () => {
        key ??= await crypto.subtle.importKey('jwk', BROWSER_KEY, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      },
    ),
  ];
}
