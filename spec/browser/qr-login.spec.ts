// Real Chromium: the web demo page (demo/web, on the browser build) logs in by QR code against the test
// Prosody, over WebSocket and then over BOSH. The code drawn on the canvas is decoded from its pixels
// (with the logo in the middle) and must say what `data-qr-payload` says; a Node "phone" approves it;
// the page ends logged in and then, through its own controls, shows the profile and friends list, saves
// a profile with a picture picked in the page (the uploaded bytes are read back over HTTP), blocks and
// unblocks the friend, and logs out. Screenshots go to test-output/.

import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { createSDK, type ProfileSDK } from '../../lib/node.js';
import { createSignalServer, type SignalServer } from '../../lib/signal-server/index.js';
import { prepareDemoUsers, startDemoWeb, type DemoUsers, type DemoWeb } from '../../scripts/demo-web.mjs';
import { collectPageErrors, launchChromium, saveScreenshot, type ChromiumHandle } from '../support/chromium.js';
import { freshName } from '../support/accounts.js';
import { useServer, type ServerHandle } from '../support/servers.js';

/** The QR decoder (a CommonJS module whose default export is the function). */
type Decoder = (pixels: Uint8ClampedArray, width: number, height: number) => { readonly data: string } | null;
const jsqrModule = createRequire(import.meta.url)('jsqr') as Decoder & { readonly default?: Decoder };
const jsQR: Decoder = jsqrModule.default ?? jsqrModule;

/** A PNG of 1x1 pixel, picked in the page as the new picture. */
const PICTURE = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==', 'base64');

describe('QR login in real Chromium (the web demo page)', function () {
  this.timeout(60_000);
  let server: ServerHandle;
  let relay: SignalServer;
  let web: DemoWeb;
  let chromium: ChromiumHandle;
  let users: DemoUsers;

  before(async function () {
    this.timeout(120_000);
    server = await useServer('prosody');
    relay = await createSignalServer();
    const suffix = freshName('d');
    users = {
      phone: { username: `${suffix}-alice`, password: 'alice-password-1', name: 'Alice', status: 'On my phone' },
      friend: { username: `${suffix}-bob`, password: 'bob-password-1', name: 'Bob', status: 'Hello from Bob' },
    };
    await prepareDemoUsers(server, users);
    web = await startDemoWeb({ server, relayUrl: relay.url, users });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await web?.close();
    await relay?.close();
  });

  for (const transport of ['websocket', 'bosh'] as const) {
    it(`logs in by QR code over ${transport === 'bosh' ? 'BOSH' : 'WebSocket'}, then uses the profile, friends and block controls`, async () => {
      const page = await chromium.newPage();
      const errors = collectPageErrors(page);
      const phone: ProfileSDK = createSDK();
      try {
        await page.goto(`${web.url}?transport=${transport}`);
        await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 15_000 });
        assert.equal(await state(page), 'qr', await page.textContent('#status') ?? '');

        // What the canvas shows, decoded from its pixels, is the payload the page exposes.
        const exposed = await page.getAttribute('#qr', 'data-qr-payload');
        assert.ok(exposed);
        assert.equal(await decodeCanvas(page), exposed);
        assert.equal(web.currentPayload(), exposed);
        await saveScreenshot(page, `qr-login-${transport}-code`);

        // The phone: logged in as the same user elsewhere, approves what it scanned.
        const jid = `${users.phone.username}@${server.domain}`;
        assert.equal((await phone.initializeSDK({ service: server.websocketUrl, domain: server.domain })).statusCode, 200);
        await phone.connect(users.phone.username, users.phone.password);
        assert.deepEqual(await phone.approveQrLogin(exposed), { statusCode: 200, message: 'Success' });

        await page.waitForFunction(() => document.body.dataset.state === 'online', null, { timeout: 15_000 });
        const calls = await page.evaluate(() => (window as unknown as { demo: { calls: { method: string; answer: Record<string, unknown> }[] } }).demo.calls);
        const callback = calls.find((entry) => entry.method === 'qrCallback');
        assert.deepEqual(callback?.answer, { statusCode: 200, message: 'Login Success', username: users.phone.username, password: users.phone.password });
        assert.equal(await page.textContent('#status'), `Logged in as ${jid} over ${transport === 'bosh' ? 'BOSH' : 'WebSocket'}`);
        assert.equal(await page.evaluate(() => (window as unknown as { demo: { sdk: { getCurrentUserJid(): { userJid: string } } } }).demo.sdk.getCurrentUserJid().userJid), jid);

        // The profile and the friends list, as the page shows them.
        assert.equal(await page.textContent('#profile-name'), (await phone.getUserProfile(jid)).data?.nickName);
        const friendJid = `${users.friend.username}@${server.domain}`;
        const friend = page.locator(`#friends li[data-jid="${friendJid}"]`);
        assert.equal(await page.locator('#friends li').count(), 1);
        assert.match(await friend.textContent() ?? '', new RegExp(`${users.friend.name} \\(${users.friend.status}\\)`));
        const friendPicture = await friend.locator('img').getAttribute('src');
        assert.match(friendPicture ?? '', /^http:\/\/127\.0\.0\.1:\d+\//, 'the friend\'s uploaded picture');

        // A new name and a picture picked in the page.
        const name = `Alice ${transport}`;
        await page.fill('#name-input', name);
        await page.setInputFiles('#image-input', { name: 'me.png', mimeType: 'image/png', buffer: PICTURE });
        await page.click('#save-profile');
        await page.waitForSelector('#profile-form[data-saved]', { timeout: 15_000 });
        assert.equal(await page.getAttribute('#profile-form', 'data-saved'), '200');
        assert.equal(await page.textContent('#profile-name'), name);
        const stored = await phone.getUserProfile(jid);
        assert.equal(stored.statusCode, 200);
        assert.equal(stored.data?.nickName, name);
        assert.equal(await page.getAttribute('#profile-image', 'src'), stored.data?.image);
        const served = await fetch(stored.data!.image);
        assert.equal(served.status, 200);
        assert.deepEqual(Buffer.from(await served.arrayBuffer()), PICTURE);

        // Block and unblock the friend with the page's button; the server's list agrees each time.
        await friend.locator('button.block-toggle').click();
        await page.waitForSelector(`#friends li.blocked[data-jid="${friendJid}"]`, { timeout: 15_000 });
        assert.deepEqual((await phone.getUsersIBlocked()).data?.map((user) => user.jid), [friendJid]);
        await saveScreenshot(page, `qr-login-${transport}-online`);
        await page.locator(`#friends li[data-jid="${friendJid}"] button.block-toggle`).click();
        await page.waitForSelector(`#friends li[data-jid="${friendJid}"]:not(.blocked)`, { timeout: 15_000 });
        assert.deepEqual((await phone.getUsersIBlocked()).data, []);

        await page.click('#logout');
        await page.waitForFunction(() => document.body.dataset.state === 'logged-out', null, { timeout: 15_000 });
        assert.deepEqual(errors, []);
      } finally {
        await phone.logout();
        await page.close();
      }
    });
  }
});

function state(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.body.dataset.state);
}

/** Reads the QR canvas's pixels and decodes them as a scanner would. */
async function decodeCanvas(page: Page): Promise<string | undefined> {
  const image = await page.evaluate(() => {
    const canvas = document.getElementById('qr') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return { width: data.width, height: data.height, pixels: Array.from(data.data) };
  });
  return jsQR(Uint8ClampedArray.from(image.pixels), image.width, image.height)?.data;
}
