// Test support: the project's real XMPP servers (Prosody, ejabberd), started lazily once per mocha
// process and stopped after the whole run.
//
// Load it with mocha's `--require spec/support/servers.ts` (the root hook below stops the servers);
// specs call `await useServer('prosody')` in a `before` hook. `restartServer(handle)` restarts a server
// in place (same handle, same data: accounts survive), so later `useServer` calls still return a live
// server. Without the --require, the safety net in scripts/servers.mjs still kills the servers when the
// process exits.
// Not for mocha's parallel mode: each worker would try to start its own server on the same fixed ports.

import {
  startServer,
  stopAllServers,
  type ServerHandleOf,
  type ServerName,
} from '../../scripts/servers.mjs';

export { registerUser, restartServer } from '../../scripts/servers.mjs';
export type { RestartOptions, ServerHandle, ServerHandleOf, ServerName } from '../../scripts/servers.mjs';

const started = new Map<ServerName, Promise<ServerHandleOf<ServerName>>>();

/**
 * The running server `name`, started on first use; every later call returns the same handle.
 * A failed start is not cached, so the next call tries again.
 */
export function useServer<N extends ServerName>(name: N): Promise<ServerHandleOf<N>> {
  let handle = started.get(name) as Promise<ServerHandleOf<N>> | undefined;
  if (handle === undefined) {
    handle = startServer(name);
    started.set(name, handle);
    handle.catch(() => started.delete(name));
  }
  return handle;
}

/** Stops every server started by this process (through useServer or directly). */
export async function stopServers(): Promise<void> {
  await Promise.allSettled(started.values());
  started.clear();
  await stopAllServers();
}

/** Mocha root hook plugin: stop the servers once all specs have run. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(20_000);
    await stopServers();
  },
};
