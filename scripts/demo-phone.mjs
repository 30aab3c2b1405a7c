// `npm run demo:phone [payload]`: the "phone" of the web demo (`npm run demo:web`). Logs in as the
// demo's Alice and approves the QR code the page shows: the payload given as the argument, else the
// one the demo page reports to its server (the demo's stand-in for a camera).
import process from 'node:process';

process.env.XMPP_PROFILE_PORT_OFFSET ??= '700';
const offset = Number(process.env.XMPP_PROFILE_PORT_OFFSET);
const portFlag = process.argv.indexOf('--port');
const base = `http://127.0.0.1:${portFlag > 0 ? Number(process.argv[portFlag + 1]) : 8080 + offset}`;
const out = (text) => process.stdout.write(`${text}\n`);

const { createSDK } = await import('../dist/node.js');
let config;
try {
  config = await (await fetch(`${base}/demo.json`)).json();
} catch {
  out(`The web demo does not answer at ${base}: start it first with "npm run demo:web".`);
  process.exit(1);
}
const given = process.argv.slice(2).find((arg) => arg.startsWith('{'));
const payload = given ?? (await (await fetch(`${base}/qr`)).text());
if (!payload.startsWith('{')) {
  out('No QR code yet: open the demo page first.');
  process.exit(1);
}
const phone = createSDK();
await phone.initializeSDK({ service: config.websocketUrl, domain: config.domain });
await phone.connect(config.phone.username, config.phone.password);
out(`phone: logged in as ${phone.getCurrentUserJid().userJid}`);
const answer = await phone.approveQrLogin(payload);
out(`phone: approveQrLogin → ${JSON.stringify(answer)}`);
await phone.logout();
process.exit(answer.statusCode === 200 ? 0 : 1);
