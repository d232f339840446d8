/**
 * A case, and its identity: one measurement to make — a model on a backend in a runtime, at one
 * shape and batch size. The id is what results files, journals, comparisons and history key on.
 */
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
 * not 2^d·ℓ, so it is another case than the FFF shape of the same numbers.
 */
export function shapeKey(s: CaseShape): string {
  return `i${s.inputDim}-o${s.outputDim}-d${s.depth}-l${s.leafWidth}-b${s.batchSize}-${s.activation}${s.tree === 'ufb' ? '-ufb' : ''}`;
}

/** A case's id: "<runtime>/<backend>/<model>/<shape key>". */
export function caseId(runtime: string, backend: string, model: ModelKind, shape: CaseShape): string {
  return `${runtime}/${backend}/${model}/${shapeKey(shape)}`;
}
