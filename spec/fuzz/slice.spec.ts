/**
 * A short slice of the fuzz campaign (`npm run fuzz`), with a fixed seed, through the same engine:
 * every target, every generator, and the same invariant: each input ends, within the time bound, in
 * a typed result or one of its parser's typed errors. Also checks that the engine itself counts
 * each kind of failure, so that a passing slice means something.
 */
import { strict as assert } from 'node:assert';
import { StanzaError, StanzaParseError } from '../../lib/errors.js';
import { parseXml } from '../../lib/stanzas/xml.js';
import { runSlice } from '../../fuzz/engine.js';
import { failures, formatSummary, type Summary } from '../../fuzz/summary.js';
import { generateText, InvariantError, xmlTarget, type Target } from '../../fuzz/target.js';
import { allTargets } from '../../fuzz/targets.js';
import { corpusOf } from '../../fuzz/corpus.js';

const SEED = 20_261_128;
const COUNT = 6_000;

describe('fuzz: a slice of the campaign (seed 20261128, 6,000 inputs)', function () {
  this.timeout(60_000);
  let summary: Summary;

  before(async () => {
    summary = await runSlice({ seed: SEED, count: COUNT, targets: allTargets() });
  });

  it('gives every target its share of the inputs, and counts each input once', () => {
    const targets = allTargets();
    assert.equal(summary.inputs, COUNT);
    for (const target of targets) {
      const stats = summary.byTarget[target.name];
      assert.ok(stats, `no input for ${target.name}`);
      assert.ok(stats.inputs >= Math.floor(COUNT / targets.length), `${target.name}: ${stats.inputs} inputs`);
      const counted = Object.values(stats.outcomes).reduce((a, b) => a + b, 0) + stats.untyped + stats.unexpected + stats.invariant + stats.hangs;
      assert.equal(counted, stats.inputs, target.name);
    }
  });

  it('ends every input in a typed result or a typed error its parser may throw, and keeps every check', () => {
    const total = failures(summary);
    assert.equal(total.untyped + total.unexpected + total.invariant, 0, formatSummary(summary));
  });

  it('ends every input within the time bound: no hang', () => {
    assert.equal(failures(summary).hangs, 0, formatSummary(summary));
  });

  it('gets past parseXml to the codecs for a good share of the inputs', () => {
    let reached = 0;
    let all = 0;
    for (const [name, stats] of Object.entries(summary.byTarget)) {
      if (!allTargets().find((t) => t.name === name)?.parses.startsWith('parse')) continue;
      all += stats.inputs;
      for (const [code, n] of Object.entries(stats.outcomes)) if (!code.startsWith('XML_')) reached += n;
    }
    assert.ok(reached / all > 0.3, `only ${reached} of ${all} inputs reached a codec`);
  });
});

describe('fuzz: the engine counts every kind of failure', () => {
  const seeds = (): ReturnType<typeof corpusOf> => corpusOf(["<iq type='result' id='1'/>"], { ownOnly: true });
  const target = (name: string, parse: (text: string) => unknown, allowed: Target['allowed'] = () => undefined): Target => ({
    name, parses: name, corpus: seeds, generate: (rng, corpus) => generateText(rng, corpus, { seed: 1 }), run: (input) => parse(input.text), allowed,
  });
  const run = (targets: Target[], boundMs = 250): Promise<Summary> => runSlice({ seed: 1, count: 4 * targets.length, targets, boundMs });

  it('an untyped throw, a typed error the parser may not throw, a broken check', async () => {
    const summary = await run([
      target('type-error', () => (undefined as unknown as { x: number }).x),
      target('stanza-error', () => { throw new StanzaError({ type: 'cancel', condition: 'gone', text: '', applicationCondition: '', by: '' }); }),
      target('broken-check', () => { throw new InvariantError('round trip differs'); }),
    ]);
    assert.equal(summary.byTarget['type-error']?.untyped, 4);
    assert.equal(summary.byTarget['stanza-error']?.unexpected, 4);
    assert.equal(summary.byTarget['broken-check']?.invariant, 4);
    assert.equal(summary.findings.length, 12);
    assert.match(summary.findings[0]?.message ?? '', /^TypeError/);
  });

  it('a typed error the parser may throw is an outcome, not a failure', async () => {
    const summary = await run([xmlTarget('iq-error', 'parseXml', seeds, () => { throw new StanzaParseError('STANZA_UNEXPECTED', 'x'); })]);
    assert.deepEqual(summary.byTarget['iq-error']?.outcomes, { STANZA_UNEXPECTED: 4 });
    assert.equal(summary.findings.length, 0);
  });

  it('a hang: over the bound three times; an input over it once only is an outlier', async () => {
    let calls = 0;
    const busy = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end) parseXml('<a/>');
    };
    const summary = await run([
      target('slow', () => busy(30)),
      target('slow-once', () => busy(calls++ % 2 === 0 ? 30 : 0)),
    ], 20);
    assert.equal(summary.byTarget.slow?.hangs, 4);
    assert.equal(summary.byTarget['slow-once']?.hangs, 0);
    assert.equal(summary.byTarget['slow-once']?.outliers, 4);
  });
});
