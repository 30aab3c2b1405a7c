/**
 * What the user's server offers, asked once per session: its disco#info (XEP-0030), whose features
 * decide how a method works (XEP-0191 or XEP-0016 blocking, the project's "who blocked me" module)
 * or whether it answers 501.
 *
 * @see https://xmpp.org/extensions/xep-0030.html#info
 */
import { buildDiscoInfoGet, parseDiscoInfo, type DiscoInfo } from '../stanzas/disco.js';
import type { Exchange } from './exchange.js';

/** The server's disco#info, fetched on first use and kept; a failed fetch is tried again next time. */
export interface ServerInfo {
  info(): Promise<DiscoInfo>;
  /** Whether the server's disco#info lists `feature`. */
  has(feature: string): Promise<boolean>;
}

/** A memo of the server's disco#info over one exchange. */
export function createServerInfo(exchange: Exchange): ServerInfo {
  let pending: Promise<DiscoInfo> | undefined;
  const info = (): Promise<DiscoInfo> => {
    pending ??= exchange.iq((id) => buildDiscoInfoGet(id, exchange.domain)).then(parseDiscoInfo);
    pending.catch(() => {
      pending = undefined;
    });
    return pending;
  };
  return {
    info,
    async has(feature) {
      return (await info()).features.includes(feature);
    },
  };
}
