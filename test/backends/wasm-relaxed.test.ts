/**
 * The relaxed-SIMD build of the wasm kernels: derived from the same kernels/*.wat at assembly time,
 * committed as assembled, chosen at init where the engine validates it (FFFBENCH_WASM_SIMD=plain
 * forces the plain build), and both builds pass the float64 reference check in process and in
 * every pinned runtime's workers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { assembleKernels, KERNEL_BUILDS, kernelSource, kernelsUrl } from '../../src/backends/wasm/assemble.ts';
import { prepareDense } from '../../src/backends/wasm/dense.ts';
import { prepareFff } from '../../src/backends/wasm/fff.ts';
import { relaxSimd } from '../../src/backends/wasm/relaxed.ts';
import { chooseVariant, SIMD_SETTING, type SimdVariant } from '../../src/backends/wasm/simd-variant.ts';
import { prepareUfb } from '../../src/backends/wasm/ufb.ts';
import { wasmBackend } from '../../src/backends/wasm/index.ts';
import type { Backend } from '../../src/backends/types.ts';
import { assertRandomShapesPass, assertUfbOddShapes, randomShapes, runTinySuite } from '../support.ts';

const committed = (build: (typeof KERNEL_BUILDS)[number]) => new Uint8Array(readFileSync(fileURLToPath(kernelsUrl(build))));

/** The wasm backend running one build's module, whatever the engine would choose. */
function wasmOn(module: WebAssembly.Module, variant: SimdVariant): Backend {
  return {
    name: 'wasm',
    models: wasmBackend.models,
    init: async () => ({ ok: true }),
    info: () => ({ ...wasmBackend.info(), kernelBuild: variant }),
    prepare: async (w, batch, options) =>
      w.kind === 'dense'
        ? prepareDense(module, w, batch)
        : w.kind === 'fff'
          ? prepareFff(module, w, batch)
          : prepareUfb(module, w, batch, options?.inputBatches),
  };
}

