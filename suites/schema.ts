/**
 * The suite file format, validated with zod. A suite is plain JSON:
 *
 *   { "name": "quick", "runtimes": ["node", "deno", "bun"], "backends": ["js"],
 *     "sweeps": [{ "inputDim": 768, "outputDim": 768, "depth": { "from": 1, "to": 8 },
 *                  "leafWidth": 32, "batchSize": [1, 64] }],
 *     "measurement": { "minTimeMs": 200 }, "seed": 1, "limits": { "maxWeightBytes": 1073741824 } }
 *
 * Each sweep is a cartesian product; a list field may also be a single value. A sweep gives either
 * `depth` (a list or {from, to}) or `trainingWidth` (depth = log2(trainingWidth / leafWidth)).
 */
import { z } from 'zod';
import { BACKEND_NAMES } from '../src/backends/registry.ts';
import { ACTIVATIONS } from '../src/model/activation.ts';
import { BERT_BASE, FEEDFORWARD_FORMS, parseFeedforward } from '../src/model/encoder.ts';
import { DEFAULT_RUNTIMES, RUNTIME_NAMES } from '../src/model/runtimes.ts';
import { MODEL_KINDS, type ModelKind } from '../src/model/shape.ts';

/** What a suite runs when it names no models: the original FFF against its dense layer. */
export const DEFAULT_SUITE_MODELS: ModelKind[] = ['fff', 'dense'];

/** The trees a sweep's shapes pair with their dense layer: the original FFF's, or UltraFastBERT's. */
export const SWEEP_TREES = ['fff', 'ufb'] as const;

/** The deepest tree a suite may ask for: 2^24 leaves is already far beyond any memory here. */
export const MAX_DEPTH = 24;
const MAX_DIM = 1 << 16;
const MAX_BATCH = 1 << 16;

const listOf = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1, 'needs at least one value')]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[]);

const dim = z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_DIM, `must be at most ${MAX_DIM}`);
const depthValue = z.number().int('must be a whole number').min(0, 'must be 0 or more').max(MAX_DEPTH, `must be at most ${MAX_DEPTH}`);

const depthRange = z
  .object({ from: depthValue, to: depthValue })
  .strict()
  .refine((r) => r.from <= r.to, { message: '"from" must not exceed "to"' })
  .transform((r) => Array.from({ length: r.to - r.from + 1 }, (_, k) => r.from + k));

export const SweepSchema = z
  .object({
    /** What the sweep is for, in words (e.g. a comparison kept apart from the suite's main question). */
    description: z.string().optional(),
    inputDim: listOf(dim),
    outputDim: listOf(dim),
    depth: z.union([depthRange, listOf(depthValue)]).optional(),
    trainingWidth: listOf(z.number().int().min(1, 'must be at least 1')).optional(),
    leafWidth: listOf(dim),
    batchSize: listOf(z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_BATCH, `must be at most ${MAX_BATCH}`)),
    activation: listOf(z.enum(ACTIVATIONS)).default(['relu']),
    /** This sweep only: replaces the suite's backends (e.g. leave slow backends out of huge shapes). */
    backends: z
      .array(z.enum(BACKEND_NAMES as [string, ...string[]]))
      .min(1)
      .optional(),
    /**
     * This sweep only: replaces the suite's models. `fff` runs on FFF shapes, `ufb` on UltraFastBERT
     * shapes, `dense` on the shapes of every tree the sweep makes (see `tree`).
     */
    models: z.array(z.enum(MODEL_KINDS)).min(1).optional(),
    /**
     * The trees whose shapes this sweep makes ("fff", "ufb" or both); by default the trees of its
     * models (`fff` → FFF shapes, `ufb` → UltraFastBERT shapes; FFF shapes when it has only
     * `dense`). Needed only to run a dense layer alone on UltraFastBERT shapes: models ["dense"], tree "ufb".
     */
    tree: listOf(z.enum(SWEEP_TREES)).optional(),
  })
  .strict()
  .refine((s) => (s.depth === undefined) !== (s.trainingWidth === undefined), {
    message: 'give exactly one of "depth" or "trainingWidth"',
  });

const backendName = z.enum(BACKEND_NAMES as [string, ...string[]]);

/**
 * A sweep of encoder layers (model `encoder`, src/model/encoder.ts): every feedforward at every
 * sequence length and batch, the attention half on each `graphs` backend and the trees on each
 * `trees` backend. A dense feedforward runs as one graph ("ort-node"), a tree feedforward as the
 * graphs around the trees ("ort-node+wasm-mt").
 */
