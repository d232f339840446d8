/**
 * The encoder layer (model/encoder.ts) assembled from engines: a backend that runs ONNX graphs
 * (Backend.graphs: the attention half, a dense feedforward, the final residual and LayerNorm) and,
 * for a tree feedforward, any backend with a `ufb` kernel (its trees, one kernel each, through the
 * ordinary Backend.prepare). Nothing here names a backend: the case's backend ("ort-node+wasm-mt")
 * says which ran.
 *
 * A call (run) is the whole layer on one batch of sequences, every copy between engines inside it:
 *   dense:  one graph, x → y.
 *   trees:  the attention graph writes h straight into the first tree's input in its kernel's
 *           memory (Kernel.inputs) where the graph engine can write there (an ordinary
 *           WebAssembly memory; a shared one only where GraphEngine.sharedMemoryInPlace), else into
 *           an ordinary array, copied into each tree's input (not for a kernel that reads any
 *           array in place, Kernel.readsInPlace: it reads h where it is); every tree runs reading its
 *           input in place; the add-and-norm graph reads h and each tree's output where it lies
 *           (Kernel.outputView, under the same condition) or from output()'s copy.
 * runParts makes the same call with each part timed: attention, copies, feedforward, addNorm. For
 * the trees it is the call itself; the dense layer's one graph cannot be timed inside, so its parts
 * run as three graphs (attention, feedforward, add and norm) on arrays that never move.
 */
import type { Backend, GraphEngine, GraphSession, Kernel } from '../backends/types.ts';
import { addNormGraph, attentionGraph, denseEncoderGraph, denseFeedforwardGraph, ENCODER_NAMES, type EncoderGraph } from '../backends/onnx/graphs-encoder.ts';
import type { EncoderPart, EncoderWeights } from '../model/encoder.ts';
import type { EncoderRun } from '../results/schema.ts';

export type PartTimes = Record<EncoderPart, number>;

/** What ran where and how the data moved between the engines (the result's `encoder`, less its split). */
export type EncoderFacts = Omit<EncoderRun, 'split'>;

export interface EncoderPipeline {
  /** One call of the whole layer on `input` (tokens × hidden). */
  run(input: Float32Array): Promise<void>;
  /** The same call with each part timed, in ns. */
  runParts(input: Float32Array): Promise<PartTimes>;
  /** The last call's output (tokens × hidden), valid until the next call. */
  output(): Float32Array;
  /** The last call's attention half output h (tokens × hidden): the feedforward's input. */
  attentionOutput(): Float32Array;
  readonly facts: EncoderFacts;
  dispose(): Promise<void>;
}

const now = () => performance.now() * 1e6;

async function open(engine: GraphEngine, graph: EncoderGraph): Promise<GraphSession> {
  return engine.open(graph.model, graph.dims);
}

/** Whether `engine` reads or writes `array` where it lies (an ordinary buffer, or a shared one it accepts). */
function reachable(engine: GraphEngine, array: Float32Array): boolean {
  return !(typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer) || engine.sharedMemoryInPlace;
}

/** The layer with a dense feedforward: one graph, and the three graphs of its split. */
async function prepareDense(w: EncoderWeights, sequences: number, graphs: Backend, engine: GraphEngine): Promise<EncoderPipeline> {
  const size = sequences * w.shape.encoder!.seqLen * w.shape.inputDim;
  const sessions: GraphSession[] = [];
  try {
    for (const graph of [denseEncoderGraph(w, sequences), attentionGraph(w, sequences), denseFeedforwardGraph(w, sequences), addNormGraph(w, sequences, 1)])
      sessions.push(await open(engine, graph));
  } catch (err) {
    await Promise.all(sessions.map((s) => s.dispose()));
    throw err;
  }
  const [whole, attention, feedforward, addNorm] = sessions;
  const { input: x, attention: hName, output: yName } = ENCODER_NAMES;
  const f0 = ENCODER_NAMES.feedforward(0);
  const y = new Float32Array(size);
  const h = new Float32Array(size);
  const f = new Float32Array(size);
  let last: 'whole' | 'parts' | undefined;
  return {
    async run(input) {
      await whole.run({ [x]: input }, { [yName]: y });
      last = 'whole';
    },
    async runParts(input) {
      const t0 = now();
      await attention.run({ [x]: input }, { [hName]: h });
      const t1 = now();
      await feedforward.run({ [hName]: h }, { [f0]: f });
      const t2 = now();
      await addNorm.run({ [hName]: h, [f0]: f }, { [yName]: y });
      const t3 = now();
      last = 'parts';
      return { attention: t1 - t0, copies: 0, feedforward: t2 - t1, addNorm: t3 - t2 };
    },
    output() {
      if (!last) throw new Error('output() before a call');
      return y;
    },
    attentionOutput() {
      if (last !== 'parts') throw new Error('the dense layer keeps h only after runParts()');
      return h;
    },
    facts: {
      engines: { attention: graphs.name, feedforward: graphs.name, addNorm: graphs.name },
      attentionOutputInPlace: true,
      feedforwardOutputInPlace: true,
      threads: { graphs: graphs.info().threads, feedforward: graphs.info().threads },
      dataPath: `one ${graphs.name} graph for the whole layer; its split runs the attention half, the feedforward and the add and norm as three graphs, each reading the previous one's output array in place`,
    },
    dispose: () => Promise.all(sessions.map((s) => s.dispose())).then(() => undefined),
  };
}

