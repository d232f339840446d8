/**
 * The paired workers of `fffbench ab`: per runtime, two serving workers (src/execute/serve.ts), one
 * per revision, each started from its own checkout (its worker entry, its runtime binaries), both
 * alive while the runtime's cases run. The cases go in windows of a few (interleaveWindows): each
 * worker prepares every case of the window (its output checked against the reference on both
 * sides), then the driver sends them rounds in turn, pair k of every case of the window before
 * pair k + 1 of any: one round of each side per pair, the order within the pair balanced and
 * shuffled per case (A B B A …), with a pause of settleMs after each round so that the worker that
 * just ran has parked its thread pools before the other starts. Only one worker runs at a time;
 * the other waits on its stdin, using no CPU.
 *
 * Two processes, not one importing both revisions: the backends load native addons (onnxruntime's
 * Node binding), Emscripten modules with their own thread pools, and WebAssembly memories, none
 * made to be loaded twice in one process; two workers run each revision as `fffbench run` would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PairedCaseInput } from '../src/compare/paired.ts';
import { baseResult, plannedBytes } from '../src/execute/run-case.ts';
import { SERVE_PROTOCOL, type ServeCommand, type ServeMessage } from '../src/execute/serve.ts';
import { MESSAGE_PREFIX, type Job, type WorkerMessage } from '../src/execute/worker.ts';
import { roundPlan, roundStatistic, type RoundPlan } from '../src/measure/measure.ts';
import type { CaseSpec } from '../src/model/case.ts';
import { deriveSeed, Rng } from '../src/model/rng.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../src/model/runtimes.ts';
import type { Result } from '../src/results/schema.ts';
import { UserError } from '../src/errors.ts';
import { oldestServingRevision, SERVE_MODULE, type Checkout } from './checkouts.ts';
import { RUNTIME_COMMANDS, runtimeStatus, workerEntry } from './runtimes.ts';

export type Side = 'base' | 'head';
const SIDES: Side[] = ['base', 'head'];

export interface PairedOptions {
  cases: CaseSpec[];
  checkouts: Record<Side, Checkout>;
  seed: number;
  measurement: Job['measurement'];
  maxWeightBytes?: number;
  /** What one worker's case may plan to allocate (both hold a case at once). */
  memoryBudgetBytes: number;
  /** Longest one command (a prepare, a round) may take. */
  commandTimeoutMs: number;
  /** Pairs of rounds per case. */
  rounds: number;
  /** Most cases whose rounds run interleaved (interleaveWindows); 1: one case at a time. */
  interleave: number;
  /** Start each runtime's head worker before its base worker (the confirmation's pair). */
  startHeadFirst?: boolean;
  /** Pairs of rounds run first and not counted. */
  warmupPairs: number;
  roundMs: number;
  settleMs: number;
  onCase?: (c: CaseSpec, outcome: PairedCaseInput) => void;
}

/** A worker that exited, hung or spoke out of turn: the case it was on fails on its side. */
class WorkerGone extends Error {
  constructor(
    readonly side: Side,
    reason: string,
  ) {
    super(reason);
  }
}

const live = new Set<ChildProcess>();

/** Kills every serving worker (on Ctrl-C). */
export function killServingWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
}

class ServingWorker {
  private readonly child: ChildProcess;
  private readonly messages: WorkerMessage[] = [];
  private waiting?: () => void;
  private gone?: string;
  private stderrTail = '';
  private readonly dir: string;

