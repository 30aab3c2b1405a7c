// Unit spec of the BOSH transport against a fake of ONE layer: `fetch`, answered by a small BOSH
// connection manager written here (sessions, hold, per-rid answers, scripted failures). Timers are real
// except in the polling test (node:test's mock timers).
import { strict as assert } from 'node:assert';
import { mock } from 'node:test';
import fc from 'fast-check';
import type { Element } from 'ltx';
import { StreamError, TransportError } from '../../lib/errors.js';
import { NS_HTTPBIND } from '../../lib/stanzas/ns.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { parseBoshBody, type BoshBody } from '../../lib/transport/bosh-body.js';
import { createBoshTransport, type BoshFetch, type BoshFetchInit, type BoshFetchResponse, type BoshTransportOptions } from '../../lib/transport/bosh.js';
import { exchangeBoshBody } from '../../lib/transport/bosh-requests.js';
import type { Transport, TransportCloseInfo } from '../../lib/transport/transport.js';
import { transcript } from '../support/fixtures.js';
import { assertXmlEqual } from '../support/xml-assert.js';

const CM_URL = 'https://cm.example.com:5281/http-bind';
const FEATURES = `<stream:features xmlns:stream='http://etherx.jabber.org/streams'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`;
const BOUND_FEATURES = `<stream:features xmlns:stream='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`;
const ping = (id: string): Element => parseXml(`<iq xmlns='jabber:client' type='get' id='${id}' to='example.com'><ping xmlns='urn:xmpp:ping'/></iq>`);
const message = (id: string): string => `<message xmlns='jabber:client' id='${id}'/>`;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** One HTTP request the fake received. */
interface Call {
  readonly rid: number;
  readonly text: string;
  readonly body: BoshBody;
  /** Other requests in flight when this one came in. */
  readonly concurrent: number;
  /** When it came in (performance.now()). */
  readonly at: number;
  answered: boolean;
  respond(status: number, text: string): void;
  fail(error?: Error): void;
}

/** A small BOSH connection manager behind a fake `fetch`. */
class FakeCm {
  readonly calls: Call[] = [];
  readonly held: Call[] = [];
  readonly pending: string[] = [];
  /** Scripted failures per rid, one per attempt: `'throw'` (network error) or an HTTP status. */
  readonly script = new Map<number, ('throw' | number)[]>();
  /** A test that takes over some requests answers them itself. */
  intercept: ((call: Call) => boolean) | undefined;
  inFlight = 0;
  maxInFlight = 0;
  sid = 'fake-sid';
  created: Record<string, string> = { requests: '2', hold: '1', wait: '30', polling: '0', inactivity: '60', from: 'example.com', authid: 'stream-1', 'xmpp:version': '1.0' };
  hold = 1;
  /** Answer on the newest request and release the older ones empty (ejabberd), not on the oldest (Prosody). */
  answerNewest = false;
  restartAttrs = '';

  readonly fetch: BoshFetch = (_url: string, init: BoshFetchInit) => new Promise<BoshFetchResponse>((resolve, reject) => {
    const body = parseBoshBody(init.body);
    const call: Call = {
      rid: body.rid ?? -1, text: init.body, body, concurrent: this.inFlight, at: performance.now(), answered: false,
      respond: (status, text) => {
        if (call.answered) return;
        call.answered = true;
        this.inFlight--;
        resolve({ status, text: async () => text });
      },
      fail: (error = new TypeError('fetch failed')) => {
        if (call.answered) return;
        call.answered = true;
        this.inFlight--;
        reject(error);
      },
    };
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.calls.push(call);
    init.signal.addEventListener('abort', () => {
      const at = this.held.indexOf(call);
      if (at >= 0) this.held.splice(at, 1);
      call.fail(new DOMException('aborted', 'AbortError'));
    });
    this.route(call);
  });

  /** What the server answers to a payload: a result for a ping, an echo for a message. */
  answer(child: Element): string[] {
    if (child.name === 'iq' && child.getChild('ping')) return [`<iq xmlns='jabber:client' type='result' id='${String(child.attrs.id)}'/>`];
    return [];
  }

