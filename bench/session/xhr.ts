/**
 * A minimal `XMLHttpRequest` for Strophe.js's BOSH transport in Node, which has none (strophe/strophejs
 * issue #766: "the Node.js environment lacks support for XMLHttpRequest, which prevents the use of
 * BOSH"). Strophe's Node build brings `ws` and `@xmldom/xmldom` for WebSocket and XML, but its BOSH
 * `Request` calls `new XMLHttpRequest()` and reads `responseXML`. This shim does the asynchronous POSTs
 * Strophe makes over the global `fetch` (undici, the same HTTP client our BOSH transport and StanzaJS's
 * use), and parses the answer with xmldom's `DOMParser` into `responseXML`, as a browser would.
 * Only what Strophe touches is implemented: open, setRequestHeader, send, abort, readyState, status,
 * responseText, responseXML, getAllResponseHeaders, overrideMimeType, onreadystatechange.
 */
import { DOMParser } from '@xmldom/xmldom';

const parser = new DOMParser();

export class FetchXMLHttpRequest {
  static readonly UNSENT = 0;
  static readonly OPENED = 1;
  static readonly HEADERS_RECEIVED = 2;
  static readonly LOADING = 3;
  static readonly DONE = 4;

  readyState = 0;
  status = 0;
  responseText = '';
  responseXML: unknown = null;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  #method = 'GET';
  #url = '';
  #headers: Record<string, string> = {};
  #responseHeaders = '';
  #abort: AbortController | undefined;

  overrideMimeType(_type: string): void {
    // Answers are always parsed as XML.
  }

  open(method: string, url: string, async = true): void {
    if (!async) throw new Error('FetchXMLHttpRequest: synchronous requests are not supported');
    this.#method = method;
    this.#url = url;
    this.#headers = {};
    this.#setState(1);
  }

  setRequestHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  getAllResponseHeaders(): string {
    return this.#responseHeaders;
  }

  send(body?: string | null): void {
    const abort = new AbortController();
    this.#abort = abort;
    fetch(this.#url, { method: this.#method, headers: this.#headers, body: body ?? null, signal: abort.signal })
      .then(async (response) => {
        const text = await response.text();
        if (abort.signal.aborted) return;
        this.status = response.status;
        let headers = '';
        response.headers.forEach((value, name) => { headers += `${name}: ${value}\r\n`; });
        this.#responseHeaders = headers;
        this.responseText = text;
        this.responseXML = text === '' ? null : parser.parseFromString(text, 'text/xml');
        this.#setState(4);
      })
      .catch(() => {
        if (abort.signal.aborted) return;
        this.status = 0; // a network error, as a browser reports it
        this.#setState(4);
      });
  }

  abort(): void {
    this.#abort?.abort();
    this.readyState = 0;
  }

  #setState(state: number): void {
    this.readyState = state;
    this.onreadystatechange?.();
  }
}

/** Installs the shim as the global `XMLHttpRequest` (only where there is none). */
export function installXMLHttpRequest(): void {
  const scope = globalThis as { XMLHttpRequest?: unknown };
  scope.XMLHttpRequest ??= FetchXMLHttpRequest;
}
