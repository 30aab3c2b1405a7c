// This client's disco#info and caps (XEP-0115): the advertised hash verifies against the info it
// answers with, which asks for vCard4 notifications (XEP-0163 §4.3.3).

import { strict as assert } from 'node:assert';
import { Element } from 'ltx';
import { StanzaError } from '../../lib/errors.js';
import { answerOwnDiscoInfo, buildOwnPresence, CAPS_NODE, OWN_CAPS_VER } from '../../lib/profile/own-caps.js';
import { parseCaps, verifyCaps } from '../../lib/stanzas/caps.js';
import { parseDiscoInfo } from '../../lib/stanzas/disco.js';
import { parseIq } from '../../lib/stanzas/iq.js';
import { parseXml, serialize } from '../../lib/stanzas/xml.js';

const request = (node?: string) => parseIq(parseXml(
  `<iq type='get' id='d1' from='localhost'><query xmlns='http://jabber.org/protocol/disco#info'${node ? ` node='${node}'` : ''}/></iq>`));

describe('profile/own-caps', () => {
  it('advertises caps whose hash verifies against the disco#info it answers', () => {
    const caps = parseCaps(parseXml(serialize(buildOwnPresence())));
    assert.deepEqual(caps, { hash: 'sha-1', node: CAPS_NODE, ver: OWN_CAPS_VER });
    const answer = parseDiscoInfo(parseXml(serialize(answerOwnDiscoInfo(request(`${CAPS_NODE}#${OWN_CAPS_VER}`)))));
    assert.equal(answer.node, `${CAPS_NODE}#${OWN_CAPS_VER}`);
    assert.ok(verifyCaps(answer, caps.ver));
    assert.ok(answer.features.includes('urn:xmpp:vcard4+notify'));
    assert.deepEqual(parseDiscoInfo(answerOwnDiscoInfo(request()) as Element).features, answer.features);
  });

  it('answers item-not-found for another node', () => {
    assert.throws(() => answerOwnDiscoInfo(request('urn:other#x')), (error: StanzaError) => error.condition === 'item-not-found');
  });
});
