// @xmpp/client 0.14 ships no type declarations: the part of its API that bench/session/drivers.ts uses.
declare module '@xmpp/client' {
  export interface XmlElement {
    toString(): string;
  }
  export function xml(name: string, attrs?: Record<string, string> | null, ...children: (XmlElement | string)[]): XmlElement;
  export interface XmppClient {
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    on(event: 'error', listener: (error: Error) => void): void;
    on(event: 'element' | 'send', listener: (element: XmlElement) => void): void;
    on(event: string, listener: (...args: unknown[]) => void): void;
    readonly iqCaller: { request(stanza: XmlElement, timeout?: number): Promise<XmlElement> };
  }
  export interface ClientOptions {
    readonly service: string;
    readonly domain?: string;
    readonly resource?: string;
    readonly username?: string;
    readonly password?: string;
    readonly timeout?: number;
  }
  export function client(options: ClientOptions): XmppClient;
}
