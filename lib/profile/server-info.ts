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
  return new ServerInfoMemo(exchange);
}

/** A class rather than closures: every connection has one, so it should weigh little. */
class ServerInfoMemo implements ServerInfo {
  readonly #exchange: Exchange;
  #pending: Promise<DiscoInfo> | undefined;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  info(): Promise<DiscoInfo> {
    let pending = this.#pending;
    if (!pending) {
      const exchange = this.#exchange;
      // Kept for the session's life: a copy, so that it does not hold the whole answer's text (V8 slices).
      pending = exchange.iq((id) => buildDiscoInfoGet(id, exchange.domain)).then((answer) => JSON.parse(JSON.stringify(parseDiscoInfo(answer))) as DiscoInfo);
      this.#pending = pending;
      pending.catch(() => {
        if (this.#pending === pending) this.#pending = undefined; // tried again next time
      });
    }
    return pending;
  }

  async has(feature: string): Promise<boolean> {
    return (await this.info()).features.includes(feature);
  }
}
