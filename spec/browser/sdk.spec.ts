// The SDK of the browser build (dist/browser/xmpp-profile.js, built afresh from lib/ for this run) in
// real headless Chromium, against the test Prosody, over WebSocket and over BOSH (API.md §2-§5): two
// users register (one logged in by AUTO_LOGIN, one by connect), read and set profiles with an image
// FILE picked in the page, become friends, list them, and log out. The page is served from its own
// origin, so every request to Prosody (WebSocket, BOSH, the upload PUT, the image GET) is cross-origin,
// as in an app. A login with a non-ASCII password loads the SASLprep chunk on demand.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { Profile, User } from '../../lib/profile/types.js';
import { freshName } from '../support/accounts.js';
import { collectPageErrors, launchChromium, saveScreenshot, serveStatic, type ChromiumHandle, type StaticServer } from '../support/chromium.js';
import { registerUser, useServer, type ServerHandleOf } from '../support/servers.js';
import { until } from '../support/wait.js';
import { loadBuildScript, outputsWithInput, ROOT } from './build-script.js';

/** A PNG of 2x2 pixels (real PNG bytes, as a file picker would give them). */
const PNG = Uint8Array.from(Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64'));

/** The answers of the SDK as the page hands them back (plain data). */
interface Answer {
  readonly statusCode: number;
  readonly message: string;
  readonly [field: string]: unknown;
}

interface Registered {
  readonly username: string;
  readonly password: string;
  readonly userJid: string;
  readonly isSandbox: boolean;
}

interface Events {
  readonly connection: readonly { readonly status: string }[];
  readonly friends: readonly (readonly User[])[];
  readonly profiles: readonly Profile[];
}

/** `window.harness` of spec/browser/pages/sdk.html. */
interface Harness {
  readonly exports: readonly string[];
  create(id: string, options: Record<string, unknown>): Promise<Answer>;
  call(id: string, method: string, ...args: unknown[]): Promise<Answer>;
  setProfileWithPickedFile(id: string, name: string, status: string, mobileNumber: string, email: string):
    Promise<{ answer: Answer; file: { name: string; type: string; size: number } }>;
  fetchBytes(url: string): Promise<{ status: number; type: string | null; bytes: number[] }>;
  events(id: string): Events;
  render(id: string, profile: Profile, friends?: readonly User[]): Promise<{ width: number; height: number } | { error: string } | null>;
}

/**
 * Runs `run` in the page against its harness, with `arg` (plain data). `run` is sent as source text,
 * so it may use only its parameters.
 */
function inPage<A, R>(page: Page, arg: A, run: (harness: Harness, arg: A) => Promise<R> | R): Promise<R> {
  return page.evaluate(
    ({ source, arg: value }: { source: string; arg: unknown }) => {
      const harness = (window as unknown as { harness: Harness }).harness;
      return (new Function('harness', 'arg', `return (${source})(harness, arg);`) as (h: Harness, a: unknown) => Promise<R>)(harness, value);
    },
    { source: run.toString(), arg: arg as unknown },
  );
}

/** `sdk[method](...args)` of the page's instance `id`. */
function call(page: Page, id: string, method: string, ...args: unknown[]): Promise<Answer> {
  return inPage(page, { id, method, args }, (harness, a) => harness.call(a.id, a.method, ...a.args));
}

describe('SDK in Chromium (browser build)', function () {
  this.timeout(60_000);
  let server: ServerHandleOf<'prosody'>;
  let bundleDir: string;
  let saslprepChunk: string;
  let web: StaticServer;
  let chromium: ChromiumHandle;
  const pages: Page[] = [];

  before(async function () {
    this.timeout(120_000);
    bundleDir = mkdtempSync(path.join(tmpdir(), 'xmpp-profile-browser-build-'));
    const script = await loadBuildScript();
    const { metafile } = await script.buildBrowser({ outdir: bundleDir, declarations: false });
    const chunks = outputsWithInput(metafile, /@mongodb-js\/saslprep\//);
    assert.equal(chunks.length, 1);
    saslprepChunk = `/browser/${path.relative(bundleDir, path.resolve(ROOT, chunks[0]!))}`;
    [server, web, chromium] = await Promise.all([
      useServer('prosody'),
      serveStatic({ pagesDir: path.join(ROOT, 'spec', 'browser', 'pages'), bundleDir }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await Promise.allSettled(pages.splice(0).map((page) => page.close()));
    await Promise.allSettled([chromium?.close(), web?.close()]);
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  /** A fresh tab on the test page, its errors collected; waits until the module has loaded. */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await chromium.newPage();
    pages.push(page);
    const errors = collectPageErrors(page);
    await page.goto(`${web.origin}/sdk.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 15_000 });
    return { page, errors };
  }

  for (const transport of ['WebSocket', 'BOSH'] as const) {
    it(`over ${transport}: register, connect, profiles with a picked image file, friends, logout`, async () => {
      const { page, errors } = await openPage();
      const exported = await inPage(page, null, (harness) => harness.exports);
      for (const name of ['createSDK', 'SDK', 'SdkError', 'XmppError']) assert.ok(exported.includes(name), `the build exports ${name}`);

      const options = {
        service: transport === 'BOSH' ? server.boshUrl : server.websocketUrl,
        domain: server.domain,
        apiBaseUrl: server.httpBase.replace(/\/$/, ''),
        requestTimeoutMs: 10_000,
      };
      for (const id of ['alice', 'bob']) {
        assert.deepEqual(await inPage(page, { id, options }, (harness, a) => harness.create(a.id, a.options)), { statusCode: 200, message: 'Success' });
      }

      // alice: register with AUTO_LOGIN; bob: register, then connect with the generated password.
      const aliceName = freshName(`alice_${transport.toLowerCase()}`);
      const registered = await call(page, 'alice', 'register', aliceName, true);
      assert.equal(registered.statusCode, 200, registered.message);
      const alice = registered.data as Registered;
      assert.equal(alice.username, aliceName);
      assert.equal(alice.userJid, `${aliceName}@${server.domain}`);
      assert.equal(alice.isSandbox, false);
      assert.ok(alice.password.length >= 22, 'a generated password of at least 128 bits');
      const bobRegistered = await call(page, 'bob', 'register', freshName(`bob_${transport.toLowerCase()}`));
      assert.equal(bobRegistered.statusCode, 200, bobRegistered.message);
      const bob = bobRegistered.data as Registered;
      assert.notEqual(bob.password, alice.password);
      assert.deepEqual(await call(page, 'bob', 'getFriendsList'), { statusCode: 500, message: 'Connection Error' });
      assert.deepEqual(await call(page, 'bob', 'connect', bob.username, bob.password), { statusCode: 200, message: 'Login Success' });
      assert.deepEqual(await call(page, 'bob', 'getCurrentUserJid'), { statusCode: 200, message: 'Success', userJid: bob.userJid });
      assert.deepEqual(await call(page, 'alice', 'getCurrentUserJid'), { statusCode: 200, message: 'Success', userJid: alice.userJid });

      // alice's profile, the image being a file picked in the page.
      await page.setInputFiles('#avatar-input', { name: 'avatar.png', mimeType: 'image/png', buffer: Buffer.from(PNG) });
      const { answer: set, file } = await inPage(page, null, (harness) => harness.setProfileWithPickedFile(
        'alice', 'Alice in Chromium', 'Hello over the browser', '+1 555 0100', 'alice@example.com'));
      assert.deepEqual(file, { name: 'avatar.png', type: 'image/png', size: PNG.byteLength });
      assert.equal(set.statusCode, 200, set.message);
      const stored = set.data as Profile;
      assert.match(stored.image, new RegExp(`^${server.httpBase.replace(/[.]/g, '\\.')}file_share/.+/avatar\\.png$`));
      const expected: Profile = {
        userId: alice.username, userJid: alice.userJid, nickName: 'Alice in Chromium', image: stored.image, thumbImage: stored.image,
        status: 'Hello over the browser', mobileNumber: '+1 555 0100', email: 'alice@example.com',
      };
      assert.deepEqual(stored, expected);
      // The URL serves exactly the picked bytes, to Node and to the page (a cross-origin GET).
      const response = await fetch(stored.image);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.deepEqual(new Uint8Array(await response.arrayBuffer()), PNG);
      const fetched = await inPage(page, stored.image, (harness, url) => harness.fetchBytes(url));
      assert.deepEqual({ ...fetched, bytes: Uint8Array.from(fetched.bytes) }, { status: 200, type: 'image/png', bytes: PNG });
      assert.deepEqual(await call(page, 'alice', 'getUserProfile', alice.userJid), { statusCode: 200, message: 'Success', data: expected });
      assert.deepEqual((await inPage(page, null, (harness) => harness.events('alice'))).profiles.at(-1), expected);

      // Friends: each asks the other; then both see a mutual subscription with the other's profile.
      assert.deepEqual(await call(page, 'bob', 'setUserProfile', 'Bob in Chromium', '', 'Busy', '', 'bob@example.com'),
        { statusCode: 200, message: 'Success', data: { userId: bob.username, userJid: bob.userJid, nickName: 'Bob in Chromium', image: '', thumbImage: '', status: 'Busy', mobileNumber: '', email: 'bob@example.com' } });
      assert.deepEqual(await call(page, 'alice', 'addFriend', bob.userJid, 'Bob'), { statusCode: 200, message: 'Success' });
      assert.deepEqual(await call(page, 'bob', 'addFriend', alice.userJid, 'Alice'), { statusCode: 200, message: 'Success' });
      const lists: Record<string, readonly User[]> = {};
      for (const [id, other] of [['alice', bob], ['bob', alice]] as const) {
        await until(async () => {
          const answer = await call(page, id, 'getFriendsList');
          assert.equal(answer.statusCode, 200, answer.message);
          lists[id] = answer.data as User[];
          return lists[id]!.some((user) => user.userJid === other.userJid && user.isFriend && user.nickName !== '');
        }, 10_000, `${id} to see ${other.userJid} as a friend with a profile`, () => lists[id]);
      }
      assert.deepEqual(lists.alice, [{
        userId: bob.username, userJid: bob.userJid, nickName: 'Bob in Chromium', image: '', thumbImage: '', status: 'Busy', mobileNumber: '',
        email: 'bob@example.com', name: 'Bob', subscription: 'both', groups: [], isFriend: true,
      }]);
      assert.deepEqual(lists.bob, [{ ...expected, name: 'Alice', subscription: 'both', groups: [], isFriend: true }]);
      const heard = await inPage(page, null, (harness) => harness.events('alice').friends);
      assert.ok(heard.some((payload) => JSON.stringify(payload) === JSON.stringify(lists.alice)), 'friendsListListener got the same list');
      assert.deepEqual(await call(page, 'bob', 'getUserProfile', alice.userJid), { statusCode: 200, message: 'Success', data: expected });

      // What the page shows: alice's picked image loaded from the upload service, both friends lists.
      assert.deepEqual(await inPage(page, { profile: expected, friends: lists.alice }, (harness, a) => harness.render('alice', a.profile, a.friends)),
        { width: 2, height: 2 });
      assert.equal(await inPage(page, { profile: lists.alice![0]!, friends: lists.bob }, (harness, a) => harness.render('bob', a.profile, a.friends)), null);
      const shot = await saveScreenshot(page, `browser-sdk-${transport.toLowerCase()}`);
      assert.deepEqual([...readFileSync(shot).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(statSync(shot).size > 5000, 'a screenshot with content');

      for (const id of ['alice', 'bob']) {
        assert.deepEqual(await call(page, id, 'logout'), { statusCode: 200, message: 'Logout Success' });
        assert.deepEqual((await inPage(page, id, (harness, who) => harness.events(who))).connection.map((event) => event.status), ['CONNECTED', 'DISCONNECTED']);
        assert.deepEqual(await call(page, id, 'getFriendsList'), { statusCode: 500, message: 'Connection Error' });
      }
      assert.deepEqual(errors, []);
      assert.ok(!web.requests.includes(saslprepChunk), 'ASCII credentials do not load SASLprep');
    });
  }

  it('logs in with a non-ASCII password, loading the SASLprep chunk only then', async () => {
    const { page, errors } = await openPage();
    const username = freshName('saslprep');
    const password = `Pässwörd ünïcödé ${username}`;
    await registerUser(server, username, password);
    const options = { service: server.websocketUrl, domain: server.domain, requestTimeoutMs: 10_000 };
    assert.deepEqual(await inPage(page, options, (harness, o) => harness.create('carol', o)), { statusCode: 200, message: 'Success' });
    assert.ok(!web.requests.includes(saslprepChunk), 'not loaded at start');
    const wrong = await call(page, 'carol', 'connect', username, `${password}!`);
    assert.equal(wrong.rejected, true);
    assert.equal(wrong.statusCode, 401, wrong.message);
    assert.ok(web.requests.includes(saslprepChunk), 'loaded for a non-ASCII password');
    assert.deepEqual(await call(page, 'carol', 'connect', username, password), { statusCode: 200, message: 'Login Success' });
    assert.deepEqual(await call(page, 'carol', 'getCurrentUserJid'), { statusCode: 200, message: 'Success', userJid: `${username}@${server.domain}` });
    assert.deepEqual(await call(page, 'carol', 'logout'), { statusCode: 200, message: 'Logout Success' });
    assert.deepEqual(errors, []);
  });
});
