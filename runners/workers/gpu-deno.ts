/** WebGPU for Deno: the built-in navigator.gpu (wgpu; no flag needed since Deno 2). */
export async function denoGpu(): Promise<GPU> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new Error('this Deno has no navigator.gpu');
  return gpu;
}
