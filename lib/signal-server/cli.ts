#!/usr/bin/env node
/**
 * `xmpp-profile-signal --port N --host H`: runs the QR login signal relay until interrupted.
 *
 * @see API.md §1, §6
 */
import { createSignalServer } from './relay.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const portText = option('port') ?? '0';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`xmpp-profile-signal: --port must be a port number, not '${portText}'\n`);
  process.exit(2);
}
const relay = await createSignalServer({ host: option('host') ?? '127.0.0.1', port });
process.stdout.write(`xmpp-profile-signal: relaying on ${relay.url}\n`);
const stop = (): void => {
  void relay.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
