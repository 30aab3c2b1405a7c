// Test support for the security specs: the forms a secret could leak in, and a scan of collected text
// (traces, error messages, answers, relay frames) for them.

import { strict as assert } from 'node:assert';

/** A secret in the forms it could leak in: as is, base64, base64url, URL-encoded, JSON-escaped. */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, bytes.toString('base64'), bytes.toString('base64url'), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
  // base64 without its padding, and from the second and third byte on (the secret inside a longer encoded text)
  for (const skip of [0, 1, 2]) {
    const part = Buffer.concat([Buffer.alloc(skip), bytes]).toString('base64').slice(Math.ceil((skip * 4) / 3) + 1).replace(/=+$/, '');
    if (part.length >= 8) forms.push(part.slice(0, -2));
  }
  return [...new Set(forms)];
}

/** Every message in an error and its chain of causes. */
export function errorTexts(error: unknown): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    texts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
  }
  return texts;
}

/** Fails when any text holds any form of any secret; says which and where. */
export function assertNoSecrets(texts: readonly string[], secrets: readonly string[], where: string): void {
  for (const secret of secrets) {
    for (const form of secretForms(secret)) {
      const hit = texts.find((text) => text.includes(form));
      assert.equal(hit, undefined, `${where} holds a secret (${JSON.stringify(form)}) in: ${hit?.slice(0, 300)}`);
    }
  }
}
