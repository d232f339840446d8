/**
 * The encoder layer on real engines: every backend combination the encoder suite uses (the dense
 * layer as one ort-node graph; the trees on wasm-mt and on wasm around ort-node's graphs) checks ok
 * on odd shapes, in process and in node, deno and bun workers through the CLI; the K = 1 tree layer
 * computes the `ufb` model's output on the attention half's output; and a run's report shows the
 * split, the end-to-end speedup, the Amdahl bound and the verdict table's row.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadBackend } from '../../src/backends/registry.ts';
import type { Backend } from '../../src/backends/types.ts';
import { checkOutput } from '../../src/execute/check.ts';
import { runEncoderCase } from '../../src/execute/encoder-case.ts';
import { prepareEncoderPipeline } from '../../src/execute/encoder-pipeline.ts';
import { caseId, encoderBackend } from '../../src/model/case.ts';
import { encoderShape, initEncoder, parseFeedforward, type Feedforward } from '../../src/model/encoder.ts';
import { layerNorm64 } from '../../src/model/encoder-reference.ts';
import { Rng } from '../../src/model/rng.ts';
import type { ResultsFile } from '../../src/results/schema.ts';
import { ROOT, runCli, TEST_CASE_CONTEXT, tempDir } from '../support.ts';

/**
 * Odd encoder layers: a hidden size that is no multiple of the wasm kernels' 8-column panels (their
 * output rows padded, read through output()), one token a sequence, one head, a depth-0 tree, a
 * dense layer of width 1, several trees summed.
 */
const ODD_ENCODERS: { hidden: number; heads: number; seqLen: number; batch: number[]; feedforward: string[] }[] = [
  { hidden: 20, heads: 5, seqLen: 7, batch: [1, 3], feedforward: ['dense-37', '1x3', '3x2'] },
  { hidden: 24, heads: 3, seqLen: 1, batch: [2], feedforward: ['dense-1', '1x0', '2x4'] },
  { hidden: 16, heads: 1, seqLen: 33, batch: [1], feedforward: ['1x5'] },
];

/**
 * The tree backends the encoder suite pairs with ort-node's graphs; native where npm ci could build
 * its addon (a machine without a C compiler: test/backends/backend-native.test.ts checks the reason).
 */
const NATIVE_BUILT = existsSync(join(ROOT, 'build', 'native', 'fffbench.node'));
const TREE_BACKENDS = [...(NATIVE_BUILT ? ['native'] : []), 'wasm-mt', 'wasm'];

const shapes = () =>
  ODD_ENCODERS.flatMap((e) =>
    e.feedforward.flatMap((f) =>
      e.batch.map((batch) => encoderShape({ hidden: e.hidden, heads: e.heads, seqLen: e.seqLen, batch, feedforward: parseFeedforward(f) as Feedforward })),
    ),
  );

