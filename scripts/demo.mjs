// `npm run demo`: starts a local Prosody with the project's modules and walks two users, Alice and
// Bob, through every profile method of the SDK, printing each call, its answer and the listeners'
// events. Stops what it started, also on Ctrl-C. Plain JavaScript over the built library (dist/).
//
// Options: --bosh (talk BOSH instead of WebSocket), --quiet (answers on one line each).
// The server's ports are shifted by XMPP_PROFILE_PORT_OFFSET (default here 700), so the demo runs
// beside a test run.

process.env.XMPP_PROFILE_PORT_OFFSET ??= '700';

const { startServer, stopAllServers } = await import('./servers.mjs');
const { createSDK } = await import('../dist/node.js');
const { createSignalServer } = await import('../dist/signal-server/index.js');

const useBosh = process.argv.includes('--bosh');
const quiet = process.argv.includes('--quiet');
const TOTAL_STEPS = 40;
let step = 0;
const started = Date.now();

const out = (text) => process.stdout.write(`${text}\n`);
const dim = (text) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** Shows an answer readably; long strings (passwords, tokens, data: URLs) are shortened. */
function show(value) {
  const text = JSON.stringify(value, (key, v) => {
    if (typeof v === 'string' && (key === 'password' || key === 'userToken')) return `${v.slice(0, 6)}… (${v.length} chars)`;
    if (typeof v === 'string' && key === 'terminal') return `(the QR code, ${v.split('\n').length - 1} lines: printed below)`;
    if (typeof v === 'string' && v.length > 90) return `${v.slice(0, 87)}…`;
    return v;
  }, quiet ? 0 : 2);
  return text.split('\n').map((line) => `      ${line}`).join('\n');
}

/** Runs one call, printing it and its answer with the step number and the time it took. */
async function call(who, label, run) {
  step += 1;
  out(`\n${bold(`[${String(step).padStart(2)}/${TOTAL_STEPS}]`)} ${who}.${label}`);
  const t0 = performance.now();
  let answer;
  try {
    answer = await run();
  } catch (error) {
    answer = { rejected: `${error.name}`, statusCode: error.statusCode, message: error.message };
  }
  out(`${show(answer)}\n      ${dim(`${(performance.now() - t0).toFixed(1)} ms`)}`);
  return answer;
}

function listenersOf(who) {
  const log = (name) => (payload) => out(dim(`      ↳ ${who}'s ${name}: ${JSON.stringify(payload, (k, v) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 57)}…` : v))}`));
  return {
    connectionListener: log('connectionListener'),
    friendsListListener: (users) => out(dim(`      ↳ ${who}'s friendsListListener: ${users.length} contact(s): ${users.map((u) => `${u.userJid} (${u.subscription})`).join(', ')}`)),
    userProfileListener: log('userProfileListener'),
    blockUserListener: log('blockUserListener'),
  };
}