export const EncoderSweepSchema = z
  .object({
    description: z.string().optional(),
    /** The hidden size (BERT-base: 768) and the attention heads, which must divide it (BERT-base: 12). */
    hidden: dim.default(BERT_BASE.hidden),
    heads: dim.default(BERT_BASE.heads),
    /** Tokens per sequence. */
    seqLen: listOf(z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_BATCH, `must be at most ${MAX_BATCH}`)),
    /** Sequences per call (the tokens per call are batchSize × seqLen). */
    batchSize: listOf(z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_BATCH, `must be at most ${MAX_BATCH}`)),
    /**
     * The feedforwards: "dense-W" (a dense layer of width W with GELU and biases, BERT-base's is
     * "dense-3072") or UltraFastBERT's "KxD" (K trees of depth D summed: "1x11", "4x9"; parseFeedforward's limits).
     */
    feedforward: listOf(
      z
        .string()
        .superRefine((text, ctx) => {
          const f = parseFeedforward(text);
          if (typeof f === 'string') ctx.addIssue({ code: 'custom', message: f });
        })
        .describe(FEEDFORWARD_FORMS),
    ),
    /** Backends that run the attention half, the final add and LayerNorm, and a dense layer whole, as ONNX graphs (Backend.graphs). */
    graphs: z.array(backendName).min(1).default(['ort-node']),
    /** Backends that run the trees of a tree feedforward (their ufb kernel), one case each. */
    trees: z.array(backendName).min(1).default(['wasm-mt']),
  })
  .strict()
  .refine((s) => s.hidden % s.heads === 0, { message: 'heads must divide hidden (each head is hidden / heads wide)' });

export const MeasurementSchema = z
  .object({
    minTimeMs: z.number().positive('must be more than 0').default(300),
    minSamples: z.number().int().min(1).default(10),
    maxSamples: z.number().int().min(1).default(100_000),
    warmupSamples: z.number().int().min(0).default(3),
    maxCaseTimeMs: z.number().positive().default(20_000),
    /** Measure memory bandwidth and peak GEMM throughput once per runtime (a few seconds), for roofline floors. */
    calibrate: z.boolean().default(true),
  })
  .strict()
  .refine((m) => m.minSamples <= m.maxSamples, { message: 'minSamples must not exceed maxSamples' });

export const SuiteSchema = z
  .object({
    $schema: z.string().optional(),
    name: z
      .string()
      .min(1)
      .regex(/^[\w.-]+$/, 'letters, digits, "_", "." and "-" only')
      .describe('a name of letters, digits, "_", "." and "-"'),
    description: z.string().optional(),
    /** node is the pinned Active LTS Node, node@N another installed Node line (src/model/runtimes.ts); default one per engine. */
    runtimes: z
      .array(z.enum(RUNTIME_NAMES))
      .min(1, 'needs at least one runtime')
      .default([...DEFAULT_RUNTIMES]),
    backends: z
      .array(z.enum(BACKEND_NAMES as [string, ...string[]]))
      .min(1, 'needs at least one backend')
      .default(['js']),
    /** The models each sweep runs unless it names its own; default fff and dense (ufb only when named). */
    models: z
      .array(z.enum(MODEL_KINDS))
      .min(1)
      .default([...DEFAULT_SUITE_MODELS]),
    /** Layer sweeps (fff, ufb and dense models); a suite needs at least one sweep or encoder sweep. */
    sweeps: z.array(SweepSchema).default([]),
    /** Encoder-layer sweeps (model encoder). */
    encoders: z.array(EncoderSweepSchema).default([]),
    measurement: MeasurementSchema.prefault({}),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    limits: z
      .object({
        /**
         * Optional cap on one model's parameter bytes; bigger cases are skipped with this reason.
         * None by default: a case is skipped only when it does not fit the machine (the memory
         * budget) or a backend (its own limit), with the numbers.
         */
        maxWeightBytes: z.number().int().positive().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((s) => s.sweeps.length + s.encoders.length > 0, { message: 'needs at least one sweep (sweeps or encoders)', path: ['sweeps'] });

export type SuiteInput = z.input<typeof SuiteSchema>;
export type Suite = z.output<typeof SuiteSchema>;
export type Sweep = z.output<typeof SweepSchema>;
export type EncoderSweep = z.output<typeof EncoderSweepSchema>;
export type Measurement = z.output<typeof MeasurementSchema>;
