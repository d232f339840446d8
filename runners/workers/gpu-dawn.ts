/**
 * WebGPU for Node and Bun: Dawn through the `webgpu` npm package (dawn.node, a native addon).
 * Loaded lazily, so a run that uses no GPU backend never loads the addon.
 */
let entry: Promise<GPU> | undefined;

type WriteBuffer = (buffer: GPUBuffer, offset: number, data: ArrayBufferView | ArrayBufferLike, dataOffset?: number, size?: number) => void;

/**
 * dawn.node rejects queue.writeBuffer data backed by a SharedArrayBuffer ("Invalid argument"),
 * which is what onnxruntime-web's threaded WebAssembly heap is: such data is copied first.
 * Offsets and sizes keep their meaning (elements for a view, bytes for a buffer).
 */
function copySharedWrites(queuePrototype: { writeBuffer: WriteBuffer } | undefined): void {
  if (!queuePrototype || typeof SharedArrayBuffer === 'undefined') return;
  const original = queuePrototype.writeBuffer;
  queuePrototype.writeBuffer = function (this: GPUQueue, buffer, offset, data, dataOffset, size) {
    let plain = data;
    if (data instanceof SharedArrayBuffer) plain = new Uint8Array(data).slice().buffer;
    else if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) plain = (data as Uint8Array).slice();
    return original.call(this, buffer, offset, plain, dataOffset, size);
  };
}

/** The GPU entry point (navigator.gpu's equivalent), created once per process; rejects with why not. */
export function dawnGpu(): Promise<GPU> {
  entry ??= (async () => {
    const { create, globals } = await import('webgpu');
    // Dawn's objects check their arguments against these classes (GPUBufferUsage, GPUDevice, …).
    Object.assign(globalThis, globals);
    copySharedWrites((globals as { GPUQueue?: { prototype: { writeBuffer: WriteBuffer } } }).GPUQueue?.prototype);
    return create([]);
  })();
  return entry;
}