/** Waits until `check()` is true (the server's pushes are asynchronous), at most `ms`. */
async function until(check, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** A 2x2 PNG (red, green, blue, white), made here so the demo needs no file. */
function tinyPng() {
  return Uint8Array.from(Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64'));
}

let server;
let relay;
let alice;
let bob;
let laptop;
const stop = async () => {
  await Promise.allSettled([alice?.logout(), bob?.logout(), laptop?.logout()]);
  await relay?.close();
  await stopAllServers();
};
process.on('SIGINT', () => {
  void stop().finally(() => process.exit(130));
});

try {
  out(bold('xmpp-profile demo') + dim(` — every profile method against a local Prosody (${useBosh ? 'BOSH' : 'WebSocket'})`));
  out(dim('starting Prosody with the project\'s modules (server/prosody/modules)...'));
  server = await startServer('prosody', { log: (line) => out(dim(`  ${line}`)) });
  const service = useBosh ? server.boshUrl : server.websocketUrl;
  const options = (who) => ({
    service,
    domain: server.domain,
    sandboxDomain: server.sandboxDomain,
    apiBaseUrl: server.httpBase.replace(/\/$/, ''),
    callbackListeners: listenersOf(who),
  });

  alice = createSDK();
  bob = createSDK();
  await call('alice', 'initializeSDK({ service, domain, apiBaseUrl, callbackListeners })', () => alice.initializeSDK(options('alice')));
  await call('bob', 'initializeSDK(...)', () => bob.initializeSDK(options('bob')));

  const suffix = Date.now().toString(36).slice(-5);
  const aliceReg = await call('alice', `register('Alice ${suffix}', true)  // AUTO_LOGIN`, () => alice.register(`Alice ${suffix}`, true));
  const bobReg = await call('bob', `register('bob_${suffix}')`, () => bob.register(`bob_${suffix}`));
  await call('bob', `connect('${bobReg.data.username}', password)`, () => bob.connect(bobReg.data.username, bobReg.data.password));
  const aliceJid = (await call('alice', 'getCurrentUserJid()', () => alice.getCurrentUserJid())).userJid;
  const bobJid = bob.getCurrentUserJid().userJid;

  await call('alice', `addFriend('${bobJid}', 'Bob')  // roster + subscribe + pre-approval (an addition to the contract)`, () => alice.addFriend(bobJid, 'Bob'));
  await call('bob', `addFriend('${aliceJid}', 'Alice')`, () => bob.addFriend(aliceJid, 'Alice'));
  await until(async () => (await alice.getFriendsList()).data?.[0]?.subscription === 'both');

  await call('alice', "setUserProfile('Alice', <PNG bytes>, 'Hello from the demo', '+1 555 0100', 'alice@example.com')  // image uploaded (XEP-0363)",
    () => alice.setUserProfile('Alice', tinyPng(), 'Hello from the demo', '+1 555 0100', 'alice@example.com'));
  const aliceProfile = await call('bob', `getUserProfile('${aliceJid}')`, () => bob.getUserProfile(aliceJid));
  await call('demo', `fetch(${aliceProfile.data?.image ? 'the stored image URL' : '(no URL)'})  // the uploaded bytes, served over HTTP`, async () => {
    const response = await fetch(aliceProfile.data.image);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { httpStatus: response.status, contentType: response.headers.get('content-type'), bytes: bytes.length, sameBytes: Buffer.from(bytes).equals(Buffer.from(tinyPng())) };
  });
  await call('bob', "setUserProfile('Bob', 'https://example.com/bob.png', 'Busy', '', '')  // Alice is pushed the change",
    () => bob.setUserProfile('Bob', 'https://example.com/bob.png', 'Busy', '', ''));
  await until(async () => true, 300);
  await call('alice', 'getFriendsList()', () => alice.getFriendsList());
  await call('bob', 'getFriendsList()', () => bob.getFriendsList());
  await call('alice', `getLastSeen('${bobJid}')  // Bob is online: 0`, () => alice.getLastSeen(bobJid));

  await call('bob', 'logout()', () => bob.logout());
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await call('alice', `getLastSeen('${bobJid}')  // Bob logged out about a second ago`, () => alice.getLastSeen(bobJid));
  await call('bob', `connect('${bobReg.data.username}', password)`, () => bob.connect(bobReg.data.username, bobReg.data.password));

  await call('alice', `blockUser('${bobJid}')`, () => alice.blockUser(bobJid));
  await call('alice', 'getUsersIBlocked()', () => alice.getUsersIBlocked());
  await call('bob', 'getUsersWhoBlockedMe()  // answered by the project\'s Prosody module', () => bob.getUsersWhoBlockedMe());
  await call('alice', `unblockUser('${bobJid}')`, () => alice.unblockUser(bobJid));
  await call('bob', 'getUsersWhoBlockedMe()', () => bob.getUsersWhoBlockedMe());

  const token = await call('bob', `getUserToken('${bobReg.data.username}', password)  // OAuth 2.0 password grant`, () => bob.getUserToken(bobReg.data.username, bobReg.data.password));
  await call('bob', 'logout()', () => bob.logout());
  await call('bob', 'setUserToken(token)', () => bob.setUserToken(token.userToken));
  await call('bob', `connect('${bobReg.data.username}')  // no password: token login (SASL OAUTHBEARER)`, () => bob.connect(bobReg.data.username));
  await call('bob', 'getCurrentUserJid()', () => bob.getCurrentUserJid());

  out(`\n${bold('QR login')} ${dim('— a new device shows a code; Alice, logged in, approves it; her credentials reach it sealed (ECDH + AES-GCM)')}`);
  relay = await createSignalServer({ host: '127.0.0.1', port: 0 });
  out(dim(`  QR signal relay at ${relay.url} (also a CLI: xmpp-profile-signal --port N)`));
  laptop = createSDK();
  await call('laptop', 'initializeSDK(...)', () => laptop.initializeSDK(options('laptop')));
  let qrAnswer;
  const scanned = new Promise((resolve) => {
    qrAnswer = resolve;
  });
  const shown = await call('laptop', `generateQrCode(null, null, '${relay.url}', callback)  // no DOM in Node: the payload and a terminal rendering`,
    () => laptop.generateQrCode(null, null, relay.url, (answer) => qrAnswer(answer)));
  if (shown.terminal) out(shown.terminal.split('\n').map((line) => `      ${line}`).join('\n'));
  await call('alice', 'approveQrLogin(payload)  // what her phone would have scanned', () => alice.approveQrLogin(shown.payload));
  await call('laptop', 'callback(...)  // the sealed credentials opened, connect done', () => scanned);
  await call('laptop', 'getCurrentUserJid()  // the laptop is Alice now', () => laptop.getCurrentUserJid());
  await call('alice', 'approveQrLogin(payload)  // the same code again: used', () => alice.approveQrLogin(shown.payload));
  await call('laptop', 'logout()', () => laptop.logout());

  out(`\n${bold('What errors look like')}`);
  await call('alice', "getUserProfile('not a jid@')  // 400 names the parameter", () => alice.getUserProfile('not a jid@'));
  await call('alice', `getUserProfile('nobody_${suffix}@${server.domain}')  // no such profile`, () => alice.getUserProfile(`nobody_${suffix}@${server.domain}`));
  const eve = createSDK();
  await eve.initializeSDK(options('eve'));
  await call('eve', `connect('${bobReg.data.username}', 'wrong password')  // connect rejects with SdkError`, () => eve.connect(bobReg.data.username, 'wrong password'));

  await call('alice', 'logout()', () => alice.logout());
  await call('bob', 'logout()', () => bob.logout());
  out(`\n${bold('done')} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${step} calls.`);
} catch (error) {
  process.exitCode = 1;
  out(`\ndemo failed: ${error?.stack ?? error}`);
} finally {
  out(dim('stopping Prosody...'));
  await stop();
}
