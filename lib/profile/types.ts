/**
 * The shapes of the public contract (API.md §3 and §5): answers, profiles, users, listener payloads.
 *
 * @see API.md §3 (shapes), §4 (status codes), §5 (listeners)
 */

/** Every answer of the SDK: a status code of API.md §4 and a message. */
export interface Answer {
  readonly statusCode: number;
  readonly message: string;
}

/** A success or failure answer; `data` is present on success only. */
export type DataAnswer<T> = Answer & { readonly data?: T };

/** A user's profile; every field is present, `''` where unknown. */
export interface Profile {
  /** The JID's local part. */
  readonly userId: string;
  /** The bare JID. */
  readonly userJid: string;
  readonly nickName: string;
  /** A URL (uploaded images are their HTTP URL), a `data:` URL (an inline vCard photo), or `''`. */
  readonly image: string;
  /** The same image; vCard-temp carries one photo, so this equals `image`. */
  readonly thumbImage: string;
  readonly status: string;
  readonly mobileNumber: string;
  readonly email: string;
}

/** A roster subscription state (RFC 6121 §2.1.2.5). */
export type Subscription = 'none' | 'to' | 'from' | 'both';

/** A contact of the friends list: the profile joined with the roster item. */
export interface User extends Profile {
  /** The name the user gave the contact in the roster, `''` for none. */
  readonly name: string;
  readonly subscription: Subscription;
  readonly groups: readonly string[];
  /** Mutual presence subscription (`subscription` is `both`). */
  readonly isFriend: boolean;
}

/** A blocked user, or a user who blocks this one. */
export interface BlockedUser {
  readonly jid: string;
  /** The JID's local part, `''` for a domain JID. */
  readonly userId: string;
}

/** The statuses of `connectionListener` (API.md §5). */
export type ConnectionStatus = 'CONNECTED' | 'DISCONNECTED' | 'CONNECTIONFAILED' | 'RECONNECTING' | 'AUTHFAIL';

/** The payload of `connectionListener`. */
export interface ConnectionEvent {
  readonly status: ConnectionStatus;
  readonly statusCode?: number;
  readonly message?: string;
}

/**
 * The payload of `blockUserListener`. `jid` and `blockedUserId` name the other user: the one this
 * account blocked or unblocked (`by: 'me'`, from any of its devices), or the one who blocked or
 * unblocked this account (`by: 'contact'`).
 */
export interface BlockEvent {
  readonly blockedUserId: string;
  readonly jid: string;
  readonly type: 'block_user' | 'unblock_user';
  readonly by: 'me' | 'contact';
}

/** The listeners of API.md §5; each is optional. One that throws never breaks the session. */
export interface CallbackListeners {
  readonly connectionListener?: (event: ConnectionEvent) => void;
  readonly friendsListListener?: (users: User[]) => void;
  readonly userProfileListener?: (profile: Profile) => void;
  readonly blockUserListener?: (event: BlockEvent) => void;
}
