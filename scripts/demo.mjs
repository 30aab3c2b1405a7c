// `npm run demo`: the walk through every profile method comes with the profile SDK.
process.stdout.write('xmpp-profile demo: coming with the profile SDK (the stanza codecs and test servers are in place; run `npm test`).\n');
