/**
 * Backend registry: name → lazy loader, so that a run pays only for the libraries it uses
 * (onnxruntime and tfjs take seconds to load).
 */
import type { Backend } from './types.ts';

const loaders: Record<string, () => Promise<Backend>> = {
  js: async () => (await import('./js/index.ts')).jsBackend,
  wasm: async () => (await import('./wasm/index.ts')).wasmBackend,
  'wasm-mt': async () => (await import('./wasm-mt/index.ts')).wasmMtBackend,
  webgpu: async () => (await import('./webgpu/index.ts')).webgpuBackend,
  'ort-webgpu': async () => (await import('./onnx/ort-webgpu.ts')).ortWebGpuBackend,
  'tfjs-wasm': async () => (await import('./tfjs-wasm/index.ts')).tfjsWasmBackend,
  'ort-wasm': async () => (await import('./onnx/ort-web.ts')).ortWasmBackend,
  'ort-wasm-mt': async () => (await import('./onnx/ort-web.ts')).ortWasmMtBackend,
  'ort-node': async () => (await import('./onnx/ort-node.ts')).ortNodeBackend,
  native: async () => (await import('./native/index.ts')).nativeBackend,
};

/**
 * Backends from outside the tree: FFFBENCH_BACKEND_MODULES="name=/path/to/module.ts,…", each module
 * exporting its Backend as `default`. Used by the tests to plant faulty backends; also lets a user
 * try a backend without editing this file.
 */
const extra = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FFFBENCH_BACKEND_MODULES;
for (const entry of extra ? extra.split(',') : []) {
  const [name, path] = entry.split('=');
  if (name && path) loaders[name] = async () => (await import(new URL(`file://${path}`).href)).default as Backend;
}

export const BACKEND_NAMES = Object.keys(loaders);

export async function loadBackend(name: string): Promise<Backend> {
  const load = loaders[name];
  if (!load) throw new Error(`unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  return load();
}
