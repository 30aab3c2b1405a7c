// What bench/profile/drivers.ts uses of @xmpp/client 0.14 beyond bench/session/xmpp-client.d.ts: the
// `credentials` option, a function that picks the SASL mechanism (PLAIN for the heap measure).
declare module '@xmpp/client' {
  export interface ClientOptions {
    readonly credentials?: (authenticate: (credentials: { username: string; password: string }, mechanism: string) => Promise<void>, mechanisms: string[]) => Promise<void>;
  }
}
