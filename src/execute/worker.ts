/**
 * The worker's core, shared by the node, deno and bun entries in runners/: runs a job's cases
 * one by one and reports each through `host.emit` as soon as it finishes.
 */
import { loadBackend } from '../backends/registry.ts';
import type { Availability, Backend, BackendContext } from '../backends/types.ts';
import { calibrate } from './calibrate.ts';
import type { MeasureSettings } from '../measure/measure.ts';
import type { Calibration } from '../measure/roofline.ts';
import { encoderEngines, type CaseSpec } from '../model/case.ts';
import type { RuntimeName } from '../model/runtimes.ts';
import type { Result } from '../results/schema.ts';
import { runEncoderCase } from './encoder-case.ts';
import { baseResult, runCase } from './run-case.ts';

export interface Job {
  cases: CaseSpec[];
  /** Before the cases: calibrate the machine, with these backends' GEMMs for peak throughput. */
  calibrate?: string[];
  /** Instead of running cases, report which of these backends can run here. */
  probe?: string[];
  seed: number;
  measurement: MeasureSettings;
  maxWeightBytes?: number;
  memoryBudgetBytes: number;
}

export type WorkerMessage =
  | { type: 'hello'; runtime: RuntimeName; version: string }
  | { type: 'start'; id: string }
  | { type: 'result'; result: Result }
  | { type: 'availability'; backend: string; availability: Availability }
  | { type: 'calibration'; calibration: Calibration };

export interface WorkerHost {
  runtime: RuntimeName;
  version: string;
  cores: number;
  /** The runtime's WebGPU entry point, passed on to backends (see BackendContext.gpu). */
  gpu?: BackendContext['gpu'];
  emit(message: WorkerMessage): void;
}

/** Lines a worker writes to stdout carry this prefix; anything else a library prints is ignored. */
export const MESSAGE_PREFIX = '@@fffbench ';

export async function runJob(job: Job, host: WorkerHost): Promise<void> {
  host.emit({ type: 'hello', runtime: host.runtime, version: host.version });
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
  if (job.calibrate) host.emit({ type: 'calibration', calibration: await calibrate({ runtime: host.runtime, cores: host.cores, gpu: host.gpu }, job.calibrate) });
  for (const name of job.probe ?? []) host.emit({ type: 'availability', backend: name, availability: (await open(name)).availability });
  const context = {
    seed: job.seed,
    measurement: job.measurement,
    maxWeightBytes: job.maxWeightBytes,
    memoryBudgetBytes: job.memoryBudgetBytes,
    runtimeVersion: host.version,
  };
  for (const c of job.cases) {
    host.emit({ type: 'start', id: c.id });
    // An encoder case's backend names its engines ("ort-node+wasm-mt"): each must be available.
    const names = c.model === 'encoder' ? Object.values(encoderEngines(c.backend)) : [c.backend];
    const entries = await Promise.all(names.map(async (name) => ({ name, ...(await open(name)) })));
    const missing = entries.find((e) => !e.backend || !e.availability.ok);
    if (missing) {
      const reason = missing.availability.ok ? 'not loaded' : missing.availability.reason;
      const info = entries[0].backend?.info() ?? { name: c.backend, version: 'unknown', threads: 0, denseKernel: '', fffStrategy: '' };
      host.emit({ type: 'result', result: { ...baseResult(c, host.version, { ...info, name: c.backend }), status: 'skipped', reason: `backend ${missing.name} unavailable on ${host.runtime}: ${reason}` } });
      continue;
    }
    const result =
      c.model === 'encoder'
        ? await runEncoderCase(c, { graphs: entries[0].backend!, trees: entries[1]?.backend }, context)
        : await runCase(c, entries[0].backend!, context);
    host.emit({ type: 'result', result });
  }
}
