/**
 * xmpp-profile: the profile module of a chat SDK over standard XMPP (API.md).
 *
 * `createSDK()` makes an independent SDK instance; `SDK` is a ready default one. The typed errors of
 * the lower layers are here too; the pure codecs are in `xmpp-profile/stanzas`, the transports and
 * the session in `xmpp-profile/transport`.
 */
import { createSDK, type ProfileSDK } from './profile/sdk.js';

export * from './errors.js';
export { createSDK, ProfileSDK } from './profile/sdk.js';
export type { CurrentUserJidAnswer, ImageInput, LastSeenAnswer, QrCodeAnswer, QrCodeOptions, QrLoginAnswer, RegisterAnswer } from './profile/sdk.js';
export type { QrCodeShown } from './profile/qr-code.js';
export { SdkError, CONDITION_STATUS } from './profile/answers.js';
export type { InitOptions } from './profile/options.js';
export type { TokenAnswer } from './profile/token.js';
export type { RosterStore } from './profile/roster-store.js';
export { createMemoryRosterStore, createWebStorageRosterStore } from './profile/roster-store.js';
export type * from './profile/types.js';

/** A ready default instance (API.md §1). */
export const SDK: ProfileSDK = createSDK();
