/**
 * Runs a suite: one worker process per runtime (runtimes one after another, so that they never
 * compete for the two cores), results streamed back as each case finishes. A case that hangs or
 * kills its worker becomes a `failed` result and a fresh worker carries on with the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Availability } from '../src/backends/types.ts';
import { baseResult } from '../src/execute/run-case.ts';
import { MESSAGE_PREFIX, type Job, type WorkerMessage } from '../src/execute/worker.ts';
import type { Calibration } from '../src/measure/roofline.ts';
import type { CaseSpec } from '../src/model/case.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../src/model/runtimes.ts';
import type { Result } from '../src/results/schema.ts';
import { ROOT, RUNTIME_COMMANDS, runtimeStatus } from './runtimes.ts';

export interface RunOptions {
  cases: CaseSpec[];
  seed: number;
  measurement: Job['measurement'];
  maxWeightBytes?: number;
  /** Planned memory of one case (weights, copies, inputs, activations) must fit in this. */
  memoryBudgetBytes: number;
  /** Longest a single case may take, from its start to its result. */
  caseTimeoutMs: number;
  /** Calibrate each runtime once (its first worker) with these backends' GEMMs. */
  calibrateWith?: string[];
  onCalibration?: (runtime: RuntimeName, calibration: Calibration) => void;
  onStart?: (c: CaseSpec) => void;
  onResult?: (r: Result) => void;
}

const liveWorkers = new Set<ChildProcess>();

/** Kills every running worker (on Ctrl-C: the journal already holds each finished case). */
export function killWorkers(): void {
  for (const child of liveWorkers) child.kill('SIGKILL');
}

const UNKNOWN_BACKEND = { version: 'unknown', threads: 0 };

function failedResult(c: CaseSpec, version: string, status: Result['status'], reason: string): Result {
  return { ...baseResult(c, version, { name: c.backend, ...UNKNOWN_BACKEND }), status, reason };
}

interface WorkerOutcome {
  results: Result[];
  availability: Map<string, Availability>;
  /** The case running when the worker died or hung, with why. */
  casualty?: { id: string; reason: string };
  /** Why the worker ended early, when no case was running. */
  startupFailure?: string;
  version?: string;
}

function runWorker(runtime: RuntimeName, cases: CaseSpec[], options: RunOptions, probe?: string[], calibrate?: string[]): Promise<WorkerOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'fffbench-'));
  const jobFile = join(dir, 'job.json');
  const job: Job = {
    runtime,
    cases,
    probe,
    calibrate,
    seed: options.seed,
    measurement: options.measurement,
    maxWeightBytes: options.maxWeightBytes,
    memoryBudgetBytes: options.memoryBudgetBytes,
  };
  writeFileSync(jobFile, JSON.stringify(job));
  const [command, ...args] = RUNTIME_COMMANDS[runtime].worker(jobFile);
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  liveWorkers.add(child);
  child.on('exit', () => liveWorkers.delete(child));
  const byId = new Map(cases.map((c) => [c.id, c]));
  const outcome: WorkerOutcome = { results: [], availability: new Map() };
  let running: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  let stderrTail = '';

  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  let unreadable: string | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith(MESSAGE_PREFIX) || unreadable) return;
    let message: WorkerMessage;
    try {
      message = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
    } catch (err) {
      // A worker whose output cannot be read cannot be trusted with the rest: the case it was
      // running fails with why, and a fresh worker carries on (as after a crash).
      unreadable = `the worker's message could not be read (${(err as Error).message.slice(0, 120)}; ${line.length} characters)`;
      child.kill('SIGKILL');
      return;
    }
    if (message.type === 'hello') outcome.version = message.version;
    else if (message.type === 'availability') outcome.availability.set(message.backend, message.availability);
    else if (message.type === 'calibration') options.onCalibration?.(runtime, message.calibration);
    else if (message.type === 'start') {
      running = message.id;
      const c = byId.get(message.id);
      if (c) options.onStart?.(c);
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.caseTimeoutMs);
    } else if (message.type === 'result') {
      clearTimeout(timer);
      running = undefined;
      outcome.results.push(message.result);
      options.onResult?.(message.result);
    }
  });

  return new Promise((resolve) => {
    child.on('error', (err) => {
      outcome.startupFailure = err.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      const lastLines = stderrTail.trim().split('\n').slice(-3).join(' | ');
      const how = timedOut
        ? `timed out after ${(options.caseTimeoutMs / 1000).toFixed(0)} s`
        : unreadable
          ? unreadable
          : `worker ${signal ? `killed by ${signal}` : `exited with status ${code}`}${lastLines ? `: ${lastLines}` : ''}`;
      if (running) outcome.casualty = { id: running, reason: how };
      else if (outcome.results.length < cases.length) outcome.startupFailure ??= how;
      resolve(outcome);
    });
  });
}

/** Runs every case of one runtime, restarting the worker after a crash or a hang. */
async function runRuntime(runtime: RuntimeName, cases: CaseSpec[], options: RunOptions): Promise<Result[]> {
  const status = runtimeStatus(runtime);
  if (!status.ok) {
    return cases.map((c) => {
      const r = failedResult(c, 'not installed', 'skipped', `runtime ${runtime} unavailable: ${status.reason}`);
      options.onResult?.(r);
      return r;
    });
  }
  const results: Result[] = [];
  let remaining = cases;
  let calibrate = options.calibrateWith;
  while (remaining.length > 0) {
    const outcome = await runWorker(runtime, remaining, options, undefined, calibrate);
    calibrate = undefined; // once per runtime, not again after a crash
    results.push(...outcome.results);
    const done = new Set(outcome.results.map((r) => r.id));
    if (outcome.casualty) {
      const c = remaining.find((x) => x.id === outcome.casualty!.id)!;
      const r = failedResult(c, outcome.version ?? status.version, 'failed', outcome.casualty.reason);
      results.push(r);
      options.onResult?.(r);
      done.add(c.id);
    } else if (outcome.startupFailure) {
      // The worker died outside any case: nothing will go better on a retry.
      for (const c of remaining.filter((x) => !done.has(x.id))) {
        const r = failedResult(c, outcome.version ?? status.version, 'failed', `worker failed outside a case: ${outcome.startupFailure}`);
        results.push(r);
        options.onResult?.(r);
        done.add(c.id);
      }
    }
    remaining = remaining.filter((c) => !done.has(c.id));
  }
  return results;
}

export async function runCases(options: RunOptions): Promise<Result[]> {
  const results: Result[] = [];
  for (const runtime of RUNTIME_NAMES) {
    const cases = options.cases.filter((c) => c.runtime === runtime);
    if (cases.length > 0) results.push(...(await runRuntime(runtime, cases, options)));
  }
  // Results in the suite's case order, whatever order they arrived in.
  const rank = new Map(options.cases.map((c, k) => [c.id, k]));
  return results.sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
}

/** Which of `backends` can run in `runtime`, each with the reason when it cannot. */
export async function probeBackends(runtime: RuntimeName, backends: string[]): Promise<Map<string, Availability>> {
  const status = runtimeStatus(runtime);
  if (!status.ok) return new Map(backends.map((b) => [b, { ok: false, reason: status.reason }]));
  const outcome = await runWorker(
    runtime,
    [],
    { cases: [], seed: 0, measurement: {} as Job['measurement'], memoryBudgetBytes: 0, caseTimeoutMs: 120_000 },
    backends,
  );
  for (const b of backends) {
    if (!outcome.availability.has(b)) outcome.availability.set(b, { ok: false, reason: outcome.startupFailure ?? 'worker gave no answer' });
  }
  return outcome.availability;
}
