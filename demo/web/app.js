// The web demo of xmpp-profile (`npm run demo:web`): QR login, then the profile (name, picture,
// status), the friends list with block/unblock buttons, and log out, all through the browser build.
// The page's state is on <body data-state> ('loading', 'qr', 'online', 'error', 'logged-out') and every
// call's answer is listed under "Calls" (also in `window.demo.calls`), so that the page can be driven
// and checked from outside.
import { createSDK } from '/browser/xmpp-profile.js';

const $ = (id) => document.getElementById(id);
const config = await (await fetch('/demo.json')).json();
const transport = new URLSearchParams(location.search).get('transport') === 'bosh' ? 'bosh' : 'websocket';
const sdk = createSDK();
const calls = [];
let blocked = new Set();
window.demo = { sdk, calls, transport };

function setState(state, text) {
  document.body.dataset.state = state;
  $('status').textContent = text;
}

/** Runs one SDK call, lists it with its answer, and returns the answer. */
async function call(method, ...args) {
  let answer;
  try {
    answer = await sdk[method](...args);
  } catch (error) {
    answer = { statusCode: error.statusCode ?? 500, message: error.message };
  }
  calls.push({ method, answer });
  const item = document.createElement('li');
  item.dataset.method = method;
  item.dataset.statusCode = String(answer.statusCode);
  item.textContent = `${method} → ${answer.statusCode} ${answer.message}`;
  $('log').append(item);
  return answer;
}

function showProfile(profile) {
  $('profile-name').textContent = profile.nickName || '(no name)';
  $('profile-status').textContent = profile.status || '(no status)';
  if (profile.image) $('profile-image').src = profile.image;
  else $('profile-image').removeAttribute('src');
  $('profile-image').hidden = !profile.image;
  $('name-input').value = profile.nickName;
  $('status-input').value = profile.status;
}

async function loadProfile() {
  const me = sdk.getCurrentUserJid().userJid;
  $('me').textContent = me;
  const answer = await call('getUserProfile', me);
  showProfile(answer.statusCode === 200 ? answer.data : { nickName: '', status: '', image: '' });
}

async function loadFriends() {
  const [friends, iBlocked] = await Promise.all([call('getFriendsList'), call('getUsersIBlocked')]);
  blocked = new Set(iBlocked.statusCode === 200 ? iBlocked.data.map((user) => user.jid) : []);
  const list = $('friends');
  list.replaceChildren();
  for (const user of friends.statusCode === 200 ? friends.data : []) {
    const item = document.createElement('li');
    item.dataset.jid = user.userJid;
    item.classList.toggle('blocked', blocked.has(user.userJid));
    const picture = document.createElement('img');
    picture.alt = '';
    if (user.image) picture.src = user.image;
    const label = document.createElement('span');
    label.textContent = `${user.nickName || user.userId} (${user.status || 'no status'})`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'block-toggle';
    button.textContent = blocked.has(user.userJid) ? 'Unblock' : 'Block';
    button.addEventListener('click', async () => {
      await call(blocked.has(user.userJid) ? 'unblockUser' : 'blockUser', user.userJid);
      await loadFriends();
    });
    item.append(picture, label, button);
    list.append(item);
  }
  list.dataset.count = String(list.children.length);
}

async function online() {
  $('login').hidden = true;
  $('account').hidden = false;
  await loadProfile();
  await loadFriends();
  setState('online', `Logged in as ${sdk.getCurrentUserJid().userJid} over ${transport === 'bosh' ? 'BOSH' : 'WebSocket'}`);
}

$('profile-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = $('image-input').files[0];
  const answer = await call('setUserProfile', $('name-input').value, file ?? undefined, $('status-input').value);
  if (answer.statusCode === 200) showProfile(answer.data);
  $('profile-form').dataset.saved = String(answer.statusCode);
});

$('logout').addEventListener('click', async () => {
  await call('logout');
  setState('logged-out', 'Logged out: reload the page for a new QR code');
  $('account').hidden = true;
});

const init = await call('initializeSDK', {
  service: transport === 'bosh' ? config.boshUrl : config.websocketUrl,
  domain: config.domain,
  apiBaseUrl: config.apiBaseUrl,
  callbackListeners: {
    connectionListener: (event) => {
      if (event.status === 'RECONNECTING') setState('reconnecting', 'Reconnecting…');
    },
    userProfileListener: (profile) => {
      if (profile.userJid === sdk.getCurrentUserJid().userJid) showProfile(profile);
    },
  },
});
if (init.statusCode !== 200) {
  setState('error', `initializeSDK: ${init.message}`);
} else {
  const shown = await call('generateQrCode', 'qr', 'logo', config.relayUrl, async (answer) => {
    calls.push({ method: 'qrCallback', answer });
    if (answer.statusCode === 200) await online();
    else setState('error', `QR login: ${answer.statusCode} ${answer.message}`);
  }, {
    onQrCode: (code) => {
      $('qr-text').textContent = code.payload;
      // Demo only: the page tells its server which code it shows, so that `npm run demo:phone` can
      // approve it without a camera.
      fetch('/qr', { method: 'POST', body: code.payload }).catch(() => undefined);
    },
  });
  if (shown.statusCode === 200) setState('qr', 'Waiting for the QR code to be approved…');
  else setState('error', `generateQrCode: ${shown.statusCode} ${shown.message}`);
}
