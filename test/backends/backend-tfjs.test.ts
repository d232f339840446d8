/**
 * The tfjs-wasm backend: correct on the odd shapes in every runtime, honest about a wasm
 * backend that did not start (no silent fallback), and no tensors leaked across calls.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTfjsWasmBackend, tfjsWasmBackend } from '../../src/backends/tfjs-wasm/index.ts';
import { Rng } from '../../src/model/rng.ts';
import { initDense, initFff } from '../../src/model/weights.ts';
import { assertRandomShapesPass, assertUfbOddShapes, ODD_SHAPES, okOrSkippedWithReason, randomShapes, ROOT, runTinySuite, tempDir } from '../support.ts';

/** Runs `init()` of a fresh backend in a child process (tfjs's engine is global and a failed start sticks). */
function initInChild(command: string[], wasmDir: string | null): { ok: boolean; reason?: string } {
  const options = wasmDir === null ? '' : JSON.stringify({ wasmDir });
  const script =
    `import { createTfjsWasmBackend } from './src/backends/tfjs-wasm/index.ts';\n` +
    `console.log('RESULT ' + JSON.stringify(await createTfjsWasmBackend(${options}).init({ runtime: 'node', cores: 1 })));\n`;
  const r = spawnSync(command[0], command.slice(1), { cwd: ROOT, input: script, encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no result from ${command.join(' ')}: ${r.stderr}`);
  return JSON.parse(line.slice('RESULT '.length));
}

const nodeStdin = [process.execPath, '--import', 'tsx', '--input-type=module', '-'];

describe('tfjs-wasm backend', () => {
  it('passes the odd shapes on node, deno and bun (or skips with a reason)', () => {
    const { file } = runTinySuite({ runtimes: ['node', 'deno', 'bun'], backends: ['tfjs-wasm'], timeoutMs: 240_000 });
    assert.equal(file.results.length, ODD_SHAPES.length * 2 * 3);
    for (const r of okOrSkippedWithReason(file.results)) {
      assert.equal(r.backend.name, 'tfjs-wasm');
      assert.equal(r.backend.threads, 1);
      assert.match(r.backend.notes ?? '', /SIMD (on|off)/);
    }
    assert.ok(
      file.results.some((r) => r.status === 'ok'),
      'no runtime ran the backend',
    );
  });

  it('has no UltraFastBERT kernel: its ufb cases are skipped with the reason', () => assertUfbOddShapes(tfjsWasmBackend));

  it('reports unavailable, with the cause, when the .wasm files are missing', () => {
    const r = initInChild(nodeStdin, '/nonexistent/tfjs-wasm/');
    assert.equal(r.ok, false);
    assert.match(r.reason!, /cannot read \/nonexistent\/tfjs-wasm\/tfjs-backend-wasm(-simd)?\.wasm/);
  });

  it('reports unavailable when tf.setBackend("wasm") fails, not a CPU fallback', () => {
    // Present but empty binaries get past the file check; tfjs then fails to compile them,
    // setBackend returns false and tf.getBackend() still says "wasm".
    const dir = tempDir();
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) writeFileSync(join(dir, name), '');
    const r = initInChild(nodeStdin, `${dir}/`);
    assert.equal(r.ok, false);
    assert.match(r.reason!, /setBackend\('wasm'\) returned false: .*CompileError/);
  });

  it('names the missing permission in Deno without --allow-read', (t) => {
    const deno = join(ROOT, 'node_modules', '.bin', 'deno');
    if (spawnSync(deno, ['--version']).status !== 0) return t.skip('deno is not installed');
    const r = initInChild([deno, 'run', '-'], null);
    assert.equal(r.ok, false);
    assert.match(r.reason!, /--allow-read/);
  });

  describe('in this process', () => {
    it('passes random shapes', async () => {
      assert.deepEqual(await tfjsWasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
      await assertRandomShapesPass(tfjsWasmBackend, randomShapes(17, 10));
    });

    it('leaks no tensors across calls and frees its weights on dispose', async () => {
      const tf = await import('@tensorflow/tfjs-core');
      assert.deepEqual(await tfjsWasmBackend.init({ runtime: 'node', cores: 1 }), { ok: true });
      const shape = { inputDim: 20, outputDim: 6, depth: 4, leafWidth: 3, activation: 'gelu' } as const;
      const before = tf.memory().numTensors;
      for (const weights of [initFff(shape, 1), initDense(shape, 1)]) {
        const batch = 9;
        const kernel = await tfjsWasmBackend.prepare(weights, batch);
        const prepared = tf.memory().numTensors;
        const input = new Rng(2).fillUniform(new Float32Array(batch * shape.inputDim), 1);
        for (let k = 0; k < 20; k++) await kernel.run(input);
        assert.equal(tf.memory().numTensors, prepared, `${weights.kind}: tensors leaked by run()`);
        assert.equal((await kernel.output()).length, batch * shape.outputDim);
        await kernel.dispose();
        assert.equal(tf.memory().numTensors, before, `${weights.kind}: tensors left after dispose()`);
      }
    });

    it('a second backend object reuses the first start (tfjs has one engine)', async () => {
      assert.deepEqual(await createTfjsWasmBackend().init({ runtime: 'node', cores: 1 }), { ok: true });
    });
  });
});
