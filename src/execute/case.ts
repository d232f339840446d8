/** One measurement to make: a model on a backend in a runtime, at one shape and batch size. */
import type { RuntimeName } from '../backends/types.ts';
import type { CaseShape, ModelKind } from '../model/shape.ts';

export interface CaseSpec {
  id: string;
  runtime: RuntimeName;
  backend: string;
  model: ModelKind;
  shape: CaseShape;
}

export function shapeKey(s: CaseShape): string {
  return `i${s.inputDim}-o${s.outputDim}-d${s.depth}-l${s.leafWidth}-b${s.batchSize}-${s.activation}`;
}

export function caseId(runtime: string, backend: string, model: ModelKind, shape: CaseShape): string {
  return `${runtime}/${backend}/${model}/${shapeKey(shape)}`;
}