describe('encoder layer on its engines, in process (node)', () => {
  const engines = new Map<string, Backend>();
  before(async () => {
    for (const name of ['ort-node', ...TREE_BACKENDS]) {
      const b = await loadBackend(name);
      const availability = await b.init({ runtime: 'node', cores: 2 });
      assert.ok(availability.ok, `${name}: ${JSON.stringify(availability)}`);
      engines.set(name, b);
    }
  });

  it('every odd shape checks ok on ort-node alone (dense) and on ort-node with each tree backend, the call and the call in parts', async () => {
    for (const shape of shapes()) {
      for (const trees of shape.tree === 'ufb' ? TREE_BACKENDS : [undefined]) {
        const backend = encoderBackend('ort-node', trees);
        const c = { id: caseId('node', backend, 'encoder', shape), runtime: 'node' as const, backend, model: 'encoder' as const, shape };
        const r = await runEncoderCase(c, { graphs: engines.get('ort-node')!, trees: trees ? engines.get(trees) : undefined }, TEST_CASE_CONTEXT);
        assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
        assert.ok(r.check?.ok && r.check.checkedSamples > 0, `${r.id}: ${r.check?.maxRelError}`);
        const split = r.encoder!.split!;
        assert.ok(split.rounds >= 5 && Object.values(split.parts).every((p) => p.n === split.rounds && p.median >= 0), r.id);
        assert.deepEqual(r.encoder!.engines, { attention: 'ort-node', feedforward: trees ?? 'ort-node', addNorm: 'ort-node' });
        // wasm's memory is an ordinary one: ort-node writes h into a lone tree's input and reads its output there when unpadded
        if (trees === 'wasm' && shape.encoder!.trees === 1) assert.equal(r.encoder!.attentionOutputInPlace, true, r.id);
        if (trees === 'wasm') assert.equal(r.encoder!.feedforwardOutputInPlace, shape.inputDim % 8 === 0, r.id);
        // wasm-mt's memory is shared: ort-node writes h into it only where its probe found that it can
        // (refused on Node 20, accepted on Node 26); else the tree's input is filled by a copy
        if (trees === 'wasm-mt' && shape.encoder!.trees === 1)
          assert.equal(r.encoder!.attentionOutputInPlace, engines.get('ort-node')!.graphs!().sharedMemoryInPlace, r.id);
        // native reads any JavaScript array in place, so every tree reads h where the graph wrote it, and
        // it offers its output array: no copy either way, however many trees
        if (trees === 'native') assert.deepEqual([r.encoder!.attentionOutputInPlace, r.encoder!.feedforwardOutputInPlace], [true, true], r.id);
      }
    }
  });

  it("with K = 1 the layer's feedforward is the tree backend's ufb kernel on h: y = LayerNorm(h + ufb(h))", async () => {
    const shape = encoderShape({ hidden: 24, heads: 3, seqLen: 5, batch: 3, feedforward: { kind: 'ufb', trees: 1, depth: 4 } });
    const w = initEncoder(shape, 12);
    const tree = w.feedforward.kind === 'ufb' ? w.feedforward.trees[0] : assert.fail();
    const x = new Rng(4).fillUniform(new Float32Array(15 * 24), 1);
    for (const name of TREE_BACKENDS) {
      const pipeline = await prepareEncoderPipeline(w, 3, { graphs: engines.get('ort-node')!, trees: engines.get(name)! });
      const kernel = await engines.get(name)!.prepare(tree, 15);
      try {
        await pipeline.run(x);
        const h = pipeline.attentionOutput().slice();
        const y = pipeline.output().slice();
        await kernel.run(h);
        const f = (await kernel.output()).slice();
        assert.ok(checkOutput(tree, h, f, 15).ok, `${name}: the ufb model on h against its reference`);
        for (let t = 0; t < 15; t++) {
          const want = layerNorm64(
            Array.from({ length: 24 }, (_, c) => h[t * 24 + c] + f[t * 24 + c]),
            w.norm2.gamma,
            w.norm2.beta,
          );
          for (let c = 0; c < 24; c++) assert.ok(Math.abs(y[t * 24 + c] - want[c]) < 1e-5, `${name}, token ${t}, column ${c}: ${y[t * 24 + c]} vs ${want[c]}`);
        }
      } finally {
        await pipeline.dispose();
        await kernel.dispose();
      }
    }
  });
});

