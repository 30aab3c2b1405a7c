// Test support: fresh accounts and raw streams on a real server, closed after each test.

import { randomBytes } from 'node:crypto';
import { openRawStream, type RawStream } from './raw-stream.js';
import { registerUser, type ServerHandle } from './servers.js';

const RUN = `${Date.now().toString(36).slice(-4)}${randomBytes(2).toString('hex')}`;
let serial = 0;

/** A username no earlier run used. */
export function freshName(prefix: string): string {
  return `${prefix}_${RUN}_${++serial}`;
}

/** A logged-in, bound raw stream of a fresh account. */
export interface Account {
  readonly stream: RawStream;
  readonly user: string;
  readonly password: string;
  /** The bound full JID. */
  readonly jid: string;
  /** The bare JID. */
  readonly bare: string;
}

/**
 * Raw streams to the server that `server()` returns: `open` one (before authentication), or `login` a
 * fresh account (created without IBR), and `closeAll` of them (in an `afterEach`).
 */
export function rawSessions(server: () => ServerHandle): {
  open(domain?: string): Promise<RawStream>;
  login(resource?: string): Promise<Account>;
  closeAll(): Promise<void>;
} {
  const streams: RawStream[] = [];
  const open = async (domain = server().domain): Promise<RawStream> => {
    const stream = await openRawStream(server().websocketUrl, domain);
    streams.push(stream);
    return stream;
  };
  return {
    open,
    async login(resource = 'spec') {
      const user = freshName('user');
      const password = `pw-${user}`;
      await registerUser(server(), user, password);
      const stream = await open();
      await stream.authPlain(user, password);
      const jid = await stream.bind(resource);
      return { stream, user, password, jid, bare: `${user}@${server().domain}` };
    },
    async closeAll() {
      await Promise.all(streams.splice(0).map((stream) => stream.close()));
    },
  };
}
