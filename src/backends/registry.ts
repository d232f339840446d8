/**
 * Backend registry: name → lazy loader, so that a run pays only for the libraries it uses
 * (onnxruntime and tfjs take seconds to load).
 */
import type { Backend } from './types.ts';

const loaders: Record<string, () => Promise<Backend>> = {
  js: async () => (await import('./js/index.ts')).jsBackend,
};

export const BACKEND_NAMES = Object.keys(loaders);

export async function loadBackend(name: string): Promise<Backend> {
  const load = loaders[name];
  if (!load) throw new Error(`unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  return load();
}
