import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { parseDiscoInfo } from '../../lib/stanzas/disco.js';
import { NS_DATA, NS_DISCO_INFO, NS_UPLOAD } from '../../lib/stanzas/ns.js';
import {
  buildUploadSlot, buildUploadSlotRequest, parseFileTooLarge, parseUploadMaxSize, parseUploadSlot, parseUploadSlotRequest,
  type UploadHeaderName, type UploadSlot, type UploadSlotRequest,
} from '../../lib/stanzas/upload.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { jidDomain, stanzaId, xmlText, xmlTextNonEmpty } from '../support/arbitraries.js';
import { realStanza } from '../support/fixtures.js';
import { fuzzParser, throughText } from '../support/fuzz.js';
import { assertXmlEqual } from '../support/xml-assert.js';

// XEP-0363 §3, 'Upload service replies to service discovery request and reports a maximum file size of 5MiB'.
const XEP_DISCO_INFO = `<iq from='upload.montague.tld' id='step_02' to='romeo@montague.tld/garden' type='result'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity category='store'
              type='file'
              name='HTTP File Upload' />
    <feature var='urn:xmpp:http:upload:0' />
    <x type='result' xmlns='jabber:x:data'>
      <field var='FORM_TYPE' type='hidden'>
        <value>urn:xmpp:http:upload:0</value>
      </field>
      <field var='max-file-size'>
        <value>5242880</value>
      </field>
    </x>
  </query>
</iq>`;

// XEP-0363 §4, 'Client requests a slot on the upload service' (without the 'from' a client does not write).
const XEP_REQUEST = `<iq xmlns='jabber:client' id='step_03' to='upload.montague.tld' type='get'>
  <request xmlns='urn:xmpp:http:upload:0'
    filename='très cool.jpg'
    size='23456'
    content-type='image/jpeg' />
</iq>`;

// XEP-0363 §4, 'The upload service responds with a slot'.
const XEP_SLOT = `<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='result'>
  <slot xmlns='urn:xmpp:http:upload:0'>
    <put url='https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg'>
      <header name='Authorization'>Basic Base64String==</header>
      <header name='Cookie'>foo=bar; user=romeo</header>
    </put>
    <get url='https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg' />
  </slot>
</iq>`;

// XEP-0363 §5, 'Alternative response by the upload service if the file size was too large'.
const XEP_TOO_LARGE = `<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='error'>
  <request xmlns='urn:xmpp:http:upload:0'
    filename='très cool.jpg'
    size='23456'
    content-type='image/jpeg' />
  <error type='modify'>
    <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' />
    <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>File too large. The maximum file size is 20000 bytes</text>
    <file-too-large xmlns='urn:xmpp:http:upload:0'>
      <max-file-size>20000</max-file-size>
    </file-too-large>
  </error>
</iq>`;

// XEP-0363 §5, 'Alternative response ... to indicate a temporary error after the client exceeded a quota'.
const XEP_QUOTA = `<iq from='upload.montague.tld' id='step_03' to='romeo@montague.tld/garden' type='error'>
  <request xmlns='urn:xmpp:http:upload:0'
    filename='très cool.jpg'
    size='23456'
    content-type='image/jpeg' />
  <error type='wait'>
    <resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' />
    <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Quota reached. You can only upload 5 files in 5 minutes</text>
    <retry xmlns='urn:xmpp:http:upload:0'
      stamp='2017-12-03T23:42:05Z' />
  </error>
</iq>`;

const XEP_PUT_URL = 'https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg';
const XEP_GET_URL = 'https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg';

const slotXml = (put: string, get = "<get url='https://a.example/f'/>"): string => `<slot xmlns='${NS_UPLOAD}'>${put}${get}</slot>`;

