/**
 * Every fuzz target, in a fixed order: the parsers of `xmpp-profile/stanzas` (each exported
 * `parse<Thing>` of lib/stanzas/index.ts and the readers built on them), `parseXml` and the text
 * codecs, the transports' parsers (BOSH body and exchange, WebSocket framing) and the QR payload codec.
 * Input `i` of a campaign goes to target `i mod n`, so that any slice covers all of them.
 */
import type { Target } from './target.js';
import { qrTargets } from './targets-qr.js';
import { stanzaTargets } from './targets-stanzas.js';
import { textTargets } from './targets-text.js';
import { transportTargets } from './targets-transport.js';

let all: Target[] | undefined;

/** Every target. */
export function allTargets(): Target[] {
  all ??= [...textTargets(), ...stanzaTargets(), ...transportTargets(), ...qrTargets()];
  return all;
}

/** The targets named in `names` (every target for an empty list). @throws {Error} for an unknown name. */
export function selectTargets(names: readonly string[]): Target[] {
  if (names.length === 0) return allTargets();
  return names.map((name) => {
    const target = allTargets().find((candidate) => candidate.name === name);
    if (!target) throw new Error(`no fuzz target '${name}'; the targets are: ${allTargets().map((t) => t.name).join(', ')}`);
    return target;
  });
}
