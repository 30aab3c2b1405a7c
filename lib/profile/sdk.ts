/**
 * The SDK facade of the public contract (API.md §2-§5): `initializeSDK` and the profile methods.
 * Each method checks its parameters (400 naming the one that is wrong), needs a connection where it
 * talks to the server (500 'Connection Error' without one), runs its operation, and maps what the
 * operation throws to a status code (`failure`). Only `connect` rejects (with an `SdkError`).
 *
 * @see API.md
 */
import { SaslError } from '../errors.js';
import { createScramKeyCache, type ScramKeyCache } from '../transport/scram.js';
import { Session } from '../transport/session.js';
import { defaultWebSocketConstructor } from '../transport/websocket.js';
import type { QrCredentials } from '../qr/payload.js';
import type { QrLogin } from '../qr/qr-login.js';
import type { SessionStatus } from '../transport/session-options.js';
import type { Transport, TransportFactory } from '../transport/transport.js';
import { buildUnavailable } from '../stanzas/presence.js';
import { fail, failure, notConnected, ok, SdkError, statusOf, CONNECTION_ERROR } from './answers.js';
import { usersWhoBlockedMe } from './blocked-by.js';
import { blockUser, listBlocked, unblockUser } from './blocking.js';
import { Connection } from './connection.js';
import { addFriend, removeFriend } from './friend-requests.js';
import { uploadImage } from './image-upload.js';
import { getLastSeen } from './last-seen.js';
import { emit } from './listeners.js';
import { checkInitOptions, transportOf, type InitOptions, type SdkConfig } from './options.js';
import { firstTransport, linkOfUrl, refuseCleartext } from './cleartext.js';
import { generatePassword } from './password.js';
import { getProfile, setProfile, type ProfileChanges } from './profile.js';
import { createMemoryRosterStore, type RosterStore } from './roster-store.js';
import { requestUserToken, type TokenAnswer } from './token.js';
import type { QrCodeShown } from './qr-code.js';
import type { Answer, BlockedUser, CallbackListeners, DataAnswer, Profile, User } from './types.js';
import { checkImage, checkProfileChanges, checkText, checkUserIdentifier, checkUserJid, checkUsername, MAX_CREDENTIAL_LENGTH, MAX_NAME_LENGTH, type ImageInput } from './validate.js';

export type { ImageInput } from './validate.js';

/** The answer of `register`. */
export type RegisterAnswer = DataAnswer<{ readonly username: string; readonly password: string; readonly userJid: string; readonly isSandbox: boolean }>;

/** The answer of `getCurrentUserJid`. */
export type CurrentUserJidAnswer = Answer & { readonly userJid: string };

/** The answer of `getLastSeen`. */
export type LastSeenAnswer = DataAnswer<{ readonly fromUserJid: string; readonly seconds: number }>;

/** The answer of `generateQrCode`: the first code's text (and, without a DOM, its terminal rendering). */
export type QrCodeAnswer = Answer & Partial<QrCodeShown>;

/** What the `generateQrCode` callback gets once the code was scanned and approved. */
export type QrLoginAnswer = Answer & { readonly username?: string; readonly password?: string };

/** Extra options of `generateQrCode` (not in API.md). */
export interface QrCodeOptions {
  /** Each code shown: the first, and each one that replaces it before it expires. */
  readonly onQrCode?: (code: QrCodeShown) => void;
}

/** Profiles fetched at once by the friends list over WebSocket (and other transports), by default. */
export const PROFILE_CONCURRENCY = 32;
/** The same over BOSH: each HTTP exchange carries a whole window, so a wider one keeps the server busy. */
export const BOSH_PROFILE_CONCURRENCY = 128;

