/**
 * The results file: the only thing runners, reports and compare exchange. Field names are a
 * contract (nightly CI and reports read them); add fields freely, rename none without bumping
 * schemaVersion.
 */
import { z } from 'zod';
import { CalibrationSchema, MeasureSettingsSchema, RooflineSchema, StatsSchema } from '../measure/schema.ts';
import { isRuntimeLabel, type RuntimeLabel } from '../model/runtimes.ts';
import { ADAPTER_CLASSES } from '../model/adapter.ts';
import { ShapeSchema } from '../model/schema.ts';
import { ENCODER_PARTS } from '../model/encoder.ts';
import { MODEL_KINDS } from '../model/shape.ts';

/**
 * 2: the tree side of a comparison is `treeId` / `treeBackend` (it is UltraFastBERT's tree on its
 * shapes, not always an FFF); version 1 named them `fffId` / `fffBackend`. load.ts reads both.
 */
export const SCHEMA_VERSION = 2;

/**
 * A runtime's name in a results file: "node", "node@22", "deno", "bun" (src/model/runtimes.ts). A
 * line since removed from RUNTIME_NAMES still loads, so a history outlives the lines it measured.
 */
export const RuntimeLabelSchema = z.custom<RuntimeLabel>((v) => typeof v === 'string' && isRuntimeLabel(v), {
  message: 'expected a runtime name: node, deno or bun, optionally with @ and a Node line (node@22)',
});

export const CheckSchema = z.object({
  /** Largest |backend − reference| over the checked outputs. */
  maxAbsError: z.number(),
  /** Largest |backend − reference| / magnitude, magnitude being the forward pass on |x|, |w|. */
  maxRelError: z.number(),
  tolerance: z.number(),
  ok: z.boolean(),
  /** Samples of the batch compared with the reference (all of them unless the reference is too costly). */
  checkedSamples: z.number().int(),
  /** Tree samples (FFF or UltraFastBERT) whose path has a node score within rounding of zero (either branch accepted). */
  ambiguousSamples: z.number().int(),
});

/**
 * How an encoder layer ran (model `encoder`, src/execute/encoder-pipeline.ts): its engines, how the
 * data moved between them, and its split.
 */
export const EncoderRunSchema = z.object({
  /** The backend each part ran on. */
  engines: z.object({ attention: z.string(), feedforward: z.string(), addNorm: z.string() }),
  /** Whether the attention half wrote h where the feedforward read it (no copy between them). */
  attentionOutputInPlace: z.boolean(),
  /** Whether the final add and norm read the feedforward's output where it was written (no copy). */
  feedforwardOutputInPlace: z.boolean(),
  /** The data path in words. */
  dataPath: z.string(),
  /** Threads of the graph engine, and of the feedforward's kernels for this case (a multi-threaded backend may run a small case on one). */
  threads: z.object({ graphs: z.number().int(), feedforward: z.number().int() }),
  /** The feedforward kernels' notes for this case (why it ran on fewer threads). */
  feedforwardNotes: z.string().optional(),
  /**
   * The split: `rounds` rounds, each one whole call (`whole`) then one call with each part timed
   * (attention, copies, feedforward, addNorm), on the same rotation of inputs; ns. The sum of the
   * parts' medians beside `whole`'s median shows what timing in parts adds (a dense layer's parts
   * run as three graphs where its call is one).
   */
  split: z
    .object({
      rounds: z.number().int(),
      whole: StatsSchema,
      parts: z.object(Object.fromEntries(ENCODER_PARTS.map((p) => [p, StatsSchema])) as Record<(typeof ENCODER_PARTS)[number], typeof StatsSchema>),
    })
    .optional(),
});

export const ResultSchema = z.object({
  id: z.string(),
  /** The runtime as the suite named it (its line: part of the case's identity) and the exact version that ran. */
  runtime: z.object({ name: RuntimeLabelSchema, version: z.string() }),
  backend: z.object({
    name: z.string(),
    version: z.string(),
    threads: z.number().int(),
    denseKernel: z.string().optional(),
    fffStrategy: z.string().optional(),
    ufbStrategy: z.string().optional(),
    /** The build of the backend's kernels that ran, where it has several (wasm: relaxed or plain SIMD). */
    kernelBuild: z.string().optional(),
    notes: z.string().optional(),
    adapter: z.string().optional(),
    /** hardware, software (a CPU implementation) or unidentified (names nothing): src/model/adapter.ts. */
    adapterClass: z.enum(ADAPTER_CLASSES).optional(),
  }),
  model: z.enum(MODEL_KINDS),
  shape: ShapeSchema,
  status: z.enum(['ok', 'skipped', 'failed', 'invalid']),
  reason: z.string().optional(),
  check: CheckSchema.optional(),
  stats: StatsSchema.optional(),
  cost: z.object({ macsPerSample: z.number(), weightBytes: z.number(), bytesTouchedPerSample: z.number() }),
  /** The roofline floor (max of flops / peak and bytes / bandwidth) and the median as a multiple of it. */
  roofline: RooflineSchema.extend({ multiple: z.number() }).optional(),
  /** Timed calls cycle through `batches` distinct random input batches (batches × batchSize samples). */
  rotation: z.object({ batches: z.number().int(), distinctSamples: z.number().int() }).optional(),
  /** Model `encoder` only: what ran where, and the split (EncoderRunSchema). */
  encoder: EncoderRunSchema.optional(),
});

/**
 * One tree against one dense layer of the same shape (the results file's `comparisons`): the FFF,
 * or on a UltraFastBERT shape (`shape.tree` "ufb") UltraFastBERT's tree, whose result `treeId` names.
 */
