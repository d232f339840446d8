/**
 * The worker's core, shared by the node, deno and bun entries in runners/: runs a job's cases
 * one by one and reports each through `host.emit` as soon as it finishes; or, for `fffbench ab`
 * (job.serve), prepares and times cases on the commands it reads from stdin (serve.ts).
 */
import { loadBackend } from '../backends/registry.ts';
import type { Availability, Backend, BackendContext } from '../backends/types.ts';
import { calibrate } from './calibrate.ts';
import type { MeasureSettings } from '../measure/measure.ts';
import type { Calibration } from '../measure/roofline.ts';
import { encoderEngines, type CaseSpec } from '../model/case.ts';
import { engineOf, type EngineName, type RuntimeName } from '../model/runtimes.ts';
import type { Result } from '../results/schema.ts';
import { runEncoderCase } from './encoder-case.ts';
import { baseResult, prepareCase, runCase, type CaseContext, type PreparedCase } from './run-case.ts';
import { readLines, SERVE_PROTOCOL, serveCases, type ServeMessage } from './serve.ts';

export interface Job {
  /** The runtime the orchestrator started this worker as ("node@22"): what every result of the job is filed under. */
  runtime: RuntimeName;
  cases: CaseSpec[];
  /** Before the cases: calibrate the machine, with these backends' GEMMs for peak throughput. */
  calibrate?: string[];
  /** Instead of running cases, report which of these backends can run here. */
  probe?: string[];
  seed: number;
  measurement: MeasureSettings;
  maxWeightBytes?: number;
  memoryBudgetBytes: number;
  /** Run no cases: serve the round protocol of `fffbench ab` on the commands from stdin (serve.ts). */
  serve?: boolean;
}

export type WorkerMessage =
  /** `protocol`: the version of the round protocol this worker serves (SERVE_PROTOCOL); absent before ab. */
  | { type: 'hello'; runtime: RuntimeName; version: string; protocol?: number }
  | { type: 'start'; id: string }
  | { type: 'result'; result: Result }
  | { type: 'availability'; backend: string; availability: Availability }
  | { type: 'calibration'; calibration: Calibration }
  | ServeMessage;

export interface WorkerHost {
  runtime: RuntimeName;
  version: string;
  cores: number;
  /** The runtime's WebGPU entry point, passed on to backends (see BackendContext.gpu). */
  gpu?: BackendContext['gpu'];
  emit(message: WorkerMessage): void;
  /** The worker's stdin, for the commands of a serving worker (job.serve). */
  commands?: () => ReadableStream<Uint8Array>;
}

/** Lines a worker writes to stdout carry this prefix; anything else a library prints is ignored. */
export const MESSAGE_PREFIX = '@@fffbench ';

/**
 * The runtime a worker entry runs the job as, checked against its own engine: a worker started by
 * the wrong binary would file Deno's or Bun's times under node.
 */
export function jobRuntime(job: Job, engine: EngineName): RuntimeName {
  if (engineOf(job.runtime) !== engine) throw new Error(`the job is for ${job.runtime}, but this worker runs on ${engine}`);
  return job.runtime;
}

export async function runJob(job: Job, host: WorkerHost): Promise<void> {
  host.emit({ type: 'hello', runtime: host.runtime, version: host.version, protocol: SERVE_PROTOCOL });
  const backends = new Map<string, { backend?: Backend; availability: Availability }>();
  const open = async (name: string) => {
    let entry = backends.get(name);
    if (!entry) {
      try {
        const backend = await loadBackend(name);
        entry = { backend, availability: await backend.init({ runtime: host.runtime, cores: host.cores, gpu: host.gpu }) };
      } catch (err) {
        entry = { availability: { ok: false, reason: `could not load: ${(err as Error).message}` } };
      }
      backends.set(name, entry);
    }
    return entry;
  };
  const context: CaseContext = {
    seed: job.seed,
    measurement: job.measurement,
    maxWeightBytes: job.maxWeightBytes,
    memoryBudgetBytes: job.memoryBudgetBytes,
    runtimeVersion: host.version,
  };
  /**
   * The case's backends (an encoder case's names two engines, "ort-node+wasm-mt": graphs, then
   * trees), or the skipped result that says which cannot run here and why.
   */
  const backendsFor = async (c: CaseSpec): Promise<{ backends: Backend[] } | { skipped: Result }> => {
    const names = c.model === 'encoder' ? Object.values(encoderEngines(c.backend)) : [c.backend];
    const entries = await Promise.all(names.map(async (name) => ({ name, ...(await open(name)) })));
    const missing = entries.find((e) => !e.backend || !e.availability.ok);
    if (!missing) return { backends: entries.map((e) => e.backend!) };
    const reason = missing.availability.ok ? 'not loaded' : missing.availability.reason;
    const info = entries[0].backend?.info() ?? { name: c.backend, version: 'unknown', threads: 0, denseKernel: '', fffStrategy: '' };
    return {
      skipped: {
        ...baseResult(c, host.version, { ...info, name: c.backend }),
        status: 'skipped',
        reason: `backend ${missing.name} unavailable on ${host.runtime}: ${reason}`,
      },
    };
  };
  if (job.serve) {
    if (!host.commands) throw new Error(`the ${host.runtime} worker has no command input to serve from`);
    const prepare = async (c: CaseSpec): Promise<PreparedCase> => {
      if (c.model === 'encoder') {
        const result: Result = {
          ...baseResult(c, host.version, { name: c.backend, version: 'unknown', threads: 0, denseKernel: '', fffStrategy: '' }),
          status: 'skipped',
          reason: 'fffbench ab pairs layer cases only: run encoder cases with fffbench run',
        };
        return { result, dispose: async () => {} };
      }
      const b = await backendsFor(c);
      return 'skipped' in b ? { result: b.skipped, dispose: async () => {} } : prepareCase(c, b.backends[0], context);
    };
    await serveCases(readLines(host.commands()), prepare, host.emit);
    return;
  }
  if (job.calibrate)
    host.emit({ type: 'calibration', calibration: await calibrate({ runtime: host.runtime, cores: host.cores, gpu: host.gpu }, job.calibrate) });
  for (const name of job.probe ?? []) host.emit({ type: 'availability', backend: name, availability: (await open(name)).availability });
  for (const c of job.cases) {
    host.emit({ type: 'start', id: c.id });
    const b = await backendsFor(c);
    let result: Result;
    if ('skipped' in b) result = b.skipped;
    else if (c.model === 'encoder') result = await runEncoderCase(c, { graphs: b.backends[0], trees: b.backends[1] }, context);
    else result = await runCase(c, b.backends[0], context);
    host.emit({ type: 'result', result });
  }
}
