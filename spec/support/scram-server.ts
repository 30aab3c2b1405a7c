/**
 * A SCRAM server (RFC 5802 §3) over node:crypto, for one user: test support for the client's state
 * machine and for sessions over fake transports.
 */
import { strict as assert } from 'node:assert';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import type { ScramHash } from '../../lib/transport/scram.js';

/** A SCRAM server of RFC 5802 §3 over node:crypto, for one user. */
export function scramServer(hash: ScramHash, password: string, salt: Buffer, iterations: number, serverNonce: string) {
  const algorithm = hash === 'SHA-1' ? 'sha1' : 'sha256';
  const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac(algorithm, key).update(text).digest();
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, hash === 'SHA-1' ? 20 : 32, algorithm);
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash(algorithm).update(clientKey).digest();
  const serverKey = hmac(salted, 'Server Key');
  let clientFirstBare = '';
  let serverFirst = '';
  return {
    /** Reads client-first, returns server-first and the unescaped username. */
    first(clientFirst: string): { serverFirst: string; username: string } {
      assert.ok(clientFirst.startsWith('n,,'), clientFirst);
      clientFirstBare = clientFirst.slice(3);
      const match = /^n=([^,]*),r=([^,]+)$/.exec(clientFirstBare);
      assert.ok(match, clientFirstBare);
      const username = (match[1] ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
      serverFirst = `r=${match[2] ?? ''}${serverNonce},s=${salt.toString('base64')},i=${iterations}`;
      return { serverFirst, username };
    },
    /** Checks client-final's proof; returns server-final (`v=` or `e=invalid-proof`). */
    final(clientFinal: string): string {
      const at = clientFinal.lastIndexOf(',p=');
      const withoutProof = clientFinal.slice(0, at);
      const proof = Buffer.from(clientFinal.slice(at + 3), 'base64');
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const signature = hmac(storedKey, authMessage);
      const recovered = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] ?? 0)));
      if (!createHash(algorithm).update(recovered).digest().equals(storedKey)) return 'e=invalid-proof';
      return `v=${hmac(serverKey, authMessage).toString('base64')}`;
    },
  };
}