  constructor(
    readonly side: Side,
    runtime: RuntimeName,
    checkout: Checkout,
    job: Job,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'fffbench-ab-job-'));
    const jobFile = join(this.dir, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));
    const [command, ...args] = RUNTIME_COMMANDS[runtime].worker(jobFile, checkout.root);
    // onnxruntime's threads must not spin once a round is over: they would spin on the cores of the
    // other worker's round (session.ts, ortSpinning); both revisions run onnxruntime so
    this.child = spawn(command, args, { cwd: checkout.root, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FFFBENCH_ORT_SPINNING: '0' } });
    live.add(this.child);
    this.child.stdin!.on('error', () => {}); // a worker that died: its exit says why
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith(MESSAGE_PREFIX)) return;
      try {
        this.messages.push(JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage);
      } catch (err) {
        this.end(`the worker's message could not be read (${(err as Error).message.slice(0, 120)})`);
      }
      this.waiting?.();
    });
    this.child.on('error', (err) => this.end(err.message));
    this.child.on('close', (code, signal) => {
      live.delete(this.child);
      rmSync(this.dir, { recursive: true, force: true });
      const last = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.end(`worker ${signal ? `killed by ${signal}` : `exited with status ${code}`}${last ? `: ${last}` : ''}`);
    });
  }

  private end(reason: string): void {
    this.gone ??= reason;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.waiting?.();
  }

  /** The next message, or WorkerGone once the worker has ended or `timeoutMs` passed (it is killed then). */
  async next(timeoutMs: number): Promise<WorkerMessage> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      while (this.messages.length === 0) {
        if (this.gone) throw new WorkerGone(this.side, this.gone);
        await new Promise<void>((resolve) => {
          this.waiting = resolve;
          timer ??= setTimeout(() => this.end(`timed out after ${(timeoutMs / 1000).toFixed(0)} s`), timeoutMs);
        });
        this.waiting = undefined;
      }
      return this.messages.shift()!;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a command and returns its answer (of the command's type and case). */
  async request(command: ServeCommand, timeoutMs: number): Promise<ServeMessage> {
    if (this.gone) throw new WorkerGone(this.side, this.gone);
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const answer = await this.next(timeoutMs);
    const id = command.type === 'prepare' ? command.case.id : command.id;
    const expected = command.type === 'prepare' ? 'prepared' : command.type === 'round' ? 'round' : 'released';
    if (answer.type !== expected || !('id' in answer) || answer.id !== id) {
      this.end(`answered ${command.type} ${id} with ${answer.type}`);
      throw new WorkerGone(this.side, this.gone!);
    }
    return answer as ServeMessage;
  }

  /** Ends the worker: end of input, then a kill if it has not exited within `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Both workers of a runtime, each greeted: a worker whose hello names no round protocol predates ab. */
async function startPair(runtime: RuntimeName, options: PairedOptions): Promise<Record<Side, ServingWorker | WorkerGone>> {
  const job: Job = {
    runtime,
    cases: [],
    serve: true,
    seed: options.seed,
    measurement: options.measurement,
    maxWeightBytes: options.maxWeightBytes,
    memoryBudgetBytes: options.memoryBudgetBytes,
  };
  const pair = {} as Record<Side, ServingWorker | WorkerGone>;
  // which process starts first can matter to a whole case (where its memory and threads land): a
  // confirmation starts them the other way round
  for (const side of options.startHeadFirst ? (['head', 'base'] as const) : SIDES) {
    const checkout = options.checkouts[side];
    const predates = () => {
      const oldest = oldestServingRevision();
      return new UserError(
        `the ${side} revision ${checkout.revision.revision} (${checkout.revision.commit.slice(0, 8)}) predates fffbench ab: its ${runtime} worker does not serve the round protocol (${SERVE_MODULE}). ` +
          `Pick a ${side} at or after ${oldest ? `commit ${oldest}` : 'the commit that added it'}.`,
      );
    };
    if (!existsSync(workerEntry(runtime, checkout.root))) throw predates();
    const worker = new ServingWorker(side, runtime, checkout, job);
    try {
      const hello = await worker.next(options.commandTimeoutMs);
      if (hello.type !== 'hello' || hello.protocol === undefined) throw predates();
      if (hello.protocol !== SERVE_PROTOCOL) {
        throw new UserError(
          `the ${side} revision ${checkout.revision.revision} serves round protocol ${hello.protocol}; this fffbench speaks ${SERVE_PROTOCOL}: run ab from the newer revision`,
        );
      }
      pair[side] = worker;
    } catch (err) {
      if (err instanceof WorkerGone) {
        pair[side] = err;
        continue;
      }
      await Promise.all([worker, ...Object.values(pair)].map((w) => (w instanceof ServingWorker ? w.close(0) : undefined)));
      throw err;
    }
  }
  return pair;
}

/** Which side runs first in each pair: half the pairs each way (one more at random when odd), shuffled, from the case's seed. */
export function pairOrder(rounds: number, seed: number): boolean[] {
  const rng = new Rng(seed);
  const headFirst = Array.from({ length: rounds }, (_, k) => (k < Math.floor(rounds / 2) ? true : k < 2 * Math.floor(rounds / 2) ? false : rng.next() < 0.5));
  for (let k = headFirst.length - 1; k > 0; k--) {
    const j = Math.floor(rng.next() * (k + 1));
    [headFirst[k], headFirst[j]] = [headFirst[j], headFirst[k]];
  }
  return headFirst;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const unknownBackend = (c: CaseSpec): Result['backend'] => ({ name: c.backend, version: 'unknown', threads: 0 });

function failed(c: CaseSpec, side: Side, reason: string): Result {
  return { ...baseResult(c, 'unknown', unknownBackend(c)), status: 'failed', reason: `${side} worker: ${reason}` };
}

/**
 * Cases whose rounds run interleaved, in the order given: up to `most` cases of a runtime whose
 * memory plans, doubled (room for a backend's own copy of the weights), fit one worker's budget
 * together. A case too large to share a worker runs alone.
 */
export function interleaveWindows(cases: CaseSpec[], budgetBytes: number, most: number): CaseSpec[][] {
  const windows: CaseSpec[][] = [];
  let current: CaseSpec[] = [];
  let bytes = 0;
  for (const c of cases) {
    const need = c.model === 'encoder' ? Infinity : 2 * plannedBytes(c).total;
    if (current.length > 0 && (current.length >= most || bytes + need > budgetBytes)) {
      windows.push(current);
      current = [];
      bytes = 0;
    }
    current.push(c);
    bytes += need;
  }
  if (current.length > 0) windows.push(current);
  return windows;
}

/** A worker ended during a window: the case whose command it was on is blamed; the window's other cases run again. */
class WindowBroken extends Error {
  constructor(
    readonly gone: WorkerGone,
    readonly culprit: CaseSpec,
  ) {
    super(gone.message);
  }
}

/** A case of a window being timed: its plan, its pairs' order, each round's time so far (roundStatistic). */
interface Timing {
  c: CaseSpec;
  plan: RoundPlan;
  headFirst: boolean[];
  times: Record<Side, number[]>;
  live: boolean;
}

/**
 * One window of cases on a live pair: each prepared on both sides (checked against the reference),
 * then their pairs of rounds interleaved — pair k of every case before pair k + 1 of any — so that
 * a case's pairs spread over the whole window's time, and a state of one worker lasting a second
 * or two touches a few pairs of each case instead of most pairs of one; then all released.
 */
async function runWindowOnPair(window: CaseSpec[], pair: Record<Side, ServingWorker>, options: PairedOptions): Promise<PairedCaseInput[]> {
  const results = new Map<string, Record<Side, Result>>();
  const timings: Timing[] = [];
  let current = window[0];
  const ask = async (side: Side, c: CaseSpec, command: ServeCommand) => {
    current = c;
    return pair[side].request(command, options.commandTimeoutMs);
  };
  try {
    for (const c of window) {
      const prepared = {} as Record<Side, Extract<ServeMessage, { type: 'prepared' }>>;
      for (const side of SIDES) prepared[side] = (await ask(side, c, { type: 'prepare', case: c })) as Extract<ServeMessage, { type: 'prepared' }>;
      results.set(c.id, { base: prepared.base.result, head: prepared.head.result });
      if (prepared.base.result.status !== 'ok' || prepared.head.result.status !== 'ok') continue;
      // one plan for both: the geometric mean of their call times, so each round of a pair does the same work
      const callNs = Math.sqrt((prepared.base.callNs ?? 1) * (prepared.head.callNs ?? 1));
      timings.push({
        c,
        plan: roundPlan(callNs, options.roundMs * 1e6, options.rounds, options.measurement.maxCaseTimeMs * 1e6),
        headFirst: pairOrder(options.rounds, deriveSeed(options.seed, `ab/${c.id}`)),
        times: { base: [], head: [] },
        live: true,
      });
    }
    // the warm-up pairs first, alternating, not counted: a kernel's code can take a while to reach its
    // optimised tier (the compiler runs on a background thread), and the two workers' need not get there together
    const warmup = Array.from({ length: options.warmupPairs }, (_, k) => k % 2 === 0);
    for (let k = 0; k < warmup.length + options.rounds; k++) {
      for (const t of timings.filter((t) => t.live)) {
        const headFirst = k < warmup.length ? warmup[k] : t.headFirst[k - warmup.length];
        for (const side of headFirst ? (['head', 'base'] as const) : (['base', 'head'] as const)) {
          const answer = (await ask(side, t.c, { type: 'round', id: t.c.id, plan: t.plan })) as Extract<ServeMessage, { type: 'round' }>;
          await sleep(options.settleMs);
          if (!answer.samples?.length) {
            const sides = results.get(t.c.id)!;
            sides[side] = { ...sides[side], status: 'failed', reason: `a timed round failed: ${answer.reason ?? 'no samples'}` };
            t.live = false;
            break;
          }
          if (k >= warmup.length) t.times[side].push(roundStatistic(answer.samples));
        }
      }
    }
    for (const c of window) for (const side of SIDES) await ask(side, c, { type: 'release', id: c.id });
  } catch (err) {
    throw err instanceof WorkerGone ? new WindowBroken(err, current) : err;
  }
  return window.map((c) => {
    const { base, head } = results.get(c.id)!;
    const t = timings.find((t) => t.c === c);
    return { base, head, ...(t?.live ? { rounds: { base: t.times.base, head: t.times.head, headFirst: t.headFirst } } : {}) };
  });
}

/**
 * Runs every case, runtime by runtime, window by window (interleaveWindows), on pairs of serving
 * workers. A worker that ends fails the case it was on, on its side; a fresh pair takes over, and
 * the window's other cases run again, one at a time, so that no case is lost for another's crash.
 */
export async function runPaired(options: PairedOptions): Promise<PairedCaseInput[]> {
  const out = new Map<string, PairedCaseInput>();
  const record = (c: CaseSpec, outcome: PairedCaseInput) => {
    out.set(c.id, outcome);
    options.onCase?.(c, outcome);
  };
  for (const runtime of RUNTIME_NAMES) {
    const cases = options.cases.filter((c) => c.runtime === runtime);
    if (cases.length === 0) continue;
    const status = runtimeStatus(runtime);
    if (!status.ok) {
      for (const c of cases) {
        const skipped: Result = {
          ...baseResult(c, 'not installed', unknownBackend(c)),
          status: 'skipped',
          reason: `runtime ${runtime} unavailable: ${status.reason}`,
        };
        record(c, { base: skipped, head: skipped });
      }
      continue;
    }
    const queue = interleaveWindows(cases, options.memoryBudgetBytes, options.interleave);
    let pair: Record<Side, ServingWorker | WorkerGone> | undefined;
    for (let window = queue.shift(); window; window = queue.shift()) {
      pair ??= await startPair(runtime, options);
      const dead = SIDES.filter((side) => pair![side] instanceof WorkerGone);
      if (dead.length > 0) {
        // a worker that cannot start will not start for the next case either
        const reason = (side: Side) => `could not start: ${(pair![side] as WorkerGone).message}`;
        for (const c of window)
          record(c, {
            base: dead.includes('base') ? failed(c, 'base', reason('base')) : skippedBeside(c, 'head'),
            head: dead.includes('head') ? failed(c, 'head', reason('head')) : skippedBeside(c, 'base'),
          });
        continue;
      }
      const live = pair as Record<Side, ServingWorker>;
      try {
        const outcomes = await runWindowOnPair(window, live, options);
        for (const [k, c] of window.entries()) record(c, outcomes[k]);
      } catch (err) {
        if (!(err instanceof WindowBroken)) throw err;
        const { culprit, gone } = err;
        const lost = failed(culprit, gone.side, gone.message);
        const beside = skippedBeside(culprit, gone.side);
        record(culprit, gone.side === 'base' ? { base: lost, head: beside } : { base: beside, head: lost });
        queue.unshift(...window.filter((c) => c !== culprit).map((c) => [c]));
        await Promise.all(SIDES.map((side) => live[side].close(0)));
        pair = undefined;
      }
    }
    if (pair) await Promise.all(SIDES.map((side) => (pair![side] instanceof ServingWorker ? (pair![side] as ServingWorker).close() : undefined)));
  }
  return options.cases.map((c) => out.get(c.id)!);
}

/** The other side of a case whose worker failed: not measured, for its partner's sake. */
function skippedBeside(c: CaseSpec, failedSide: Side): Result {
  return { ...baseResult(c, 'unknown', unknownBackend(c)), status: 'skipped', reason: `not timed: the ${failedSide} worker failed on this case` };
}
