/**
 * What a WebGPU adapter is, as far as it says: the one rule that the backends apply when they open
 * an adapter and that reports apply to what a results file recorded.
 *
 *  - `software`: a CPU implementation of WebGPU (Mesa's llvmpipe and lavapipe, SwiftShader, WARP),
 *    by its name or because it calls itself a fallback adapter;
 *  - `unidentified`: no vendor, architecture, device or description that names anything (empty,
 *    or bare numbers such as a PCI id or "0"). Deno's wgpu on Mesa's OpenGL llvmpipe reports
 *    exactly that on some machines: a CPU rasteriser that does not say so. Fail closed: nothing
 *    shows it is a GPU, so it is treated as none;
 *  - `hardware`: an adapter that names itself and is none of the above.
 */
export const ADAPTER_CLASSES = ['hardware', 'software', 'unidentified'] as const;
export type AdapterClass = (typeof ADAPTER_CLASSES)[number];

/** The fields of GPUAdapterInfo the rule reads (absent ones as ''). */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapter(Info).isFallbackAdapter: the implementation says it is a fallback (typically a CPU). */
  fallback: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|\bwarp\b|basic render|software/i;
/** What a label or a note from before backend.adapterClass existed says of a CPU implementation. */
const SOFTWARE_RECORD = /software adapter|llvmpipe|lavapipe|swiftshader|softpipe|\bwarp\b|emulat/i;
/** Labels of adapters that named nothing, written by this rule ("unidentified") and before it ("unnamed"). */
const UNIDENTIFIED_RECORD = /unidentified adapter|unnamed adapter/i;

/** Whether a word names something: not a bare number ("4318", "0x10de", "0"). */
const namesSomething = (word: string) => word !== '' && !/^(0x[0-9a-f]+|\d+)$/i.test(word);

/** Whether any word of `text` names something. */
export function hasName(text: string): boolean {
  return text.split(/\s+/).some(namesSomething);
}

export function classifyAdapter(id: AdapterIdentity): AdapterClass {
  const text = [id.vendor, id.architecture, id.device, id.description].join(' ');
  if (id.fallback || SOFTWARE_NAMES.test(text)) return 'software';
  return hasName(text) ? 'hardware' : 'unidentified';
}

/** A GPU backend's record in a results file (Result.backend): the adapter's label and class, its notes. */
export interface AdapterRecord {
  adapter?: string;
  adapterClass?: AdapterClass;
  notes?: string;
}

/**
 * The class of the adapter a result ran on; undefined for a backend that used none (a CPU backend).
 * Files written before `adapterClass` existed are read from the label and the notes.
 */
export function adapterClassOf(record: AdapterRecord): AdapterClass | undefined {
  if (record.adapterClass) return record.adapterClass;
  if (SOFTWARE_RECORD.test(record.adapter ?? '') || SOFTWARE_RECORD.test(record.notes ?? '')) return 'software';
  if (record.adapter === undefined) return undefined;
  return UNIDENTIFIED_RECORD.test(record.adapter) || !hasName(record.adapter) ? 'unidentified' : 'hardware';
}
