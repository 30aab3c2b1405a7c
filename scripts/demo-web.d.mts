// Types of scripts/demo-web.mjs for the specs that use it.
import type { ServerHandle } from './servers.mjs';

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly status: string;
}

export interface DemoUsers {
  readonly phone: DemoUser;
  readonly friend: DemoUser;
}

export declare const DEMO_USERS: DemoUsers;

export interface DemoWeb {
  /** e.g. 'http://127.0.0.1:40123/' */
  readonly url: string;
  readonly port: number;
  /** The payload the page reported last ('' before any). */
  currentPayload(): string;
  close(): Promise<void>;
}

export declare function startDemoWeb(options: { server: ServerHandle; relayUrl: string; port?: number; host?: string; users?: DemoUsers }): Promise<DemoWeb>;

export declare function prepareDemoUsers(server: ServerHandle, users?: DemoUsers): Promise<void>;
