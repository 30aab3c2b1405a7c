/**
 * The transport parsers: the BOSH `<body/>` codec (XEP-0124 §6-§17, XEP-0206), one BOSH HTTP exchange
 * over a stand-in `fetch` answering fuzzed statuses and bodies (XEP-0124 §14.3, §17), and the WebSocket
 * framing (RFC 7395: one element per frame, `<open/>`, `<close/>`, stream errors) over a stand-in
 * socket fed fuzzed frames. A transport may end the stream on bad input, with a typed error in its
 * `close` event; nothing may throw out of its event handlers, and every stream must end.
 */
import { Element } from 'ltx';
import { StanzaParseError, XmppError } from '../lib/errors.js';
import { exchangeBoshBody } from '../lib/transport/bosh-requests.js';
import { parseBoshBody } from '../lib/transport/bosh-body.js';
import type { TransportCloseInfo } from '../lib/transport/transport.js';
import { createWebSocketTransport, type WebSocketLike } from '../lib/transport/websocket.js';
import { corpusOf, fixtureBoshBodies, type Corpus } from './corpus.js';
import { GENERATORS, XML_WEIGHTS, type GeneratorName } from './generators.js';
import type { Rng } from './rng.js';
import { builtSeeds } from './seeds.js';
import { codeIf, generateText, InvariantError, type FuzzInput, type Target } from './target.js';

type Listener = (event: { readonly data?: unknown; readonly code?: number }) => void;

/** A stand-in WebSocket: the fuzzer plays the server. */
class FuzzSocket implements WebSocketLike {
  static last: FuzzSocket | undefined;
  readyState = 0;
  readonly protocol = 'xmpp';
  readonly #listeners = new Map<string, Listener[]>();

  constructor() {
    FuzzSocket.last = this;
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(): void {
    if (this.readyState !== 1) throw new Error('not open');
  }

  close(code?: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire('close', { code: code ?? 1005 });
  }

  fire(type: string, event: { readonly data?: unknown; readonly code?: number } = {}): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}

/** A server's side of a stream: frames from the seeds, some fuzzed, then stream-level edits. */
function frames(rng: Rng, corpus: Corpus): FuzzInput {
  const list: string[] = [rng.pick(corpus.seeds.slice(0, 2))];
  const count = rng.size(4);
  let generator = 'stream';
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.3)) {
      const fuzzed = generateText(rng, corpus, XML_WEIGHTS);
      generator = fuzzed.generator;
      list.push(fuzzed.text);
    } else list.push(rng.pick(corpus.seeds));
  }
  switch (rng.int(6)) {
    case 0: list.length = rng.int(list.length + 1); break; // the stream cut short
    case 1: { // a frame split in two (RFC 7395 §3.3.3 forbids it)
      const at = rng.int(list.length);
      const frame = list[at] ?? '';
      const cut = rng.int(frame.length + 1);
      list.splice(at, 1, frame.slice(0, cut), frame.slice(cut));
      break;
    }
    case 2: list.splice(rng.int(list.length), 0, rng.pick(corpus.seeds.slice(2, 6))); break; // <close/>, errors mid-stream
    default:
  }
  return { generator, text: list.join('\n'), frames: list };
}

const OPEN = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='localhost' id='s1' version='1.0' xml:lang='en'/>";

/** Plays one stream and checks how the transport ended it. */
async function playWebSocket(input: FuzzInput): Promise<string> {
  const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/fuzz', WebSocket: FuzzSocket, openTimeoutMs: 60_000, closeTimeoutMs: 10 });
  const closes: TransportCloseInfo[] = [];
  let lateElements = 0;
  transport.on('element', (element) => {
    if (!(element instanceof Element)) throw new InvariantError('an element event without an element');
    if (closes.length) lateElements++;
  });
  transport.on('close', (info) => closes.push(info));
  const opened = transport.connect('localhost').then(() => undefined, (error: unknown) => error);
  const socket = FuzzSocket.last as FuzzSocket;
  socket.readyState = 1;
  socket.fire('open');
  for (const frame of input.frames ?? []) socket.fire('message', { data: frame });
  socket.close(1000); // the server goes away: every stream must end
  const failure = await opened;
  if (failure !== undefined && !(failure instanceof XmppError)) throw new InvariantError(`connect rejected with ${String(failure)}`);
  if (closes.length !== 1) throw new InvariantError(`the transport reported ${closes.length} close events`);
  if (lateElements) throw new InvariantError('elements were emitted after the close event');
  const error = closes[0]?.error;
  if (error !== undefined && !(error instanceof XmppError)) throw new InvariantError(`the close event carries ${String(error)}`);
  return error?.code ?? closes[0]?.reason ?? '';
}

/** Answers of a stand-in BOSH connection manager: statuses and bodies, one per attempt. */
function boshAnswers(rng: Rng, corpus: Corpus): FuzzInput {
  const fuzzed = generateText(rng, corpus, XML_WEIGHTS);
  const list = [fuzzed.text];
  if (rng.chance(0.2)) list.unshift(GENERATORS.seed(rng, corpus));
  const statuses = list.map(() => rng.pick([200, 200, 200, 200, 202, 204, 400, 403, 404, 500, 503, 302, 0]));
  return { generator: fuzzed.generator, text: list.join('\n'), frames: list, statuses };
}

async function exchange(input: FuzzInput): Promise<string> {
  const answers = [...(input.frames ?? [])];
  const statuses = [...(input.statuses ?? [])];
  const result = await exchangeBoshBody({
    fetch: () => {
      const text = answers.shift();
      if (text === undefined) return Promise.reject(new TypeError('fetch failed'));
      const status = statuses.shift() ?? 200;
      return Promise.resolve({ status, text: () => Promise.resolve(text) });
    },
    url: 'http://127.0.0.1:1/http-bind', text: '<body/>', maxRetries: 2, retryDelayMs: 0, timeoutMs: 5_000, signal: new AbortController().signal,
  });
  if (result.ok) {
    for (const child of result.body.children) if (!(child instanceof Element) || child.parent !== null) throw new InvariantError('a BOSH payload still attached to its body');
    return 'ok';
  }
  if (!(result.error instanceof XmppError)) throw new InvariantError(`the exchange failed with ${String(result.error)}`);
  return result.error.code;
}

const BOSH_WEIGHTS: Readonly<Partial<Record<GeneratorName, number>>> = { ...XML_WEIGHTS, seed: 6 };

/** The transport targets. */
export function transportTargets(): Target[] {
  let bosh: Corpus | undefined;
  let ws: Corpus | undefined;
  const boshCorpus = (): Corpus => (bosh ??= corpusOf(fixtureBoshBodies()));
  const stream = builtSeeds().stream ?? [];
  return [
    {
      name: 'bosh-body', parses: 'parseBoshBody', corpus: boshCorpus,
      generate: (rng, corpus) => generateText(rng, corpus, BOSH_WEIGHTS),
      run: (input) => parseBoshBody(input.text),
      allowed: (error) => codeIf(error, [StanzaParseError]),
    },
    {
      name: 'bosh-exchange', parses: 'exchangeBoshBody (stand-in fetch)', corpus: boshCorpus, generate: boshAnswers, async: true,
      run: exchange, allowed: () => undefined, label: (result) => `answer: ${String(result)}`,
    },
    {
      name: 'websocket', parses: 'WebSocket transport frames (stand-in socket)', async: true,
      corpus: () => (ws ??= corpusOf([OPEN, OPEN.replace("version='1.0' ", ''), ...stream])),
      generate: frames, run: playWebSocket, allowed: () => undefined, label: (result) => `ended: ${String(result)}`,
    },
  ];
}
