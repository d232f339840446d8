/**
 * WebGPU for Node and Bun: Dawn through the `webgpu` npm package (dawn.node, a native addon).
 * Loaded lazily, so a run that uses no GPU backend never loads the addon.
 */
let entry: Promise<GPU> | undefined;

/** The GPU entry point (navigator.gpu's equivalent), created once per process; rejects with why not. */
export function dawnGpu(): Promise<GPU> {
  entry ??= (async () => {
    const { create, globals } = await import('webgpu');
    // Dawn's objects check their arguments against these classes (GPUBufferUsage, GPUDevice, …).
    Object.assign(globalThis, globals);
    return create([]);
  })();
  return entry;
}