describe('relaxed SIMD: the build', () => {
  it('every committed build is exactly its assembly (run npm run build:wasm after editing the .wat)', async () => {
    for (const build of KERNEL_BUILDS) {
      const rebuilt = await assembleKernels(build);
      assert.ok(Buffer.from(rebuilt).equals(Buffer.from(committed(build))), `${kernelsUrl(build).pathname.split('/').pop()}: bytes differ`);
    }
  });

  it('rewrites folded multiply-adds into relaxed_madd / relaxed_nmadd, and only where the accumulator can be read last', () => {
    const { source, counts } = relaxSimd(
      [
        '(local.set $c (f32x4.add (local.get $c) (f32x4.mul (local.get $x) (v128.load (local.get $p))))) ;; keep (f32x4.mul) in a comment',
        '(local.set $d (f32x4.add (f32x4.mul (local.get $x) (local.get $y)) (local.get $d)))',
        '(local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 1 1 1 1))))',
        '(local.set $e (f32x4.add (local.get $x) (f32x4.mul (local.tee $x (local.get $y)) (local.get $y))))',
        '(local.set $i (i32x4.trunc_sat_f32x4_s (local.get $n)))',
      ].join('\n'),
    );
    const lines = source.split('\n');
    assert.equal(lines[0], '(local.set $c (f32x4.relaxed_madd (local.get $x) (v128.load (local.get $p)) (local.get $c))) ;; keep (f32x4.mul) in a comment');
    assert.equal(lines[1], '(local.set $d (f32x4.relaxed_madd (local.get $x) (local.get $y) (local.get $d)))');
    assert.equal(lines[2], '(local.set $r (f32x4.relaxed_nmadd (local.get $n) (v128.const f32x4 1 1 1 1) (local.get $r)))');
    assert.match(lines[3], /^\(local\.set \$e \(f32x4\.add /, 'the tee writes the local the accumulator reads: left as written');
    assert.equal(lines[4], '(local.set $i (i32x4.relaxed_trunc_f32x4_s (local.get $n)))');
    assert.deepEqual(counts, { 'f32x4.relaxed_madd': 2, 'f32x4.relaxed_nmadd': 1, 'i32x4.relaxed_trunc_f32x4_s': 1 });
  });

  it('reaches the hot loops of every kernel part, and leaves the plain build alone', () => {
    for (const part of ['gemm.wat', 'tree.wat', 'leaves.wat', 'ufb.wat']) {
      const text = readFileSync(fileURLToPath(new URL(`../../src/backends/wasm/kernels/${part}`, import.meta.url)), 'utf8');
      assert.ok(relaxSimd(text).counts['f32x4.relaxed_madd'] >= 4, `${part}: its multiply-adds are relaxed`);
    }
    assert.doesNotMatch(kernelSource(), /relaxed/);
    const relaxed = kernelSource({ relaxed: true });
    assert.doesNotMatch(relaxed, /\(f32x4\.add\s+\(local\.get \$\w+\)\s+\(f32x4\.mul/, 'no accumulate-of-product left unfused');
    const exports = (bytes: Uint8Array) => WebAssembly.Module.exports(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)).map((e) => e.name);
    if (WebAssembly.validate(committed({ relaxed: true })))
      assert.deepEqual(exports(committed({ relaxed: true })), exports(committed({})), 'the same functions');
  });
});

describe('relaxed SIMD: the choice', () => {
  it('relaxed where the engine validates it; plain where it does not (an engine without relaxed SIMD falls back); FFFBENCH_WASM_SIMD forces either', () => {
    const yes = () => true;
    const no = () => false;
    for (const shared of [false, true]) {
      assert.deepEqual(pick(chooseVariant(shared, undefined, yes)), ['relaxed', 'the engine validates relaxed SIMD']);
      assert.deepEqual(pick(chooseVariant(shared, 'auto', no)), ['plain', 'this engine does not validate relaxed SIMD']);
      assert.deepEqual(pick(chooseVariant(shared, 'plain', yes)), ['plain', `${SIMD_SETTING}=plain`]);
      const choice = chooseVariant(shared, 'plain', yes);
      assert.ok(choice.ok && Buffer.from(choice.bytes).equals(Buffer.from(committed({ shared }))), "the plain build's bytes");
    }
    const refused = chooseVariant(false, 'relaxed', no);
    assert.ok(!refused.ok && /FFFBENCH_WASM_SIMD=relaxed, but this engine does not validate relaxed SIMD/.test(refused.reason));
    const bad = chooseVariant(false, 'fma', yes);
    assert.ok(!bad.ok && /FFFBENCH_WASM_SIMD="fma": expected relaxed, plain or auto/.test(bad.reason));
    // this engine: relaxed exactly where it validates the relaxed build (Node 20 does not, Node 22 and later do)
    const here = chooseVariant(false);
    assert.ok(here.ok);
    if (!process.env[SIMD_SETTING]) assert.equal(here.variant, WebAssembly.validate(committed({ relaxed: true })) ? 'relaxed' : 'plain');
  });
});

function pick(c: ReturnType<typeof chooseVariant>): [string, string] {
  assert.ok(c.ok, c.ok ? '' : c.reason);
  return [c.variant, c.why];
}

describe('relaxed SIMD: both builds against the float64 reference', () => {
  for (const variant of ['relaxed', 'plain'] as const) {
    it(`the ${variant} build passes random shapes and the UltraFastBERT odd shapes (in process)`, async (t) => {
      const bytes = committed({ relaxed: variant === 'relaxed' });
      if (!WebAssembly.validate(bytes))
        return t.skip(`this engine (${process.version}) has no relaxed SIMD: the workers' test below runs it on the pinned runtimes`);
      const backend = wasmOn(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), variant);
      await assertRandomShapesPass(backend, randomShapes(2028, 12, { inputDim: 90, outputDim: 30, depth: 7, leafWidth: 20, batchSize: 70 }));
      await assertUfbOddShapes(backend);
    });
  }

  it('in the workers of node, node@22, deno and bun: relaxed where each validates it, plain when forced, every check ok, the build in each result', () => {
    const runtimes = ['node', 'node@22', 'deno', 'bun'];
    const shapes = [
      { inputDim: 33, outputDim: 7, depth: 3, leafWidth: 1, batchSize: 257, activation: 'relu' as const },
      { inputDim: 40, outputDim: 16, depth: 4, leafWidth: 9, batchSize: 70, activation: 'gelu' as const },
    ];
    for (const setting of ['auto', 'plain']) {
      const { file } = runTinySuite({
        runtimes,
        backends: ['wasm', 'wasm-mt'],
        shapes,
        name: `wasm-simd-${setting}`,
        env: { [SIMD_SETTING]: setting },
        timeoutMs: 240_000,
      });
      assert.equal(file.results.length, runtimes.length * 2 * shapes.length * 2);
      for (const r of file.results) {
        assert.equal(r.status, 'ok', `${r.id}: ${r.reason}`);
        assert.ok(r.check?.ok, `${r.id}: max error ${r.check?.maxRelError}`);
        // every pinned runtime validates relaxed SIMD (V8 from Node 22, Deno, Bun 1.4's JavaScriptCore)
        assert.equal(r.backend.kernelBuild, setting === 'plain' ? 'plain' : 'relaxed', `${r.id} (${r.runtime.name} ${r.runtime.version})`);
        assert.match(
          r.backend.notes ?? '',
          setting === 'plain' ? /kernels: SIMD128 \(f32x4\.mul then f32x4\.add, no FMA\)/ : /kernels: relaxed SIMD \(f32x4\.relaxed_madd/,
        );
      }
    }
  });
});