export const SpeedupPairSchema = z.object({
  runtime: RuntimeLabelSchema,
  backend: z.string(),
  /** bestComparisons only: the backends of the fastest tree (FFF or UltraFastBERT) and of the fastest dense. */
  treeBackend: z.string().optional(),
  denseBackend: z.string().optional(),
  shape: ShapeSchema,
  /** The tree side's result: model fff, or ufb on a UltraFastBERT shape. */
  treeId: z.string(),
  denseId: z.string(),
  speedup: z.number(),
  speedupCiLow: z.number(),
  speedupCiHigh: z.number(),
  theoreticalSpeedup: z.number(),
  efficiency: z.number(),
});

/**
 * A tree-feedforward encoder layer against a dense-feedforward one of the same runtime and sizes
 * (the results file's `encoderComparisons`; src/results/encoder-comparisons.ts says how each field
 * is computed). The Amdahl fields need both layers' splits.
 */
export const EncoderComparisonSchema = z.object({
  runtime: RuntimeLabelSchema,
  /** The tree layer's feedforward, e.g. "1x11", and the dense one it is compared against, e.g. "dense-4095". */
  feedforward: z.string(),
  baseline: z.string(),
  /** Tokens per call: sequences × sequence length. */
  tokens: z.number().int(),
  /** The tree layer's shape. */
  shape: ShapeSchema,
  treeId: z.string(),
  denseId: z.string(),
  treeBackend: z.string(),
  denseBackend: z.string(),
  /** End to end: the dense layer's median call / the tree layer's, with its bootstrap interval. */
  speedup: z.number(),
  speedupCiLow: z.number(),
  speedupCiHigh: z.number(),
  /** The feedforward alone (the splits' feedforward parts, same run and tokens): dense / tree. */
  feedforwardSpeedup: z.number().optional(),
  feedforwardSpeedupCiLow: z.number().optional(),
  feedforwardSpeedupCiHigh: z.number().optional(),
  /** The feedforward's share of the dense layer's split. */
  denseFeedforwardShare: z.number().optional(),
  /** 1 / ((1 − share) + share / feedforwardSpeedup). */
  amdahlBound: z.number().optional(),
});

/** What the machine id is built from (see runners/machine.ts), with the raw fields it was read from. */
export const CpuIdentitySchema = z.object({
  /** Where the fields come from: proc-cpuinfo (Linux), sysctl (macOS), PROCESSOR_IDENTIFIER (Windows), os.cpus (nothing better). */
  source: z.string(),
  vendor: z.string(),
  family: z.string(),
  model: z.string(),
  stepping: z.string(),
  /** SIMD extensions the kernels can use (x86 flags, Arm features). */
  simd: z.array(z.string()),
  /** Cache sizes in bytes: L1d, L1i, L2, L3 where readable. */
  caches: z.record(z.string(), z.number()),
  raw: z.record(z.string(), z.string()),
});

export const MachineSchema = z.object({
  /** Hash of what decides speed (CPU vendor/family/model/stepping, SIMD, caches, cores, memory, OS type; not the hostname). */
  id: z.string(),
  hostname: z.string(),
  os: z.string(),
  arch: z.string(),
  cpuModel: z.string(),
  cpuCores: z.number().int(),
  memoryBytes: z.number(),
  /** The CPU fields the id hashes (absent in files written before they were recorded). */
  cpu: CpuIdentitySchema.optional(),
  /**
   * GPU adapters the WebGPU backends found (ran on, or refused as no GPU), by label: e.g. "nvidia
   * hopper NVIDIA H200", or one that ends "[software adapter]" or "[unidentified adapter: …]"
   * (the results' backend.adapterClass says which).
   */
  gpus: z.array(z.string()).optional(),
  /** Per runtime: bandwidth (bytes/s) and peak GEMM throughput (FLOP/s) measured at the start of the run. */
  calibration: z.record(z.string(), CalibrationSchema).optional(),
});

export const ResultsFileSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  tool: z.object({ name: z.literal('fffbench'), version: z.string() }).optional(),
  /** The measurement method's version (src/results/method.ts); absent in files from before it was recorded. */
  methodVersion: z.number().int().positive().optional(),
  /** shard: "K/N" when the file holds one shard of the suite (see `run --shard`). */
  suite: z.object({ name: z.string(), file: z.string(), shard: z.string().optional() }),
  startedAt: z.string(),
  finishedAt: z.string(),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).optional(),
  machine: MachineSchema,
  seed: z.number().int().optional(),
  /** The settings the cases were sampled with, and in words (src/results/build.ts) how intervals and outliers are handled. */
  measurement: MeasureSettingsSchema.extend({ interval: z.string(), outlierPolicy: z.string() }).optional(),
  /** Set by `history --prune` on an old run: its raw samples were dropped (stats.samples is empty). */
  reduced: z.object({ at: z.string(), note: z.string() }).optional(),
  results: z.array(ResultSchema),
  comparisons: z.array(SpeedupPairSchema),
  /** Per runtime and shape: the fastest FFF against the fastest dense, across backends. */
  bestComparisons: z.array(SpeedupPairSchema).optional(),
  /** Encoder layers: each tree layer against the fastest dense layer of each width, same runtime and sizes. */
  encoderComparisons: z.array(EncoderComparisonSchema).optional(),
});

export type Result = z.infer<typeof ResultSchema>;
export type SpeedupPair = z.infer<typeof SpeedupPairSchema>;
export type Machine = z.infer<typeof MachineSchema>;
export type ResultsFile = z.infer<typeof ResultsFileSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type CpuIdentity = z.infer<typeof CpuIdentitySchema>;
export type EncoderRun = z.infer<typeof EncoderRunSchema>;
export type EncoderComparison = z.infer<typeof EncoderComparisonSchema>;
