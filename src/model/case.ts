/**
 * A case, and its identity: one measurement to make — a model on a backend in a runtime, at one
 * shape and batch size. The id is what results files, journals, comparisons and history key on.
 */
import { encoderKey } from './encoder.ts';
import type { RuntimeName } from './runtimes.ts';
import type { CaseShape, ModelKind } from './shape.ts';

export interface CaseSpec {
  id: string;
  runtime: RuntimeName;
  backend: string;
  model: ModelKind;
  shape: CaseShape;
}

/**
 * The shape and batch size of a case, e.g. "i768-o768-d8-l32-b64-relu", with "-ufb" appended for a
 * UltraFastBERT shape ("i768-o768-d11-l1-b16384-gelu-ufb"): its dense layer is 2^(d+1) − 1 wide,
 * not 2^d·ℓ, so it is another case than the FFF shape of the same numbers. An encoder layer's names
 * its sizes and feedforward: "h768-a12-s128-b4-1x11" (encoder.ts).
 */
export function shapeKey(s: CaseShape): string {
  if (s.encoder) return encoderKey(s);
  return `i${s.inputDim}-o${s.outputDim}-d${s.depth}-l${s.leafWidth}-b${s.batchSize}-${s.activation}${s.tree === 'ufb' ? '-ufb' : ''}`;
}

/**
 * A case's id: "<runtime>/<backend>/<model>/<shape key>". An encoder layer's backend names what ran
 * where: "ort-node" (the whole dense layer as one graph), "ort-node+wasm-mt" (the attention half and
 * the final add and LayerNorm on ort-node, the trees on wasm-mt); see encoderEngines.
 */
export function caseId(runtime: string, backend: string, model: ModelKind, shape: CaseShape): string {
  return `${runtime}/${backend}/${model}/${shapeKey(shape)}`;
}

/** The engines an encoder case's backend names: the graph engine, and for a tree feedforward the tree's backend. */
export function encoderEngines(backend: string): { graphs: string; trees?: string } {
  const [graphs, trees] = backend.split('+');
  return trees ? { graphs, trees } : { graphs };
}

/** An encoder case's backend: "ort-node", or "ort-node+wasm-mt" when the trees run elsewhere. */
export function encoderBackend(graphs: string, trees?: string): string {
  return trees ? `${graphs}+${trees}` : graphs;
}
