/**
 * ONNX model serialisation: the few messages of onnx.proto a feed-forward graph needs
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto), with their
 * field numbers from onnx/onnx.proto, written with the protobuf writer in protobuf.ts.
 *
 * Plus GraphBuilder: adds nodes with generated output names, so graph code reads like a formula.
 */
import { CaseTooLarge } from '../types.ts';
import { ProtoWriter } from './protobuf.ts';

/** TensorProto.DataType values. */
const DATA_TYPE = { float32: 1, int64: 7, bool: 9 } as const;
export type ElemType = keyof typeof DATA_TYPE;

/** AttributeProto.AttributeType values. */
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, INTS: 7 } as const;

export type AttributeValue = number | number[] | { float: number };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  /** Integers (INT), integer lists (INTS), or { float } (FLOAT). */
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
  /** A parameter of the layer (added with GraphBuilder.weight): where it goes depends on the WeightPlacement. */
  weight?: boolean;
}

/**
 * Where the encoder puts the parameter tensors (weights and biases; small constants such as shapes
 * and scalars are always initializers in the model):
 *   - 'initializers': in the model as initializers with raw_data, as constants onnxruntime can fold
 *     and prepack. The whole model must stay under protobuf's 2 GiB.
 *   - 'inputs': as extra graph inputs after 'x', fed with the caller's arrays on every run (see
 *     graphs.ts and session.ts).
 * (ONNX external data, TensorProto.data_location EXTERNAL handed over in memory through the
 * `externalData` session option, was tried: onnxruntime-node 1.30 copies it into its own tensors
 * and still refuses any one tensor over 2 GiB, as the dense W1 of width 2^20 at i = 768 is.)
 */
export type WeightPlacement = 'initializers' | 'inputs';

export interface OnnxValueInfo {
  name: string;
  elemType: ElemType;
  dims: number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** Opset of the default ONNX domain the graphs are written against. */
export const OPSET = 17;
/** IR version 8 goes with opset 17 (onnx/docs/Versioning.md). */
const IR_VERSION = 8;

function encodeAttribute(name: string, value: AttributeValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return w.int(3, value).int(20, ATTRIBUTE_TYPE.INT);
  if (Array.isArray(value)) return w.packedInts(8, value).int(20, ATTRIBUTE_TYPE.INTS);
  return w.float(2, value.float).int(20, ATTRIBUTE_TYPE.FLOAT);
}

function encodeNode(node: OnnxNode, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, `${node.opType}_${index}`);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) w.message(5, encodeAttribute(name, value));
  return w;
}

function encodeTensor(t: OnnxTensor): ProtoWriter {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) throw new Error(`initializer ${t.name}: dims ${t.dims} hold ${count} values, data has ${t.data.length}`);
  const w = new ProtoWriter().packedInts(1, t.dims);
  w.int(2, t.data instanceof Float32Array ? DATA_TYPE.float32 : DATA_TYPE.int64);
  w.string(8, t.name);
  // raw_data is little-endian; typed arrays are in platform order, little-endian on every target here
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function encodeValueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, new ProtoWriter().int(1, d)); // Dimension.dim_value
  const tensorType = new ProtoWriter().int(1, DATA_TYPE[v.elemType]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType); // TypeProto.tensor_type
  return new ProtoWriter().string(1, v.name).message(2, type);
}

/** Serialised ModelProto bytes, ready for InferenceSession.create, with the parameters placed as `placement` says. */
export function encodeModel(graph: OnnxGraph, placement: WeightPlacement = 'initializers'): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((node, k) => {
    g.message(1, encodeNode(node, k));
  });
  g.string(2, graph.name);
  const asInputs = placement === 'inputs';
  for (const t of graph.initializers) {
    if (!(asInputs && t.weight)) g.message(5, encodeTensor(t));
  }
  for (const v of graph.inputs) g.message(11, encodeValueInfo(v));
  if (asInputs) {
    for (const t of graph.initializers) {
      if (t.weight) g.message(11, encodeValueInfo({ name: t.name, elemType: t.data instanceof Float32Array ? 'float32' : 'int64', dims: t.dims }));
    }
  }
  for (const v of graph.outputs) g.message(12, encodeValueInfo(v));

  const model = new ProtoWriter().int(1, IR_VERSION).string(2, 'fffbench').message(7, g).message(8, new ProtoWriter().string(1, '').int(2, OPSET)); // opset_import: default domain
  // protobuf (and so onnxruntime's parser) cannot read messages of 2 GiB or more
  if (model.byteLength >= 2 ** 31) throw new CaseTooLarge(`ONNX model of ${(model.byteLength / 2 ** 30).toFixed(2)} GiB exceeds protobuf's 2 GiB limit`);
  return model.finish();
}

/** Builds an OnnxGraph node by node; `op` returns the name of the node's (single) output. */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private counter = 0;

  input(name: string, elemType: ElemType, dims: number[]): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** A constant tensor stored in the model (weights, shapes, scalars). */
  constant(name: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A parameter of the layer (see WeightPlacement): an initializer, or a graph input fed on every run. */
  weight(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dims, data, weight: true });
    return name;
  }

  int64(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(name, BigInt64Array.from(values, BigInt), dims);
  }

  float(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.constant(name, Float32Array.from(values), dims);
  }

  op(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, outputName?: string): string {
    const output = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ opType, inputs, outputs: [output], attributes });
    return output;
  }

  build(name: string, outputs: OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs };
  }
}