/** One independent user session of the SDK (API.md §2: `createSDK()` may be called many times). */
export class ProfileSDK {
  #config: SdkConfig | undefined;
  #connection: Connection | undefined;
  /** A connect or register that has not finished yet. */
  #pending = false;
  #token: string | undefined;
  #rosterStore: RosterStore = createMemoryRosterStore();
  /** SCRAM keys of this instance's logins, so that logging in again (and reconnects) skip PBKDF2. */
  readonly #scramCache: ScramKeyCache = createScramKeyCache();
  #lastStatus: string | undefined;
  /** How this instance logged in, for handing over to a QR login (`approveQrLogin`). */
  #credentials: QrCredentials | undefined;
  /** A QR login waiting for its scan. */
  #qrLogin: QrLogin | undefined;

  /**
   * Sets the service, domains, listeners and options (API.md §2). Allowed again while logged out.
   * @returns 200 'Success'; 400 naming a bad option; 409 while logged in.
   */
  async initializeSDK(options: InitOptions): Promise<Answer> {
    if (this.#connection || this.#pending) return fail(409, 'Already logged in: logout before initializeSDK');
    const checked = checkInitOptions(options);
    if (!checked.ok) return checked.answer;
    this.#config = checked.value;
    this.#rosterStore = checked.value.rosterStore ?? createMemoryRosterStore();
    return ok('Success');
  }

  /**
   * Registers a new account in-band (XEP-0077) with a generated password; with `AUTO_LOGIN` the same
   * stream goes on to log in.
   * @returns 200 with `data: { username, password, userJid, isSandbox }`; 400 for a bad identifier;
   *   409 when taken (or, with AUTO_LOGIN, when already logged in); 501 when the server has no IBR;
   *   500 without sending anything when the link is neither TLS nor loopback and `allowPlainAuth` is
   *   not set (the password would go in clear, see cleartext.ts).
   */
  async register(USER_IDENTIFIER: string, AUTO_LOGIN = false): Promise<RegisterAnswer> {
    const config = this.#config;
    if (!config) return notInitialized();
    const username = checkUserIdentifier('USER_IDENTIFIER', USER_IDENTIFIER);
    if (!username.ok) return username.answer;
    if (typeof AUTO_LOGIN !== 'boolean') return fail(400, 'AUTO_LOGIN must be true or false');
    if (AUTO_LOGIN && (this.#connection || this.#pending)) return fail(409, 'Already logged in');
    const domain = this.#domain(config);
    let transport: ReturnType<typeof firstTransport>;
    try {
      transport = firstTransport(transportOf(config));
    } catch (error) {
      return failure(error);
    }
    // XEP-0077 §10: the new password goes into the stream as is; like PLAIN, only over TLS or loopback.
    const refused = refuseCleartext('in-band registration', transport.first, config.allowPlainAuth);
    if (refused) return refused;
    const password = generatePassword();
    const session = this.#newSession(config, domain, transport.source);
    if (AUTO_LOGIN) this.#pending = true;
    try {
      await session.register({ username: username.value, password }, { login: AUTO_LOGIN });
      if (AUTO_LOGIN) this.#online(config, session, `${username.value}@${domain}`, { username: username.value, password });
    } catch (error) {
      await session.close().catch(() => undefined);
      const answer = failure(error);
      if (answer.statusCode === 409) return fail(409, `USER_IDENTIFIER is already registered: ${username.value}@${domain}`);
      if (answer.statusCode === 501) return fail(501, `the server does not offer in-band registration (${answer.message})`);
      return refusedParameter('USER_IDENTIFIER', answer);
    } finally {
      this.#pending = false;
    }
    return ok('Success', { data: { username: username.value, password, userJid: `${username.value}@${domain}`, isSandbox: config.isSandbox } });
  }

  /**
   * Logs in (API.md §3): SCRAM (or PLAIN where allowed) with a password, or OAUTHBEARER / X-OAUTH2
   * with the token of `setUserToken` when no password is given. Then binds, sends presence with this
   * client's caps, and fires `connectionListener({ status: 'CONNECTED' })`.
   * @throws {SdkError} 400 bad parameter, 401 wrong credentials (also `AUTHFAIL`), 409 already logged
   *   in, 500 connection failure (also `CONNECTIONFAILED`), 408 no answer in time.
   */
  async connect(USERNAME: string, PASSWORD?: string): Promise<Answer> {
    const config = this.#config;
    if (!config) throw new SdkError(notInitialized());
    if (this.#connection || this.#pending) throw new SdkError(fail(409, 'Already logged in'));
    const domain = this.#domain(config);
    const username = checkUsername('USERNAME', USERNAME, domain);
    if (!username.ok) throw new SdkError(username.answer);
    let credentials: { username: string; password?: string; token?: string };
    if (PASSWORD === undefined || PASSWORD === '') {
      if (this.#token === undefined) throw new SdkError(fail(400, 'PASSWORD is required (or set a token with setUserToken first)'));
      credentials = { username: username.value, token: this.#token };
    } else {
      const password = checkText('PASSWORD', PASSWORD, MAX_CREDENTIAL_LENGTH, true);
      if (!password.ok) throw new SdkError(password.answer);
      credentials = { username: username.value, password: password.value };
    }
    this.#pending = true;
    const session = this.#newSession(config, domain);
    try {
      await session.login(credentials);
      this.#online(config, session, `${username.value}@${domain}`, {
        username: username.value,
        password: credentials.password ?? '',
        ...(credentials.token !== undefined ? { token: credentials.token } : {}),
      });
      return ok('Login Success');
    } catch (error) {
      await session.close().catch(() => undefined);
      const answer = statusOf(error) === 401 ? fail(401, `Invalid credentials (${(error as Error).message})`) : failure(error);
      this.#emitStatus(error instanceof SaslError && answer.statusCode === 401 ? 'AUTHFAIL' : 'CONNECTIONFAILED', answer);
      throw new SdkError(answer, { cause: error });
    } finally {
      this.#pending = false;
    }
  }

  /**
   * QR login, the waiting side (API.md §6): asks the relay at `SIGNAL_SERVER_URL` for a one-time session,
   * draws a QR code of its payload (relay URL, session id, a fresh ECDH P-256 public key, expiry) into
   * the canvas (or `<img>`) `DOM_ELEMENT_ID` with the logo `LOGO_ELEMENT_ID` centred, sets the canvas's
   * `data-qr-payload`, and replaces code and key before the session expires. When a logged-in device
   * approves it (`approveQrLogin`), the sealed credentials arrive, open, and log this instance in with
   * `connect`; then `callback({ statusCode: 200, message: 'Login Success', username, password })`, or
   * the callback gets the error answer (401 for refused credentials, 400 for a hand-off that does not
   * open, 500 when the relay is gone). Without a DOM (Node) the answer carries the payload and its
   * terminal rendering.
   * @returns 200 'QR Code generated' with `payload` (and `terminal` without a DOM); 400 naming a bad
   *   argument; 409 while logged in; 500 when the relay cannot be reached.
   */
  async generateQrCode(DOM_ELEMENT_ID: unknown, LOGO_ELEMENT_ID: unknown, SIGNAL_SERVER_URL: string, callback?: (answer: QrLoginAnswer) => void, options: QrCodeOptions = {}): Promise<QrCodeAnswer> {
    const config = this.#config;
    if (!config) return notInitialized();
    if (this.#connection || this.#pending) return fail(409, 'Already logged in: logout before generateQrCode');
    if (callback !== undefined && typeof callback !== 'function') return fail(400, 'callback must be a function');
    const qr = await import('./qr-code.js');
    const relayUrl = qr.checkRelayUrl('SIGNAL_SERVER_URL', SIGNAL_SERVER_URL);
    if (!relayUrl.ok) return relayUrl.answer;
    const target = qr.checkQrTarget(DOM_ELEMENT_ID, LOGO_ELEMENT_ID);
    if (!target.ok) return target.answer;
    const Socket = config.WebSocket ?? defaultWebSocketConstructor();
    if (!Socket) return fail(500, `${CONNECTION_ERROR}: no WebSocket here for the QR relay (pass WebSocket to initializeSDK)`);
    this.#stopQrLogin();
    const answer = (result: QrLoginAnswer): void => {
      try {
        callback?.(result);
      } catch {
        // a callback that throws breaks nothing (API.md §5)
      }
    };
    let first: QrCodeShown | undefined;
    let login: QrLogin | undefined;
    try {
      login = await qr.beginQrLogin({
        target: target.value,
        relayUrl: relayUrl.value,
        WebSocket: Socket,
        onCode: (code) => {
          first ??= code;
          try {
            options.onQrCode?.(code);
          } catch {
            // as above
          }
        },
        onCredentials: (credentials) => void this.#qrLoggedIn(credentials).then(answer),
        onError: (error) => {
          if (login && this.#qrLogin === login) this.#qrLogin = undefined;
          answer(failure(error));
        },
      });
      this.#qrLogin = login;
    } catch (error) {
      return failure(error);
    }
    return ok('QR Code generated', { ...first });
  }

  /**
   * QR login, the scanning side (API.md §6): reads the payload a browser shows, seals this session's
   * credentials to its key (ECDH P-256 + AES-GCM) and hands them to its relay session.
   * @returns 200 'Success'; 400 for a malformed, tampered, expired or already used payload (naming
   *   QR_PAYLOAD); 500 when not logged in or the relay cannot be reached.
   */
  async approveQrLogin(QR_PAYLOAD: string): Promise<Answer> {
    const connection = this.#ready();
    const credentials = this.#credentials;
    if (!connection || !credentials) return notConnected();
    const payload = checkText('QR_PAYLOAD', QR_PAYLOAD, 2048, true);
    if (!payload.ok) return payload.answer;
    const Socket = this.#config?.WebSocket ?? defaultWebSocketConstructor();
    if (!Socket) return fail(500, `${CONNECTION_ERROR}: no WebSocket here for the QR relay (pass WebSocket to initializeSDK)`);
    try {
      const { approveQrLogin } = await import('./qr-code.js');
      await approveQrLogin(payload.value, credentials, Socket);
      return ok('Success');
    } catch (error) {
      return refusedParameter('QR_PAYLOAD', failure(error));
    }
  }

  /** The credentials of a QR login arrived (that login is over: a stopped one delivers nothing): log in. */
  async #qrLoggedIn(credentials: QrCredentials): Promise<QrLoginAnswer> {
    this.#qrLogin = undefined;
    try {
      if (credentials.token !== undefined && credentials.password === '') {
        const set = await this.setUserToken(credentials.token);
        if (set.statusCode !== 200) return set;
        await this.connect(credentials.username);
      } else {
        await this.connect(credentials.username, credentials.password);
      }
      return ok('Login Success', { username: credentials.username, password: credentials.password });
    } catch (error) {
      return error instanceof SdkError ? fail(error.statusCode, error.message) : failure(error);
    }
  }

  #stopQrLogin(): void {
    this.#qrLogin?.stop();
    this.#qrLogin = undefined;
  }

  /**
   * Logs out: unavailable presence, stream close (BOSH: terminate), local state cleared (the token of
   * `setUserToken` too); fires `connectionListener({ status: 'DISCONNECTED' })`.
   * @returns 200 'Logout Success'; 500 'Connection Error' when not logged in.
   */
  async logout(): Promise<Answer> {
    this.#stopQrLogin();
    const connection = this.#connection;
    if (!connection) return notConnected();
    this.#connection = undefined;
    this.#token = undefined;
    this.#credentials = undefined;
    connection.detach();
    try {
      if (connection.session.status === 'online') connection.session.send(buildUnavailable());
    } catch {
      // already gone: closing is all there is to do
    }
    await connection.session.close().catch(() => undefined);
    this.#emitStatus('DISCONNECTED');
    return ok('Logout Success');
  }

  /**
   * The friends list: the roster (versioned, kept in the roster store) joined with each contact's
   * profile; fires `friendsListListener` with the same data.
   */
  async getFriendsList(): Promise<DataAnswer<User[]>> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    try {
      await connection.loadRoster();
      const users = await connection.friendsList();
      emit(this.#listeners(), 'friendsListListener', users);
      return ok('Success', { data: users });
    } catch (error) {
      return failure(error);
    }
  }

  /** A user's profile (vCard-temp); fires `userProfileListener` with the same data. */
  async getUserProfile(TO_USER_JID: string): Promise<DataAnswer<Profile>> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const jid = checkUserJid('TO_USER_JID', TO_USER_JID, connection.exchange.domain);
    if (!jid.ok) return jid.answer;
    try {
      const profile = await getProfile(connection.exchange, jid.value, connection.profiles);
      connection.noteProfile(profile);
      emit(this.#listeners(), 'userProfileListener', profile);
      return ok('Success', { data: profile });
    } catch (error) {
      return refusedParameter('TO_USER_JID', failure(error));
    }
  }

  /**
   * Updates this user's profile: vCard-temp set plus a vCard4 PEP publish (contacts are pushed the
   * change). A parameter left `undefined` keeps what is stored; `''` clears it. IMAGE bytes are
   * uploaded (XEP-0363) and their URL stored. Fires `userProfileListener`.
   */
  async setUserProfile(NAME?: string, IMAGE?: ImageInput, STATUS?: string, MOBILE_NUMBER?: string, EMAIL?: string): Promise<DataAnswer<Profile>> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const checked = checkProfileChanges(NAME, STATUS, MOBILE_NUMBER, EMAIL);
    if (!checked.ok) return checked.answer;
    const changes: { -readonly [K in keyof ProfileChanges]: ProfileChanges[K] } = { ...checked.value };
    const image = checkImage(IMAGE);
    if (!image.ok) return image.answer;
    try {
      const profile = await connection.ownUpdate(async () => {
        if (image.value !== undefined) {
          changes.image = typeof image.value === 'string' ? image.value : await uploadImage(connection.exchange, image.value, connection.profiles);
        }
        const stored = await setProfile(connection.exchange, changes, connection.profiles);
        connection.noteProfile(stored);
        return stored;
      });
      emit(this.#listeners(), 'userProfileListener', profile);
      return ok('Success', { data: profile });
    } catch (error) {
      return failure(error);
    }
  }

  /** When a user was last online (XEP-0012): `seconds` 0 while online. */
  async getLastSeen(TO_USER_JID: string): Promise<LastSeenAnswer> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const jid = checkUserJid('TO_USER_JID', TO_USER_JID, connection.exchange.domain);
    if (!jid.ok) return jid.answer;
    try {
      return ok('Success', { data: await getLastSeen(connection.exchange, jid.value) });
    } catch (error) {
      return refusedParameter('TO_USER_JID', failure(error));
    }
  }

  /** Blocks a user (XEP-0191, or a XEP-0016 privacy list); fires `blockUserListener` when it changed something. */
  async blockUser(TO_USER_JID: string): Promise<Answer> {
    return this.#block(TO_USER_JID, blockUser);
  }

  /** Unblocks a user; fires `blockUserListener` when it changed something. */
  async unblockUser(TO_USER_JID: string): Promise<Answer> {
    return this.#block(TO_USER_JID, unblockUser);
  }

  /** The users this account blocks. */
  async getUsersIBlocked(): Promise<DataAnswer<BlockedUser[]>> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    try {
      return ok('Success', { data: await listBlocked(connection.exchange, connection.server, connection.blocking) });
    } catch (error) {
      return failure(error);
    }
  }

  /** The users who block this account (the project's server module); 501 on a server without it. */
  async getUsersWhoBlockedMe(): Promise<DataAnswer<BlockedUser[]>> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    try {
      return ok('Success', { data: await usersWhoBlockedMe(connection.exchange, connection.server) });
    } catch (error) {
      return failure(error);
    }
  }

  /** This user's bare JID (synchronous). */
  getCurrentUserJid(): CurrentUserJidAnswer {
    const connection = this.#connection;
    if (!connection) return { ...notConnected(), userJid: '' };
    return ok('Success', { userJid: connection.userJid });
  }

  /**
   * A token from the server's OAuth 2.0 token endpoint (password grant, RFC 6749 §4.3). An `http:`
   * endpoint that is not loopback answers 500 without the request being made, unless `allowPlainAuth`
   * is set (the password would go in clear, see cleartext.ts).
   */
  async getUserToken(USERNAME: string, PASSWORD: string): Promise<TokenAnswer> {
    const config = this.#config;
    if (!config) return notInitialized();
    const domain = this.#domain(config);
    const username = checkUsername('USERNAME', USERNAME, domain);
    if (!username.ok) return username.answer;
    const password = checkText('PASSWORD', PASSWORD, MAX_CREDENTIAL_LENGTH, true);
    if (!password.ok) return password.answer;
    if (config.tokenEndpoint === '') return fail(501, 'no token endpoint: pass apiBaseUrl or tokenEndpoint to initializeSDK');
    // RFC 6749 §3.2: the token endpoint MUST be TLS; posting the password to it in clear, like PLAIN, only to loopback.
    const refused = refuseCleartext('the token request', linkOfUrl(config.tokenEndpoint), config.allowPlainAuth);
    if (refused) return refused;
    const answer = await requestUserToken({
      endpoint: config.tokenEndpoint,
      userJid: `${username.value}@${domain}`,
      password: password.value,
      fetch: config.fetch,
      timeoutMs: config.requestTimeoutMs,
    });
    return answer.statusCode === 400 ? fail(400, `USERNAME or PASSWORD: ${answer.message}`) : answer;
  }

  /** Keeps a token for token login (`connect(USERNAME)` without a password). */
  async setUserToken(TOKEN: string): Promise<Answer> {
    const token = checkText('TOKEN', TOKEN, 4096, true);
    if (!token.ok) return token.answer;
    this.#token = token.value;
    return ok('Success');
  }

  /**
   * Asks a user to be friends: adds them to the roster, subscribes to their presence and pre-approves
   * theirs (RFC 6121 §3.1, §3.4). Once both sides asked, the subscription is mutual (`isFriend`).
   * Not part of API.md: the contract has no method that makes two users friends.
   */
  async addFriend(TO_USER_JID: string, NAME = ''): Promise<Answer> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const jid = checkUserJid('TO_USER_JID', TO_USER_JID, connection.exchange.domain);
    if (!jid.ok) return jid.answer;
    const name = checkText('NAME', NAME, MAX_NAME_LENGTH);
    if (!name.ok) return name.answer;
    if (jid.value === connection.userJid) return fail(400, 'TO_USER_JID is this user');
    connection.want(jid.value, true);
    try {
      await addFriend(connection.exchange, jid.value, name.value);
      return ok('Success');
    } catch (error) {
      return refusedParameter('TO_USER_JID', failure(error));
    }
  }