  route(call: Call): void {
    const failure = this.script.get(call.rid)?.shift();
    if (failure === 'throw') return call.fail();
    if (failure !== undefined) return call.respond(failure, '');
    if (this.intercept?.(call)) return;
    const { body } = call;
    if (body.sid === undefined) {
      const attrs = Object.entries({ ...this.created, sid: this.sid }).map(([k, v]) => `${k}='${v}'`).join(' ');
      return call.respond(200, `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' ${attrs}>${FEATURES}</body>`);
    }
    if (body.sid !== this.sid) return call.respond(404, '');
    if (body.type === 'terminate') {
      this.releaseAll();
      return call.respond(200, `<body xmlns='${NS_HTTPBIND}' type='terminate'/>`);
    }
    for (const child of body.children) this.pending.push(...this.answer(child));
    if (body.xmppRestart) this.pending.push(BOUND_FEATURES);
    this.held.push(call);
    this.flush();
  }

  /** XEP-0124 §8: hold at most `hold` requests; answer the oldest held one when there is something to send. */
  flush(): void {
    if (this.answerNewest) {
      while (this.held.length > this.hold) this.held.shift()?.respond(200, `<body xmlns='${NS_HTTPBIND}'/>`);
      if (this.pending.length > 0) this.held.pop()?.respond(200, `<body xmlns='${NS_HTTPBIND}'>${this.pending.splice(0).join('')}</body>`);
      return;
    }
    while (this.held.length > this.hold || (this.pending.length > 0 && this.held.length > 0)) {
      const oldest = this.held.shift();
      const payloads = this.pending.splice(0).join('');
      const restart = oldest?.body.xmppRestart ? ` ${this.restartAttrs}` : '';
      oldest?.respond(200, `<body xmlns='${NS_HTTPBIND}'${restart}>${payloads}</body>`);
    }
  }

  /** The server sends something on its own (a message, a terminate). */
  push(payload: string): void {
    this.pending.push(payload);
    this.flush();
  }

  releaseAll(text = `<body xmlns='${NS_HTTPBIND}'/>`): void {
    for (const call of this.held.splice(0)) call.respond(200, text);
  }

  callsOf(rid: number): Call[] {
    return this.calls.filter((call) => call.rid === rid);
  }
}

/** A transport on a fake CM, with what it emitted. */
function setup(options: Partial<BoshTransportOptions> = {}, cm = new FakeCm()) {
  const transport = createBoshTransport({ url: CM_URL, fetch: cm.fetch, retryDelayMs: 1, ...options });
  const elements: Element[] = [];
  const opens: unknown[] = [];
  const closes: TransportCloseInfo[] = [];
  const events: string[] = [];
  transport.on('element', (element) => { elements.push(element); events.push(`element:${element.getName()}`); });
  transport.on('open', (open) => { opens.push(open); events.push('open'); });
  transport.on('close', (info) => { closes.push(info); events.push(`close:${info.reason}`); });
  const ids = (): string[] => elements.map((e) => String(e.attrs.id ?? e.name));
  return { transport, cm, elements, opens, closes, ids, events };
}

const held = (cm: FakeCm): Promise<void> => until(() => cm.held.length === 1 && cm.inFlight === 1, 'the long poll');

