// Types for scripts/servers.mjs (plain JavaScript), so the strict TypeScript specs can import it.
// Keep in step with the JSDoc in servers.mjs: same exports, same handle fields.

export type ServerName = 'prosody' | 'ejabberd';

export interface ServerOptions {
  /** Progress lines (start and stop times, install steps). Default: stderr with a "[servers]" prefix. */
  readonly log?: (message: string) => void;
}

export interface RestartOptions extends ServerOptions {
  /** How long to stay down between the stop and the relaunch, so a test can observe the outage. Default 0. */
  readonly downMs?: number;
}

interface ServerHandleBase {
  /** The real server process: Prosody's lua interpreter, ejabberd's beam.smp. Updated by restartServer. */
  readonly pid: number;
  /** Throw-away folder with the rendered config, data and logs; kept by restartServer, removed on stop. */
  readonly dataDir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** 'localhost' */
  readonly domain: string;
  /** 'sandbox.localhost' */
  readonly sandboxDomain: string;
  /** 'upload.localhost' (XEP-0363 service) */
  readonly uploadHost: string;
  readonly c2sPort: number;
  readonly httpPort: number;
  /** e.g. 'http://127.0.0.1:15280/' (with the trailing slash) */
  readonly httpBase: string;
  /** RFC 7395 endpoint, subprotocol 'xmpp' */
  readonly websocketUrl: string;
  /** XEP-0206 endpoint */
  readonly boshUrl: string;
  /** Measured start time, spawn to the HTTP probe answering 200 (of the latest launch: updated by restartServer). */
  readonly startMs: number;
  /** Same as stopServer(handle). */
  stop(): Promise<void>;
}

export interface ProsodyHandle extends ServerHandleBase {
  readonly name: 'prosody';
  /** 'privacy.localhost': no XEP-0191 (nor "who blocked me"), XEP-0016 privacy lists only. */
  readonly privacyDomain: string;
}

export interface EjabberdHandle extends ServerHandleBase {
  readonly name: 'ejabberd';
  /** OAuth 2.0 token endpoint (password grant; scope 'sasl_auth' for SASL X-OAUTH2). */
  readonly oauthTokenUrl: string;
}

export type ServerHandle = ProsodyHandle | EjabberdHandle;
export type ServerHandleOf<N extends ServerName> = Extract<ServerHandle, { readonly name: N }>;

/** Installs the Debian packages of both servers, only those missing (root, apt-get). */
export function installServers(options?: ServerOptions): Promise<{ installed: string[] }>;

/** Starts one server on loopback in a fresh data folder and waits until its HTTP probe answers. */
export function startServer<N extends ServerName>(name: N, options?: ServerOptions): Promise<ServerHandleOf<N>>;

/**
 * Restarts a server started by startServer, keeping its data folder (accounts, rosters, ... survive):
 * stops its processes as stopServer does, stays down `downMs`, waits until its ports are free, launches
 * it again from the same config and folder on the same ports, and waits for the same probe and log
 * checks. Updates the same handle in place (pid, startMs) and resolves with it; stopServer and
 * stopAllServers then stop the new processes. Rejects when the handle is not running or already restarting.
 */
export function restartServer<H extends ServerHandle>(handle: H, options?: RestartOptions): Promise<H>;

/** Stops a server started by startServer (by pid) and removes its data folder. Idempotent; waits for a running restart. */
export function stopServer(handle: ServerHandle, options?: ServerOptions): Promise<void>;

/** Stops every server this process started. */
export function stopAllServers(): Promise<void>;

/** Creates an account without in-band registration (prosodyctl / ejabberdctl register). */
export function registerUser(handle: ServerHandle, user: string, password: string, host?: string): Promise<void>;