/** The layer with K trees on `trees`' ufb kernel around the attention and add-and-norm graphs. */
async function prepareTrees(w: EncoderWeights, sequences: number, graphs: Backend, engine: GraphEngine, trees: Backend): Promise<EncoderPipeline> {
  if (w.feedforward.kind !== 'ufb') throw new Error('prepareTrees: the layer has a dense feedforward');
  const tokens = sequences * w.shape.encoder!.seqLen;
  const size = tokens * w.shape.inputDim;
  const sessions: GraphSession[] = [];
  const kernels: Kernel[] = [];
  const release = async () => {
    await Promise.all(sessions.map((s) => s.dispose()));
    await Promise.all(kernels.map((k) => k.dispose()));
  };
  try {
    sessions.push(await open(engine, attentionGraph(w, sequences)));
    sessions.push(await open(engine, addNormGraph(w, sequences, w.feedforward.trees.length)));
    for (const tree of w.feedforward.trees) kernels.push(await trees.prepare(tree, tokens, { inputBatches: 1 }));
  } catch (err) {
    await release();
    throw err;
  }
  const [attention, addNorm] = sessions;
  const slots = kernels.map((k) => k.inputs?.[0]);
  // h goes where the first tree reads it, if the graph engine can write there; else an ordinary array
  const h = slots[0] && reachable(engine, slots[0]) ? slots[0] : new Float32Array(size);
  // a kernel that reads any array in place (native) reads h where it is, whoever's input it is
  const copyIn = slots.map((slot, k) => slot !== undefined && slot !== h && !kernels[k].readsInPlace);
  const views = kernels.map((k) => (k.outputView && reachable(engine, k.outputView) ? k.outputView : undefined));
  const y = new Float32Array(size);
  const { input: x, attention: hName, output: yName } = ENCODER_NAMES;
  const fNames = kernels.map((_, k) => ENCODER_NAMES.feedforward(k));

  const call = async (input: Float32Array, times?: PartTimes) => {
    let copies = 0;
    const t0 = now();
    await attention.run({ [x]: input }, { [hName]: h });
    const t1 = now();
    for (let k = 0; k < kernels.length; k++) if (copyIn[k]) slots[k]!.set(h);
    const t2 = now();
    copies += t2 - t1;
    for (let k = 0; k < kernels.length; k++) await kernels[k].run(copyIn[k] ? slots[k]! : h);
    const t3 = now();
    const fs: Record<string, Float32Array> = { [hName]: h };
    for (let k = 0; k < kernels.length; k++) fs[fNames[k]] = views[k] ?? (await kernels[k].output());
    const t4 = now();
    copies += t4 - t3;
    await addNorm.run(fs, { [yName]: y });
    const t5 = now();
    if (times) Object.assign(times, { attention: t1 - t0, copies, feedforward: t3 - t2, addNorm: t5 - t4 });
  };
  let ran = false;
  const copied = copyIn.filter(Boolean).length;
  const intoSlot = h === slots[0];
  const toTrees = intoSlot
    ? `the ${graphs.name} attention graph writes h into the first tree's input in ${trees.name}'s memory${copied > 0 ? `, copied into the other ${copied} trees' inputs` : ', read there in place'}`
    : copied > 0
      ? `the ${graphs.name} attention graph writes h into an ordinary array (${graphs.name} cannot write into ${trees.name}'s shared memory here), copied into ${copied === 1 ? "the tree's input" : `each of the ${copied} trees' inputs`}`
      : `the ${graphs.name} attention graph writes h into an ordinary array, which ${trees.name} reads in place`;
  const fInPlace = views.every(Boolean);
  const fromTrees = fInPlace
    ? `the ${graphs.name} add-and-norm graph reads h and the tree output${kernels.length === 1 ? '' : 's'} where they lie`
    : `the ${graphs.name} add-and-norm graph reads h, and ${kernels.length === 1 ? "the tree's output" : "each tree's output"} from its kernel's output() (a copy where the kernel keeps it in a memory of its own)`;
  const first = kernels[0];
  const facts: EncoderFacts = {
    engines: { attention: graphs.name, feedforward: trees.name, addNorm: graphs.name },
    attentionOutputInPlace: copied === 0,
    feedforwardOutputInPlace: fInPlace,
    dataPath: `${toTrees}; ${kernels.length} ${trees.name} tree kernel${kernels.length === 1 ? '' : 's'}; ${fromTrees}`,
    threads: { graphs: graphs.info().threads, feedforward: first.threads ?? trees.info().threads },
    ...(first.notes ? { feedforwardNotes: first.notes } : {}),
  };
  return {
    async run(input) {
      await call(input);
      ran = true;
    },
    async runParts(input) {
      const times = { attention: 0, copies: 0, feedforward: 0, addNorm: 0 };
      await call(input, times);
      ran = true;
      return times;
    },
    output() {
      if (!ran) throw new Error('output() before a call');
      return y;
    },
    attentionOutput() {
      if (!ran) throw new Error('attentionOutput() before a call');
      return h;
    },
    facts,
    dispose: release,
  };
}

/**
 * The pipeline of `w` for `sequences` sequences a call: on `graphs` alone for a dense feedforward,
 * with the trees on `trees` otherwise. Throws when an engine cannot do its part.
 */
export async function prepareEncoderPipeline(w: EncoderWeights, sequences: number, engines: { graphs: Backend; trees?: Backend }): Promise<EncoderPipeline> {
  const engine = engines.graphs.graphs?.();
  if (!engine) throw new Error(`${engines.graphs.name} runs no ONNX graphs (Backend.graphs), which the encoder layer's attention half needs`);
  if (w.feedforward.kind === 'dense') return prepareDense(w, sequences, engines.graphs, engine);
  if (!engines.trees) throw new Error('an encoder layer with trees needs a backend for them ("<graphs>+<trees>")');
  return prepareTrees(w, sequences, engines.graphs, engine, engines.trees);
}