describe('transport/bosh (XEP-0124 / XEP-0206 over fetch, fake connection manager)', () => {
  let transports: Transport[] = [];
  const track = <T extends { transport: Transport }>(t: T): T => { transports.push(t.transport); return t; };
  afterEach(async () => {
    await Promise.all(transports.map((t) => t.close()));
    transports = [];
  });

  describe('factory', () => {
    it('is kind bosh, secure for https, with the host of the URL', () => {
      const https = createBoshTransport({ url: CM_URL, fetch: new FakeCm().fetch });
      assert.deepEqual([https.kind, https.secure, https.host], ['bosh', true, 'cm.example.com']);
      const http = createBoshTransport({ url: 'http://127.0.0.1:15280/http-bind', fetch: new FakeCm().fetch });
      assert.deepEqual([http.secure, http.host], [false, '127.0.0.1']);
    });

    it('refuses a URL that is not http: or https:', () => {
      for (const url of ['ws://example.com/', 'not a url']) {
        assert.throws(() => createBoshTransport({ url }), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE', url);
      }
    });
  });

  describe('connect (XEP-0124 §7, XEP-0206 §3-4)', () => {
    it('sends the session creation request, emits open then the features, and keeps a long poll', async () => {
      const { transport, cm, elements, opens } = track(setup({ wait: 45, hold: 1, route: 'xmpp:example.com:5222' }));
      const open = await transport.connect('example.com', { lang: 'fr' });
      assert.deepEqual(open, { version: '1.0', from: 'example.com', id: 'stream-1', lang: 'fr' });
      assert.deepEqual(opens, [open]);
      const first = cm.calls[0];
      assert.ok(first);
      const { rid, children, ...attrs } = first.body;
      assert.deepEqual(attrs, { to: 'example.com', lang: 'fr', ver: '1.6', wait: 45, hold: 1, route: 'xmpp:example.com:5222', xmppVersion: '1.0' });
      assert.deepEqual(children, []);
      // XEP-0124 §14.1: a random positive integer, far below 2^53 - 1.
      assert.ok(rid !== undefined && Number.isSafeInteger(rid) && rid > 0 && rid <= 2 ** 48, String(rid));
      assert.equal(elements[0]?.getName(), 'features');
      await held(cm);
      const poll = cm.calls[1];
      assert.deepEqual([poll?.rid, poll?.body.sid, poll?.body.children.length], [rid + 1, 'fake-sid', 0]);
    });

    it('writes the session creation request of the recorded transcripts (but the rid)', async () => {
      const { transport, cm } = track(setup({ wait: 10 }));
      await transport.connect('localhost');
      const recorded = transcript('BOSH transcript (Prosody)')[0]?.slice(3) ?? '';
      const sent = parseXml(cm.calls[0]?.text ?? '');
      sent.attrs.rid = parseXml(recorded).attrs.rid;
      assertXmlEqual(sent, recorded);
    });

    it('draws a different initial rid for each session', async () => {
      const rids = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const { transport, cm } = track(setup());
        await transport.connect('example.com');
        rids.add(cm.calls[0]?.rid ?? 0);
      }
      assert.equal(rids.size, 5);
    });

    it('fails on HTTP 404, a terminate answer, or a response without sid, and emits close', async () => {
      const cases: [(cm: FakeCm) => void, (e: unknown) => boolean][] = [
        [(cm) => { cm.intercept = (call) => { call.respond(404, ''); return true; }; }, (e) => e instanceof TransportError && e.status === 404 && e.condition === 'item-not-found'],
        [(cm) => { cm.intercept = (call) => { call.respond(200, `<body xmlns='${NS_HTTPBIND}' type='terminate' condition='host-unknown'/>`); return true; }; }, (e) => e instanceof TransportError && e.condition === 'host-unknown'],
        [(cm) => { cm.intercept = (call) => { call.respond(200, `<body xmlns='${NS_HTTPBIND}'/>`); return true; }; }, (e) => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE'],
        [(cm) => { cm.intercept = (call) => { call.respond(200, '<html>proxy error</html>'); return true; }; }, (e) => e instanceof TransportError && e.code === 'TRANSPORT_FAILURE'],
      ];
      for (const [arrange, expected] of cases) {
        const cm = new FakeCm();
        arrange(cm);
        const { transport, closes } = setup({}, cm);
        await assert.rejects(transport.connect('example.com'), expected);
        assert.equal(closes.length, 1);
        assert.equal(closes[0]?.reason, 'error');
        assert.equal(cm.calls.length, 1, 'no retry, no poll');
      }
    });
  });

  describe('requests (XEP-0124 §8, §11, §14)', () => {
    it('a send while the long poll waits goes out at once on a second request', async () => {
      const { transport, cm, elements } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      const poll = cm.calls.at(-1);
      transport.send(ping('p1'));
      await until(() => cm.calls.length === 3, 'the ping request');
      const sent = cm.calls[2];
      assert.ok(sent && poll);
      assert.equal(sent.concurrent, 1, 'the long poll was still in flight');
      assert.equal(sent.rid, poll.rid + 1);
      assert.equal(sent.body.children[0]?.attrs.id, 'p1');
      await until(() => elements.some((e) => e.attrs.id === 'p1'), 'the ping answer');
    });

    it('batches the elements sent in one tick into one body', async () => {
      const { transport, cm } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      transport.send(ping('a'));
      transport.send(ping('b'));
      transport.send(ping('c'));
      await until(() => cm.calls.length === 3, 'the batch');
      assert.deepEqual(cm.calls[2]?.body.children.map((c) => c.attrs.id), ['a', 'b', 'c']);
    });

    it('property: rids go up by one, never more than `requests` in flight, every answer in order', async () => {
      await fc.assert(fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        async (requests, batches) => {
          const cm = new FakeCm();
          cm.hold = requests - 1; // XEP-0124 §7.2: hold below requests, so a send always finds a slot
          cm.created = { ...cm.created, requests: String(requests), hold: String(requests - 1) };
          const { transport, elements } = setup({}, cm);
          await transport.connect('example.com');
          const ids: string[] = [];
          for (const [size, waitTick] of batches) {
            for (let i = 0; i < size; i++) {
              const id = `p${ids.length}`;
              ids.push(id);
              transport.send(ping(id));
            }
            if (waitTick) await tick();
          }
          await until(() => elements.filter((e) => e.name === 'iq').length === ids.length, 'every answer');
          assert.deepEqual(elements.filter((e) => e.name === 'iq').map((e) => e.attrs.id), ids);
          assert.ok(cm.maxInFlight <= requests, `${cm.maxInFlight} in flight, requests=${requests}`);
          const rids = cm.calls.map((c) => c.rid);
          assert.deepEqual(rids, rids.map((_, i) => (rids[0] ?? 0) + i));
          await transport.close();
        },
      ), { numRuns: 40 });
    });

    it('a request leaves no sooner than the spacing after one still in flight that nothing says has arrived (arrival order)', async () => {
      const cm = new FakeCm();
      let sentRight = false;
      const { transport, elements } = track(setup({}, cm));
      cm.intercept = (call) => {
        if (call.body.sid !== undefined && call.body.children.length === 0 && !sentRight) {
          sentRight = true;
          queueMicrotask(() => transport.send(ping('right-behind')));
        }
        return false;
      };
      await transport.connect('example.com');
      await until(() => elements.some((e) => e.attrs.id === 'right-behind'), 'the answer');
      const poll = cm.calls[1];
      const sent = cm.calls[2];
      assert.ok(poll && sent && sent.body.children.length === 1);
      // Two round trips of this fake, but never less than 2 ms (bosh-pacing.ts).
      assert.ok(sent.at - poll.at >= 2, `${(sent.at - poll.at).toFixed(2)} ms apart`);
    });

    it('a request leaves at once when the answer to the held one before says the last one arrived (Prosody: answers on the oldest)', async () => {
      const cm = new FakeCm();
      cm.created = { ...cm.created, wait: '60' };
      const { transport, elements } = track(setup({}, cm));
      await transport.connect('example.com');
      await held(cm);
      // Warm the round trip up: a few pings, each answered on the long poll it releases.
      for (let i = 0; i < 4; i++) {
        transport.send(ping(`w${i}`));
        await until(() => elements.some((e) => e.attrs.id === `w${i}`), `w${i}`);
      }
      const before = cm.calls.length;
      let answeredAt = 0;
      transport.on('element', (e) => {
        if (e.attrs.id !== 'q1') return;
        answeredAt = performance.now();
        transport.send(ping('q2'));
      });
      transport.send(ping('q1'));
      await until(() => elements.some((e) => e.attrs.id === 'q2'), 'the second answer');
      const [q1, q2] = cm.calls.slice(before);
      assert.ok(q1 && q2);
      assert.equal(q1.answered, true);
      assert.equal(q2.concurrent, 1, 'the request of q1 was still held when q2 left');
      // No timer in between (the spacing would be 2 ms at least): it left in the same turn.
      assert.ok(q2.at - answeredAt < 1, `${(q2.at - answeredAt).toFixed(2)} ms after the answer`);
    });

    it('after an answer, what the application sends at once goes out instead of a new poll', async () => {
      const cm = new FakeCm();
      cm.answerNewest = true; // ejabberd: the poll is released empty, the ping answered on its own request
      const { transport, elements } = track(setup({}, cm));
      await transport.connect('example.com');
      await held(cm);
      const first = cm.calls.length;
      transport.on('element', (e) => {
        const n = Number(String(e.attrs.id).slice(1));
        // as an application does it: after an await
        if (e.name === 'iq' && n < 5) void Promise.resolve().then(() => transport.send(ping(`c${n + 1}`)));
      });
      transport.send(ping('c1'));
      await until(() => elements.some((e) => e.attrs.id === 'c5'), 'the fifth answer');
      const between = cm.calls.slice(first, cm.calls.findIndex((c) => c.body.children[0]?.attrs.id === 'c5') + 1);
      assert.deepEqual(between.map((c) => c.body.children[0]?.attrs.id ?? 'poll'), ['c1', 'c2', 'c3', 'c4', 'c5']);
    });

    it('processes responses in rid order when HTTP answers out of order (XEP-0124 §14.2)', async () => {
      const cm = new FakeCm();
      cm.created = { ...cm.created, requests: '3' };
      const manual: Call[] = [];
      cm.intercept = (call) => {
        if (call.body.sid === undefined) return false;
        manual.push(call);
        return true;
      };
      const { transport, ids } = track(setup({}, cm));
      await transport.connect('example.com');
      await until(() => manual.length === 1, 'the long poll');
      transport.send(ping('x'));
      await until(() => manual.length === 2, 'the first send');
      transport.send(ping('y'));
      await until(() => manual.length === 3, 'the second send');
      const [poll, first, second] = manual;
      assert.ok(poll && first && second);
      assert.deepEqual([first.rid, second.rid], [poll.rid + 1, poll.rid + 2]);
      second.respond(200, `<body xmlns='${NS_HTTPBIND}'>${message('m3')}</body>`);
      first.respond(200, `<body xmlns='${NS_HTTPBIND}'>${message('m2')}</body>`);
      await tick();
      assert.deepEqual(ids().slice(1), [], 'nothing before the response to the lowest rid');
      poll.respond(200, `<body xmlns='${NS_HTTPBIND}'>${message('m1')}</body>`);
      await until(() => ids().length === 4, 'the three messages');
      assert.deepEqual(ids().slice(1), ['m1', 'm2', 'm3']);
    });
  });

  describe('failures (XEP-0124 §14.3, §17)', () => {
    for (const failure of ['throw', 502] as const) {
      it(`retries the same rid, as an exact copy, after ${failure === 'throw' ? 'a network error' : 'HTTP 502'}`, async () => {
        const { transport, cm, elements, closes } = track(setup());
        await transport.connect('example.com');
        await held(cm);
        const rid = (cm.calls.at(-1)?.rid ?? 0) + 1;
        cm.script.set(rid, [failure, failure]);
        transport.send(ping('r1'));
        await until(() => elements.some((e) => e.attrs.id === 'r1'), 'the answer after the retries');
        const attempts = cm.callsOf(rid);
        assert.equal(attempts.length, 3);
        assert.ok(attempts.every((a) => a.text === attempts[0]?.text));
        assert.deepEqual(closes, []);
      });

      it(`gives up after maxRetries (${failure === 'throw' ? 'network errors' : 'HTTP 502'}) with close {reason: 'error'}`, async () => {
        const { transport, cm, closes } = track(setup({ maxRetries: 2 }));
        await transport.connect('example.com');
        await held(cm);
        const rid = (cm.calls.at(-1)?.rid ?? 0) + 1;
        cm.script.set(rid, [failure, failure, failure, failure]);
        transport.send(ping('r2'));
        await until(() => closes.length === 1, 'the close');
        assert.equal(cm.callsOf(rid).length, 3, 'the first attempt and 2 retries');
        const [info] = closes;
        assert.equal(info?.reason, 'error');
        assert.equal(info?.requested, false);
        assert.ok(info?.error instanceof TransportError && info.error.code === 'TRANSPORT_FAILURE');
        assert.equal(info?.code, failure === 'throw' ? undefined : 502);
        assert.throws(() => transport.send(ping('late')), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
      });
    }

    for (const [status, condition] of [[400, 'bad-request'], [403, 'policy-violation'], [404, 'item-not-found']] as const) {
      it(`ends the session on HTTP ${status} (${condition}), without retry`, async () => {
        const { transport, cm, closes } = track(setup());
        await transport.connect('example.com');
        await held(cm);
        const rid = (cm.calls.at(-1)?.rid ?? 0) + 1;
        cm.script.set(rid, [status]);
        transport.send(ping('s'));
        await until(() => closes.length === 1, 'the close');
        assert.equal(cm.callsOf(rid).length, 1);
        const [info] = closes;
        assert.equal(info?.reason, 'error');
        assert.equal(info?.code, status);
        assert.ok(info?.error instanceof TransportError && info.error.condition === condition);
        await tick();
        assert.equal(cm.inFlight, 0, 'the long poll was aborted');
      });
    }

    it('ends the session on a terminate body with a condition, after the payloads before it', async () => {
      const { transport, cm, closes, ids } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      const before = cm.calls.length;
      cm.releaseAll(`<body xmlns='${NS_HTTPBIND}' type='terminate' condition='remote-connection-failed'>${message('last')}</body>`);
      await until(() => closes.length === 1, 'the close');
      assert.deepEqual(ids().slice(1), ['last']);
      const [info] = closes;
      assert.equal(info?.reason, 'error');
      assert.ok(info?.error instanceof TransportError && info.error.condition === 'remote-connection-failed');
      await tick();
      assert.equal(cm.calls.length, before, 'no request after the end');
    });

    it('reads remote-stream-error as a StreamError, see-other-uri as a redirect', async () => {
      const cases = [
        [`<body xmlns='${NS_HTTPBIND}' xmlns:stream='http://etherx.jabber.org/streams' type='terminate' condition='remote-stream-error'><stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></body>`,
          (info: TransportCloseInfo) => info.reason === 'stream-error' && info.error instanceof StreamError && info.error.condition === 'conflict'],
        [`<body xmlns='${NS_HTTPBIND}' type='terminate' condition='see-other-uri'><uri>https://other.example.com/bosh</uri></body>`,
          (info: TransportCloseInfo) => info.reason === 'see-other-uri' && info.seeOtherUri === 'https://other.example.com/bosh'],
        [`<body xmlns='${NS_HTTPBIND}' xmlns:stream='http://etherx.jabber.org/streams'><stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></body>`,
          (info: TransportCloseInfo) => info.reason === 'stream-error' && info.error instanceof StreamError && info.error.condition === 'system-shutdown'],
      ] as const;
      for (const [text, check] of cases) {
        const { transport, cm, closes } = track(setup());
        await transport.connect('example.com');
        await held(cm);
        cm.releaseAll(text);
        await until(() => closes.length === 1, 'the close');
        assert.ok(check(closes[0] as TransportCloseInfo), JSON.stringify(closes[0]));
      }
    });

    it('an attempt that gets no answer times out even when the fetch ignores its signal', async () => {
      const started = Date.now();
      const result = await exchangeBoshBody({
        fetch: () => new Promise<BoshFetchResponse>(() => undefined), url: CM_URL, text: '<body/>',
        maxRetries: 1, retryDelayMs: 1, timeoutMs: 20, signal: new AbortController().signal,
      });
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.error.message, /after 2 attempts: no answer within 20 ms/);
      assert.ok(Date.now() - started < 1000);
    });

    it('emits nothing after close, even when a fetch that ignores its signal answers late', async () => {
      const late: (() => void)[] = [];
      const fetch: BoshFetch = async (_url, init) => {
        const body = parseBoshBody(init.body);
        if (body.sid === undefined) return { status: 200, text: async () => `<body xmlns='${NS_HTTPBIND}' sid='s' requests='2' hold='1' wait='30'>${FEATURES}</body>` };
        if (body.type === 'terminate') return { status: 200, text: async () => `<body xmlns='${NS_HTTPBIND}' type='terminate'/>` };
        return new Promise((resolve) => late.push(() => resolve({ status: 200, text: async () => `<body xmlns='${NS_HTTPBIND}'>${message('late')}</body>` })));
      };
      const { transport, events } = track(setup({ fetch }));
      await transport.connect('example.com');
      await until(() => late.length === 1, 'the long poll');
      await transport.close();
      for (const answer of late) answer();
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(events, ['open', 'element:features', 'close:closed']);
    });

    describe('a lost BOSH session, drained by the transport that replaces it (XEP-0124 §14.3, XEP-0198 §5)', () => {
      /** A transport whose every request fails from now on (the network is gone), closed on 'error'. */
      async function lost(): Promise<{ transport: Transport; pollRid: number; nextRid: number }> {
        const { transport, cm, closes } = track(setup({ maxRetries: 0 }));
        await transport.connect('example.com');
        await held(cm);
        const pollRid = cm.calls.at(-1)?.rid ?? 0;
        cm.intercept = (call) => { call.fail(); return true; };
        transport.send(ping('lost'));
        await until(() => closes.length === 1, 'the close');
        assert.equal(closes[0]?.reason, 'error');
        return { transport, pollRid, nextRid: pollRid + 2 };
      }

      /** The old session at the connection manager: replays, then what it buffered, then its end. */
      function oldSession(nextRid: number) {
        const drained: BoshBody[] = [];
        let fresh = 0;
        const answer = (body: BoshBody): string => {
          drained.push(body);
          if ((body.rid ?? 0) < nextRid) return `<body xmlns='${NS_HTTPBIND}'>${message(`replayed-${body.rid}`)}</body>`;
          return fresh++ === 0
            ? `<body xmlns='${NS_HTTPBIND}'>${message('buffered')}</body>`
            : `<body xmlns='${NS_HTTPBIND}' type='terminate' condition='remote-stream-error'/>`;
        };
        return { drained, answer };
      }

      it('drains the lost session with empty requests from its oldest unanswered rid, drops the answers, stops when it ends', async () => {
        const { transport: old, pollRid, nextRid } = await lost();
        const session = oldSession(nextRid);
        const cm = new FakeCm();
        cm.sid = 'new-sid';
        const fetch: BoshFetch = async (url, init) => {
          const body = parseBoshBody(init.body);
          if (body.sid === 'fake-sid') return { status: 200, text: async () => session.answer(body) };
          return cm.fetch(url, init);
        };
        const { transport, ids } = track(setup({ fetch }));
        await (transport as Transport & { connect(d: string, o: { replaces: Transport }): Promise<unknown> }).connect('example.com', { replaces: old });
        await until(() => session.drained.length === 4, 'the drain');
        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(session.drained.map((b) => [b.rid, b.sid, b.type, b.children.length]),
          [[pollRid, 'fake-sid', undefined, 0], [pollRid + 1, 'fake-sid', undefined, 0], [nextRid, 'fake-sid', undefined, 0], [nextRid + 1, 'fake-sid', undefined, 0]]);
        assert.deepEqual(ids(), ['stream:features'], 'nothing of the old session is emitted');
      });

      it('does not drain a session that was closed on request, or when not asked to', async () => {
        const { transport: closed, cm: first } = track(setup());
        await closed.connect('example.com');
        await closed.close();
        const { transport: lostOne } = await lost();
        for (const [replaces, what] of [[closed, 'closed on request'], [undefined, 'no replaces']] as const) {
          const cm = new FakeCm();
          cm.sid = 'new-sid';
          const { transport } = track(setup({}, cm));
          await (transport as Transport & { connect(d: string, o: { replaces?: Transport }): Promise<unknown> }).connect('example.com', replaces ? { replaces } : {});
          await held(cm);
          assert.ok(cm.calls.every((c) => c.body.sid !== 'fake-sid'), what);
        }
        assert.ok(first.calls.length > 0 && lostOne.kind === 'bosh');
      });
    });

    it('retries a recoverable type=error body with the same rid (XEP-0124 §17.3)', async () => {
      const { transport, cm, elements, closes } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      const rid = (cm.calls.at(-1)?.rid ?? 0) + 1;
      let first = true;
      cm.intercept = (call) => {
        if (call.rid !== rid || !first) return false;
        first = false;
        call.respond(200, `<body xmlns='${NS_HTTPBIND}' type='error'/>`);
        return true;
      };
      transport.send(ping('e1'));
      await until(() => elements.some((e) => e.attrs.id === 'e1'), 'the answer');
      assert.equal(cm.callsOf(rid).length, 2);
      assert.deepEqual(closes, []);
    });
  });

  describe('restart and close (XEP-0206 §5, XEP-0124 §13)', () => {
    it('restart sends xmpp:restart with to and xml:lang, and no payload; resolves with the new header', async () => {
      const cm = new FakeCm();
      // The restart's own answer carries the new stream id and the features; the long poll is released empty.
      cm.intercept = (call) => {
        if (!call.body.xmppRestart) return false;
        cm.releaseAll();
        call.respond(200, `<body xmlns='${NS_HTTPBIND}' authid='stream-2'>${BOUND_FEATURES}</body>`);
        return true;
      };
      const { transport, opens, events } = track(setup({ lang: 'de' }, cm));
      await transport.connect('example.com');
      await held(cm);
      const open = await transport.restart();
      const restart = cm.calls.find((c) => c.body.xmppRestart);
      assert.ok(restart);
      const { rid: _rid, ...attrs } = restart.body;
      assert.deepEqual(attrs, { sid: 'fake-sid', to: 'example.com', lang: 'de', xmppRestart: true, children: [] });
      assertXmlEqual(parseXml(restart.text), `<body xmlns='${NS_HTTPBIND}' xmlns:xmpp='urn:xmpp:xbosh' rid='${restart.rid}' sid='fake-sid' to='example.com' xml:lang='de' xmpp:restart='true'/>`);
      assert.deepEqual(open, { version: '1.0', from: 'example.com', id: 'stream-2', lang: 'de' });
      assert.deepEqual(opens.at(-1), open);
      await tick();
      assert.deepEqual(events, ['open', 'element:features', 'open', 'element:features']);
    });

    it('restart completes when the new features come on the older request the server was holding', async () => {
      // What Prosody does: with hold=1, the features go out on the oldest request held (the long poll).
      const { transport, cm, events } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      const open = await transport.restart();
      assert.deepEqual(open, { version: '1.0', from: 'example.com', id: 'stream-1', lang: 'en' });
      const restart = cm.calls.find((c) => c.body.xmppRestart);
      assert.equal(restart?.answered, false, 'the restart request itself is still held');
      assert.deepEqual(events, ['open', 'element:features', 'open', 'element:features']);
      transport.send(ping('after'));
      await until(() => events.length === 5, 'the ping answer');
    });

    it('close sends terminate, resolves, emits close {closed, requested}; then send throws', async () => {
      const { transport, cm, closes } = track(setup());
      await transport.connect('example.com');
      await held(cm);
      await transport.close();
      const terminate = cm.calls.at(-1);
      assert.equal(terminate?.body.type, 'terminate');
      assert.equal(terminate?.body.sid, 'fake-sid');
      assert.equal(terminate?.rid, (cm.calls.at(-2)?.rid ?? 0) + 1);
      assert.equal(closes.length, 1);
      assert.equal(closes[0]?.reason, 'closed');
      assert.equal(closes[0]?.requested, true);
      assert.throws(() => transport.send(ping('x')), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
      await assert.rejects(transport.restart(), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
      await transport.close();
      assert.equal(closes.length, 1, 'a second close is a no-op');
      await tick();
      assert.equal(cm.inFlight, 0);
    });

    it('close carries the elements still waiting for a slot, and is bounded in time', async () => {
      const cm = new FakeCm();
      cm.created = { ...cm.created, requests: '1', hold: '0' };
      cm.hold = 0;
      const manual: Call[] = [];
      cm.intercept = (call) => {
        if (call.body.sid === undefined) return false;
        manual.push(call);
        return true;
      };
      const { transport, closes } = track(setup({ closeTimeoutMs: 50 }, cm));
      await transport.connect('example.com');
      await until(() => manual.length === 1, 'the poll');
      transport.send(ping('queued'));
      await tick();
      assert.equal(manual.length, 1, 'requests=1: the send waits for the poll');
      const started = Date.now();
      await transport.close();
      const terminate = manual[1];
      assert.equal(terminate?.body.type, 'terminate');
      assert.deepEqual(terminate?.body.children.map((c) => c.attrs.id), ['queued']);
      assert.ok(Date.now() - started < 1000);
      assert.deepEqual(closes.map((c) => [c.reason, c.requested]), [['closed', true]]);
    });

    it('send before connect throws TRANSPORT_CLOSED', () => {
      const { transport } = setup();
      assert.throws(() => transport.send(ping('x')), (e: unknown) => e instanceof TransportError && e.code === 'TRANSPORT_CLOSED');
    });
  });

  describe('polling (XEP-0124 §11, §12)', () => {
    afterEach(() => mock.timers.reset());
    /** Moves the mocked clock and lets the promises settle. */
    const advance = async (ms: number): Promise<void> => {
      mock.timers.tick(ms);
      for (let i = 0; i < 5; i++) await tick();
      mock.timers.tick(0);
      for (let i = 0; i < 5; i++) await tick();
    };
    const pollingCm = (): FakeCm => {
      const cm = new FakeCm();
      cm.hold = 0;
      cm.created = { ...cm.created, requests: '1', hold: '0', polling: '2' };
      return cm;
    };

    it('with requests=1, two empty requests answered empty are at least `polling` seconds apart', async () => {
      const cm = pollingCm();
      const { transport, elements } = track(setup({}, cm));
      mock.timers.enable({ apis: ['setTimeout'] });
      await transport.connect('example.com');
      await advance(0);
      const polls = (): number => cm.calls.filter((c) => c.body.sid !== undefined && c.body.children.length === 0).length;
      assert.equal(polls(), 1);
      await advance(1999);
      assert.equal(polls(), 1, 'not before 2 s');
      transport.send(ping('during-gap'));
      await advance(0);
      assert.ok(elements.some((e) => e.attrs.id === 'during-gap'), 'a send is not held back by the polling interval');
      // The request before this poll was not empty: no interval to keep (XEP-0124 §11).
      assert.equal(polls(), 2, 'the poll after the send goes at once');
      await advance(1999);
      assert.equal(polls(), 2, 'not before 2 s after the previous empty request');
      await advance(1);
      assert.equal(polls(), 3, 'after 2 s');
      await advance(1999);
      assert.equal(polls(), 3);
      await advance(1);
      assert.equal(polls(), 4);
      assert.equal(cm.maxInFlight, 1);
    });

    it('polls again at once when the empty request brought something', async () => {
      const cm = pollingCm();
      cm.pending.push(message('waiting'));
      const { transport, ids } = track(setup({}, cm));
      mock.timers.enable({ apis: ['setTimeout'] });
      await transport.connect('example.com');
      await advance(0);
      await advance(0);
      assert.ok(ids().includes('waiting'));
      assert.equal(cm.calls.length, 3, 'creation, the poll that brought the message, the next poll at once');
    });
  });
});