describe('encoder layer in node, deno and bun workers (CLI), and its report', () => {
  const runtimes = ['node', 'deno', 'bun'] as const;
  let dir = '';
  let file: ResultsFile;
  before(() => {
    dir = tempDir();
    const suite = {
      name: 'encoder-odd',
      runtimes,
      encoders: ODD_ENCODERS.map((e) => ({
        hidden: e.hidden,
        heads: e.heads,
        seqLen: e.seqLen,
        batchSize: e.batch,
        feedforward: e.feedforward,
        graphs: ['ort-node'],
        trees: TREE_BACKENDS,
      })),
      measurement: { minTimeMs: 5, minSamples: 3, maxCaseTimeMs: 200, warmupSamples: 1, calibrate: false },
      seed: 7,
    };
    writeFileSync(join(dir, 'suite.json'), JSON.stringify(suite));
    const r = runCli(['run', join(dir, 'suite.json'), '--out', join(dir, 'results.json'), '--report'], { timeoutMs: 420_000 });
    assert.equal(r.status, 0, `${r.stderr}\n${r.stdout}`);
    file = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ResultsFile;
  });

  it('every case of every combination checks ok in every runtime', () => {
    const perRuntime = shapes().reduce((n, s) => n + (s.tree === 'ufb' ? TREE_BACKENDS.length : 1), 0);
    assert.equal(file.results.length, perRuntime * runtimes.length);
    for (const r of file.results) {
      assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
      assert.ok(r.check?.ok, `${r.id}: ${r.check?.maxRelError}`);
      assert.ok(r.encoder?.split, r.id);
    }
    assert.deepEqual(new Set(file.results.map((r) => r.runtime.name)), new Set(runtimes));
    // onnxruntime-node writes into a shared WebAssembly memory where its binding accepts one (Bun, and
    // Node from 22; Deno and Node 20 refuse it): the result says which, and its data path says the same
    for (const r of file.results.filter((x) => x.backend.name === 'ort-node+wasm-mt' && x.shape.encoder!.trees === 1)) {
      if (r.runtime.name === 'bun') assert.equal(r.encoder!.attentionOutputInPlace, true, r.id);
      assert.equal(r.encoder!.attentionOutputInPlace, /in wasm-mt's memory, read there in place/.test(r.encoder!.dataPath), `${r.id}: ${r.encoder!.dataPath}`);
    }
  });

  it('pairs each tree layer with the dense layers of its configuration, with the Amdahl bound', () => {
    const comparisons = file.encoderComparisons ?? [];
    const trees = file.results.filter((r) => r.shape.tree === 'ufb' && ODD_ENCODERS[0].hidden === r.shape.inputDim);
    assert.equal(comparisons.filter((c) => c.shape.inputDim === 20).length, trees.length);
    for (const c of comparisons) {
      assert.ok(c.amdahlBound! > 0 && c.denseFeedforwardShare! > 0 && c.denseFeedforwardShare! < 1, c.treeId);
      assert.ok(c.speedupCiLow <= c.speedup && c.speedup <= c.speedupCiHigh, c.treeId);
    }
  });

  it("the report shows the split, the end-to-end speedup, the Amdahl bound, the chart and the verdict table's row", () => {
    const report = join(dir, 'results-report');
    const md = readFileSync(join(report, 'summary.md'), 'utf8');
    assert.match(md, /## Encoder layer: does the feedforward's speedup survive a whole layer\?/);
    assert.match(
      md,
      /\| runtime \| tokens \(sequences × length\) \| feedforward vs dense \| tree layer \| dense layer \| end to end \[95% CI\] \| feedforward alone \[95% CI\] \| feedforward share of the dense layer \| Amdahl bound \|/,
    );
    assert.match(md, /\| node \| 21 \(3 × 7\) \| 1x3 vs dense-37 \| .* ort-node\+(native|wasm-mt|wasm) \| .* ort-node \| [\d.]+x \[/);
    assert.match(md, /attention half \| copies \| feedforward \| add \+ LayerNorm \| sum of parts \/ whole \(interleaved\)/);
    // the row: the question is asked of 1x11 against dense-4095, which this suite does not measure
    assert.match(
      md,
      /\| Not a paper claim — the question users ask: How much of the 78x reaches a whole layer here\? .* \| ⚪ not measured \| — \| nothing measured; run npx fffbench run encoder --report \|/,
    );
    assert.ok(existsSync(join(report, 'charts', 'encoder-speedup-dense-37-h20-a5-s7.png')));
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    assert.match(html, /<section id="encoder">/);
    assert.match(html, /class="verdict question"/);
  });
});