describe('stanzas/upload (XEP-0363)', () => {
  describe('golden fixtures', () => {
    it('reads the maximum size from the XEP-0363 §3 disco#info (5 MiB)', () => {
      assert.equal(parseUploadMaxSize(parseXml(XEP_DISCO_INFO)), 5242880);
      assert.equal(parseUploadMaxSize(parseDiscoInfo(parseXml(XEP_DISCO_INFO))), 5242880);
    });

    it("reads the servers' upload service disco#info: 10 MiB (ejabberd: the :0 form among three)", () => {
      for (const server of ['prosody', 'ejabberd'] as const) {
        const iq = realStanza('upload service disco#info', server);
        assert.equal(parseUploadMaxSize(iq), 10485760, server);
        assert.equal(parseUploadMaxSize(parseDiscoInfo(iq)), 10485760, server);
      }
    });

    it('says undefined for a service without a limit, and refuses a limit that is not a size', () => {
      assert.equal(parseUploadMaxSize(parseXml(`<query xmlns='${NS_DISCO_INFO}'><feature var='${NS_UPLOAD}'/></query>`)), undefined);
      assert.equal(parseUploadMaxSize(realStanza('disco#info server', 'ejabberd')), undefined);
      // Only the urn:xmpp:http:upload:0 form counts.
      const legacy = XEP_DISCO_INFO.replace('<value>urn:xmpp:http:upload:0</value>', '<value>urn:xmpp:http:upload</value>');
      assert.equal(parseUploadMaxSize(parseXml(legacy)), undefined);
      for (const bad of ['-1', '5.5', 'ten', '', '99999999999999999']) {
        assert.throws(() => parseUploadMaxSize(parseXml(XEP_DISCO_INFO.replace('5242880', bad))),
          (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE', bad);
      }
    });

    it('builds the XEP-0363 §4 slot request and reads it back', () => {
      const request: UploadSlotRequest = { filename: 'très cool.jpg', size: 23456, contentType: 'image/jpeg' };
      const iq = buildUploadSlotRequest('step_03', 'upload.montague.tld', request);
      assertXmlEqual(iq, XEP_REQUEST);
      assert.deepEqual(parseUploadSlotRequest(iq), request);
      assert.deepEqual(parseUploadSlotRequest(parseXml(XEP_REQUEST)), request);
    });

    it('reads the request ejabberd echoes in its error', () => {
      const request = realStanza('upload slot too large (50 MiB)', 'ejabberd').getChild('request', NS_UPLOAD);
      assert.ok(request);
      assert.deepEqual(parseUploadSlotRequest(request), { filename: 'big.bin', size: 52428800, contentType: 'application/octet-stream' });
    });

    it('refuses to build a request without filename or with a size that is not a non-negative integer', () => {
      for (const request of [{ filename: '', size: 1 }, { filename: 'a', size: -1 }, { filename: 'a', size: 1.5 }, { filename: 'a', size: Number.NaN }, { filename: 'a', size: 2 ** 53 }]) {
        assert.throws(() => buildUploadSlotRequest('r1', 'upload.example', request),
          (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE', JSON.stringify(request));
      }
      assert.throws(() => parseUploadSlotRequest(parseXml(`<request xmlns='${NS_UPLOAD}' size='1'/>`)),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART');
      assert.throws(() => parseUploadSlotRequest(parseXml(`<request xmlns='${NS_UPLOAD}' filename='' size='1'/>`)),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE');
    });

    it('reads the XEP-0363 §4 slot and builds it back', () => {
      const iq = parseXml(XEP_SLOT);
      const slot = parseUploadSlot(iq);
      assert.deepEqual(slot, {
        put: { url: XEP_PUT_URL, headers: [{ name: 'Authorization', value: 'Basic Base64String==' }, { name: 'Cookie', value: 'foo=bar; user=romeo' }] },
        get: { url: XEP_GET_URL },
      });
      assertXmlEqual(buildUploadSlot(slot), iq.getChild('slot', NS_UPLOAD)!);
    });

    it("reads Prosody's slot (with an Authorization header) and ejabberd's (without)", () => {
      const prosody = parseUploadSlot(realStanza('upload slot', 'prosody'));
      const prosodyUrl = 'http://127.0.0.1:15280/file_share/OFbMlKesjC0ghUc1LoDR5pU0/hello.txt';
      assert.deepEqual(prosody.get, { url: prosodyUrl });
      assert.equal(prosody.put.url, prosodyUrl);
      assert.equal(prosody.put.headers.length, 1);
      assert.equal(prosody.put.headers[0]!.name, 'Authorization');
      assert.match(prosody.put.headers[0]!.value, /^Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.[\w-]+\.[\w-]+$/);
      const ejabberdUrl = 'http://127.0.0.1:25280/upload/localhost/356c1bb37a05b1f4cda8e51dd113677709af2586/EkWkP5WT1qXtG7OJ2tvOXWO9YMcwWFPnA0geszNG/hello.txt';
      assert.deepEqual(parseUploadSlot(realStanza('upload slot', 'ejabberd')), { put: { url: ejabberdUrl, headers: [] }, get: { url: ejabberdUrl } });
    });

    it('keeps only Authorization, Cookie and Expires (any case), in order, repeated ones too', () => {
      const slot = parseUploadSlot(parseXml(slotXml(`<put url='https://a.example/f'><header name='Host'>montague.tld</header><header name='cookie'>a=1</header>`
        + "<header name='Content-Type'>x</header><header>nameless</header><header name='EXPIRES'>Thu, 01 Jan 2026 00:00:00 GMT</header>"
        + "<header name='Cookie'>b=2</header><header name='X-Evil'>a\nb</header></put>")));
      assert.deepEqual(slot.put.headers, [
        { name: 'Cookie', value: 'a=1' }, { name: 'Expires', value: 'Thu, 01 Jan 2026 00:00:00 GMT' }, { name: 'Cookie', value: 'b=2' },
      ]);
    });

    it('refuses a kept header value with a line break, and urls that are not absolute http(s)', () => {
      const invalid = (e: unknown): boolean => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE';
      for (const value of ['a\nb', 'a&#13;b', 'a&#10;']) {
        assert.throws(() => parseUploadSlot(parseXml(slotXml(`<put url='https://a.example/f'><header name='Authorization'>${value}</header></put>`))), invalid, value);
      }
      for (const url of ['/relative/path', 'ftp://a.example/f', 'javascript:alert(1)', 'https://', 'data:text/plain,x', '']) {
        assert.throws(() => parseUploadSlot(parseXml(slotXml(`<put url='${url}'/>`))), invalid, url);
        assert.throws(() => parseUploadSlot(parseXml(slotXml("<put url='https://a.example/f'/>", `<get url='${url}'/>`))), invalid, url);
      }
      assert.deepEqual(parseUploadSlot(parseXml(slotXml("<put url='HTTPS://A.example/f'/>"))).put, { url: 'HTTPS://A.example/f', headers: [] });
    });

    it('accepts exactly the http(s) urls the URL class accepts', () => {
      const host = fc.array(fc.constantFrom('a', 'Z', '0', '9', '1', '25', '256', '-', '.', '..', 'xn--', 'x', '0x', '_', '[::1]', 'é', '%41', '@', ' '), { minLength: 0, maxLength: 8 }).map((p) => p.join(''));
      const port = fc.option(fc.oneof(fc.nat({ max: 70000 }).map(String), fc.constantFrom('', '00080', 'x')), { nil: undefined });
      const url = fc.tuple(fc.constantFrom('http://', 'https://', 'HTTP://', 'ftp://', 'http:/', ''), host, port, fc.constantFrom('', '/', '/a b?q#f', '?x', '#', '\\x'))
        .map(([scheme, h, p, rest]) => scheme + h + (p === undefined ? '' : ':' + p) + rest);
      fc.assert(fc.property(url, (u) => {
        const accepted = /^https?:\/\//i.test(u) && URL.canParse(u);
        let read = true;
        try {
          parseUploadSlot(parseXml(slotXml(`<put url='${u.replace(/&/g, '&amp;').replace(/'/g, '&apos;').replace(/</g, '&lt;')}'/>`)));
        } catch (e) {
          assert.ok(e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE');
          read = false;
        }
        assert.equal(read, accepted, u);
      }), { numRuns: 500 });
    });

    it('refuses a slot without put, get or url', () => {
      const missing = (e: unknown): boolean => e instanceof StanzaParseError && e.code === 'STANZA_MISSING_PART';
      for (const bad of [slotXml('', "<get url='https://a.example/f'/>"), slotXml("<put url='https://a.example/f'/>", ''), slotXml('<put/>'), slotXml("<put url='https://a.example/f'/>", '<get/>')]) {
        assert.throws(() => parseUploadSlot(parseXml(bad)), missing, bad);
      }
    });

    it('reads the maximum size of XEP-0363 §5 file-too-large (20000) and of both servers (10 MiB)', () => {
      const iq = parseXml(XEP_TOO_LARGE);
      assert.equal(parseFileTooLarge(iq), 20000);
      assert.equal(parseFileTooLarge(iq.getChild('error')!), 20000);
      assert.equal(parseFileTooLarge(iq.getChild('error')!.getChild('file-too-large', NS_UPLOAD)!), 20000);
      for (const server of ['prosody', 'ejabberd'] as const) {
        const answer = realStanza('upload slot too large (50 MiB)', server);
        assert.equal(parseFileTooLarge(answer), 10485760, server);
        assert.throws(() => parseUploadSlot(answer), (e: unknown) => e instanceof StanzaError && e.condition === 'not-acceptable'
          && e.type === 'modify' && e.applicationCondition === 'file-too-large');
      }
    });

    it('says undefined for other errors and results, throws the quota error as StanzaError', () => {
      assert.equal(parseFileTooLarge(parseXml(XEP_QUOTA)), undefined);
      assert.equal(parseFileTooLarge(realStanza('upload slot', 'prosody')), undefined);
      assert.equal(parseFileTooLarge(parseXml(`<error type='modify'><file-too-large xmlns='${NS_UPLOAD}'/></error>`)), undefined);
      assert.throws(() => parseUploadSlot(parseXml(XEP_QUOTA)), (e: unknown) => e instanceof StanzaError && e.condition === 'resource-constraint' && e.type === 'wait');
      assert.throws(() => parseFileTooLarge(parseXml(`<error><file-too-large xmlns='${NS_UPLOAD}'><max-file-size>big</max-file-size></file-too-large></error>`)),
        (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_INVALID_VALUE');
      assert.throws(() => parseFileTooLarge(parseXml('<message/>')), (e: unknown) => e instanceof StanzaParseError && e.code === 'STANZA_UNEXPECTED');
    });
  });

  describe('round trip', () => {
    const httpUrl = fc.oneof(
      fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
      fc.tuple(fc.constantFrom('http', 'https'), jidDomain, xmlText()).map(([scheme, host, path]) => `${scheme}://${host}/${path}`),
    ).filter((url) => URL.canParse(url)); // WHATWG refuses some generated hosts, e.g. '0a.0' (not IPv4, ends in a number)
    const header = fc.record({
      name: fc.constantFrom<UploadHeaderName>('Authorization', 'Cookie', 'Expires'),
      value: xmlText().map((v) => v.replace(/[\r\n]/g, ' ')),
    }, { noNullPrototype: true });
    const slot: fc.Arbitrary<UploadSlot> = fc.record({
      put: fc.record({ url: httpUrl, headers: fc.array(header, { maxLength: 4 }) }, { noNullPrototype: true }),
      get: fc.record({ url: httpUrl }, { noNullPrototype: true }),
    }, { noNullPrototype: true });

    it('parseUploadSlot(build(v)) deep-equals v, through text', () => {
      fc.assert(fc.property(slot, (v) => {
        assert.deepEqual(parseUploadSlot(throughText(buildUploadSlot(v))), v);
      }));
    });

    it('parseUploadSlotRequest(build(v)) deep-equals v, through text', () => {
      const request: fc.Arbitrary<UploadSlotRequest> = fc.record({
        filename: xmlTextNonEmpty(),
        size: fc.oneof(fc.nat(), fc.maxSafeNat()),
        contentType: xmlText(),
      }, { requiredKeys: ['filename', 'size'], noNullPrototype: true });
      fc.assert(fc.property(stanzaId, jidDomain, request, (id, to, v) => {
        const iq = throughText(buildUploadSlotRequest(id, to, v));
        assert.deepEqual([iq.attrs.type, iq.attrs.id, iq.attrs.to], ['get', id, to]);
        assert.deepEqual(parseUploadSlotRequest(iq), v);
      }));
    });

    it('parseFileTooLarge and parseUploadMaxSize read back any size', () => {
      fc.assert(fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), (size) => {
        assert.equal(parseFileTooLarge(parseXml(XEP_TOO_LARGE.replace('20000</max', `${size}</max`))), size);
        assert.equal(parseUploadMaxSize(parseXml(XEP_DISCO_INFO.replace('5242880', String(size)))), size);
      }));
    });
  });

  describe('random and mutated input', () => {
    it('parseUploadSlot only returns or throws StanzaParseError', () => {
      fuzzParser(parseUploadSlot, {
        names: ['iq', 'slot', 'put', 'get', 'header', 'error'],
        namespaces: [NS_UPLOAD, 'jabber:client'],
        attrs: ['url', 'name', 'type', 'id'],
        seeds: [XEP_SLOT, XEP_QUOTA],
      });
    });

    it('parseUploadSlotRequest only returns or throws StanzaParseError', () => {
      fuzzParser(parseUploadSlotRequest, {
        names: ['iq', 'request', 'error'],
        namespaces: [NS_UPLOAD, 'jabber:client'],
        attrs: ['filename', 'size', 'content-type', 'type', 'id'],
        seeds: [XEP_REQUEST],
      }, 200);
    });

    it('parseFileTooLarge only returns or throws StanzaParseError', () => {
      fuzzParser(parseFileTooLarge, {
        names: ['iq', 'error', 'file-too-large', 'max-file-size', 'not-acceptable'],
        namespaces: [NS_UPLOAD, 'jabber:client', 'urn:ietf:params:xml:ns:xmpp-stanzas'],
        attrs: ['type', 'id'],
        seeds: [XEP_TOO_LARGE],
      }, 200);
    });

    it('parseUploadMaxSize only returns or throws StanzaParseError', () => {
      fuzzParser(parseUploadMaxSize, {
        names: ['iq', 'query', 'x', 'field', 'value', 'feature'],
        namespaces: [NS_DISCO_INFO, NS_DATA, 'jabber:client'],
        attrs: ['var', 'type'],
        seeds: [XEP_DISCO_INFO],
      }, 200);
    });
  });
});