  /** Removes a user from the roster, ending both subscriptions (RFC 6121 §2.5). Not part of API.md. */
  async removeFriend(TO_USER_JID: string): Promise<Answer> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const jid = checkUserJid('TO_USER_JID', TO_USER_JID, connection.exchange.domain);
    if (!jid.ok) return jid.answer;
    connection.want(jid.value, false);
    try {
      await removeFriend(connection.exchange, jid.value);
      return ok('Success');
    } catch (error) {
      return refusedParameter('TO_USER_JID', failure(error));
    }
  }

  async #block(TO_USER_JID: string, run: typeof blockUser): Promise<Answer> {
    const connection = this.#ready();
    if (!connection) return notConnected();
    const jid = checkUserJid('TO_USER_JID', TO_USER_JID, connection.exchange.domain);
    if (!jid.ok) return jid.answer;
    try {
      const event = await run(connection.exchange, connection.server, connection.blocking, jid.value);
      if (event) emit(this.#listeners(), 'blockUserListener', event);
      return ok('Success');
    } catch (error) {
      return refusedParameter('TO_USER_JID', failure(error));
    }
  }

  /** The connection when it can talk to the server now. */
  #ready(): Connection | undefined {
    const connection = this.#connection;
    return connection && connection.session.status === 'online' ? connection : undefined;
  }

  #listeners(): CallbackListeners {
    return this.#config?.listeners ?? {};
  }

  #domain(config: SdkConfig): string {
    return config.isSandbox ? config.sandboxDomain : config.domain;
  }

  /** A session to the configured service; `transport`: where its transports come from, when already made. */
  #newSession(config: SdkConfig, domain: string, transport: Transport | TransportFactory = transportOf(config)): Session {
    return new Session({
      transport,
      domain,
      requestTimeoutMs: config.requestTimeoutMs,
      reconnect: config.reconnect,
      allowPlainAuth: config.allowPlainAuth,
      scramCache: this.#scramCache,
      ...(config.resource !== undefined ? { resource: config.resource } : {}),
      ...(config.onTrace ? { onTrace: config.onTrace } : {}),
    });
  }

  /** A session has logged in: it becomes this instance's connection. */
  #online(config: SdkConfig, session: Session, userJid: string, credentials: QrCredentials): void {
    this.#stopQrLogin();
    this.#credentials = credentials;
    const connection = new Connection(session, userJid, this.#domain(config), {
      listeners: config.listeners,
      rosterStore: this.#rosterStore,
      profileConcurrency: config.profileConcurrency ?? (session.transport?.kind === 'bosh' ? BOSH_PROFILE_CONCURRENCY : PROFILE_CONCURRENCY),
      fetch: config.fetch,
    });
    this.#connection = connection;
    session.on('status', (status, error) => this.#onSessionStatus(connection, status, error));
    session.on('reconnected', (resumed) => {
      if (this.#connection !== connection) return;
      if (!resumed) connection.start(true);
      this.#emitStatus('CONNECTED');
    });
    connection.start(false);
    this.#emitStatus('CONNECTED');
  }

  #onSessionStatus(connection: Connection, status: SessionStatus, error?: unknown): void {
    if (this.#connection !== connection) return;
    if (status === 'reconnecting') this.#emitStatus('RECONNECTING');
    else if (status === 'offline') {
      // The connection is gone for good (reconnect gave up, or was not possible).
      this.#connection = undefined;
      this.#credentials = undefined;
      connection.detach();
      const answer = error ? failure(error) : fail(500, CONNECTION_ERROR);
      this.#emitStatus(error instanceof SaslError && answer.statusCode === 401 ? 'AUTHFAIL' : 'CONNECTIONFAILED', answer);
    }
  }

  #emitStatus(status: 'CONNECTED' | 'DISCONNECTED' | 'CONNECTIONFAILED' | 'RECONNECTING' | 'AUTHFAIL', answer?: Answer): void {
    if (status === 'RECONNECTING' && this.#lastStatus === 'RECONNECTING') return; // once per outage
    this.#lastStatus = status;
    emit(this.#listeners(), 'connectionListener', answer ? { status, statusCode: answer.statusCode, message: answer.message } : { status });
  }
}

/** Makes a new, independent SDK instance (API.md §2). */
export function createSDK(): ProfileSDK {
  return new ProfileSDK();
}

/**
 * A 400 from the server to a request about one parameter (e.g. a JID the SDK's own checks accept but
 * the server's older stringprep tables do not) names that parameter, as the SDK's own 400s do.
 */
function refusedParameter(name: string, answer: Answer): Answer {
  return answer.statusCode === 400 ? fail(400, `${name} was refused by the server (${answer.message})`) : answer;
}

function notInitialized(): Answer {
  return fail(500, `${CONNECTION_ERROR}: call initializeSDK first`);
}

