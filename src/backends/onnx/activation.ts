/**
 * The activation as ONNX nodes, shared by the graphs of every model.
 *
 * GELU is the exact erf form, written as x·0.5·(1 + Erf(x/√2)): it works on any opset, and
 * onnxruntime's GeluFusion turns the pattern into its single Gelu kernel at level 'all' (checked
 * on onnxruntime-node 1.30 by dumping the optimised model). The opset-20 `Gelu` op also runs on
 * onnxruntime 1.30 (web and node) but gains nothing over the fused pattern.
 */
import type { Activation } from '../../model/activation.ts';
import type { GraphBuilder } from './onnx-model.ts';

/** act(h), elementwise; the constants are named after `h`, so a graph may activate several tensors. */
export function activate(g: GraphBuilder, h: string, activation: Activation): string {
  if (activation === 'relu') return g.op('Relu', [h]);
  const erf = g.op('Erf', [g.op('Div', [h, g.float(`${h}_sqrt2`, [Math.SQRT2], [])])]);
  const onePlusErf = g.op('Add', [erf, g.float(`${h}_one`, [1], [])]);
  return g.op('Mul', [g.op('Mul', [h, onePlusErf]), g.float(`${h}_half`, [0.5], [])]);
}
