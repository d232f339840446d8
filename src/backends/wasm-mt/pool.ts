/**
 * The worker threads of one wasm-mt kernel, seen from the calling thread.
 *
 * Threads: node:worker_threads in Node, Deno and Bun alike (all three pass a compiled
 * WebAssembly.Module and shared memories through postMessage, report a worker's uncaught error and
 * exit, and let the main thread block in Atomics.wait), running thread.mjs, plain JavaScript so no
 * runtime needs a TypeScript loader in the thread. They start with the kernel (prepare, not timed)
 * and end with it (dispose), so a failed case never leaves a broken pool to the next one.
 *
 * Synchronisation, per task and without messages: the calling thread writes the task, bumps the
 * generation counter and notifies (Atomics.notify); each worker, spinning briefly then parked in
 * Atomics.wait, runs its share and counts itself done (Atomics.add + notify). The calling thread
 * runs its own share meanwhile (it is thread 0 of N), then join()s: a short spin, then Atomics.wait
 * in slices of SLICE_MS, yielding to the event loop between slices so that a worker's `exit` or
 * `error` event arrives — a thread that threw (recorded in the control block), died or did not
 * finish within `timeoutMs` makes join() throw, never block for good.
 */
import { setImmediate } from 'node:timers';
import { Worker } from 'node:worker_threads';
import { controlBytes, CTL, finishedGeneration, readFailure, TASK, type KernelDesc } from './work.mjs';

const THREAD_URL = new URL('./thread.mjs', import.meta.url);
/** Longest a join blocks the calling thread without letting a worker's exit event in. */
const SLICE_MS = 2;

/** Test hook: make worker thread `thread` fail its first task (see thread.mjs). */
export interface PlantedFault {
  thread: number;
  kind: 'throw' | 'hang' | 'exit';
}

export interface PoolOptions {
  /** Threads in all, the calling thread included: threads − 1 workers start. */
  threads: number;
  module: WebAssembly.Module;
  memories: WebAssembly.Memory[];
  desc: KernelDesc;
  /** A join that waits longer than this throws (a hung worker). */
  timeoutMs: number;
  /** How long a waiting thread spins before it parks in Atomics.wait. */
  spinMicros: number;
  fault?: PlantedFault;
}

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ThreadPool {
  private readonly ctl: Int32Array;
  /** Why a worker died (its exit or error event), once it has. */
  private dead: string | undefined;
  /** Set by the first failure: every later call throws it. */
  private broken: Error | undefined;
  private closing = false;

  private constructor(
    private readonly workers: Worker[],
    control: SharedArrayBuffer,
    private readonly options: PoolOptions,
  ) {
    this.ctl = new Int32Array(control);
    workers.forEach((w, n) => {
      const thread = n + 1;
      w.on('error', (err: Error) => {
        this.dead ??= `worker thread ${thread} of ${options.threads} died: ${err?.message ?? err}`;
      });
      w.on('exit', (code: number) => {
        if (!this.closing) this.dead ??= `worker thread ${thread} of ${options.threads} exited (code ${code}) while the kernel was in use`;
      });
    });
  }

  /** Starts threads − 1 workers on the kernel and waits until each has instantiated it. */
  static async start(options: PoolOptions): Promise<ThreadPool> {
    const control = new SharedArrayBuffer(controlBytes(options.threads));
    const workers: Worker[] = [];
    try {
      const ready: Promise<void>[] = [];
      for (let thread = 1; thread < options.threads; thread++) {
        // execArgv: the thread script is plain JavaScript; Node need not load tsx into each thread
        const worker = new Worker(THREAD_URL, { execArgv: [] });
        workers.push(worker);
        ready.push(
          new Promise<void>((resolve, reject) => {
            worker.once('message', (m: { type: string; message?: string }) =>
              m.type === 'ready' ? resolve() : reject(new Error(`worker thread ${thread} could not start: ${m.message}`)),
            );
            worker.once('error', (err: Error) => reject(new Error(`worker thread ${thread} could not start: ${err?.message ?? err}`)));
            worker.once('exit', (code: number) => reject(new Error(`worker thread ${thread} exited (code ${code}) while starting`)));
          }),
        );
        worker.postMessage({
          module: options.module,
          memories: options.memories,
          desc: options.desc,
          thread,
          control,
          spinMicros: options.spinMicros,
          fault: options.fault?.thread === thread ? options.fault : undefined,
        });
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`worker threads did not start within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    // A kernel that is never disposed must not keep its process alive.
    for (const w of workers) w.unref();
    return new ThreadPool(workers, control, options);
  }

  /** Hands `task` to every worker and returns at once; the caller then runs its own share. */
  dispatch(task: number): void {
    if (this.broken) throw this.broken;
    if (this.dead) throw this.fail(new Error(`wasm-mt: ${this.dead}`));
    const ctl = this.ctl;
    Atomics.store(ctl, CTL.done, 0);
    Atomics.store(ctl, CTL.task, task);
    Atomics.add(ctl, CTL.gen, 1);
    Atomics.notify(ctl, CTL.gen);
  }

  /** Waits for every worker to finish the task dispatched last; throws if one failed, died or hung. */
  async join(): Promise<void> {
    const ctl = this.ctl;
    const want = this.workers.length;
    if (Atomics.load(ctl, CTL.done) !== want) {
      const start = performance.now();
      const spinUntil = start + this.options.spinMicros / 1000;
      for (let n = 1; Atomics.load(ctl, CTL.done) !== want; n++) {
        if ((n & 255) === 0 && performance.now() > spinUntil) break;
      }
      for (;;) {
        const done = Atomics.load(ctl, CTL.done);
        if (done === want) break;
        Atomics.wait(ctl, CTL.done, done, SLICE_MS);
        if (Atomics.load(ctl, CTL.done) === want) break;
        await yieldToEvents();
        if (Atomics.load(ctl, CTL.done) === want) break;
        if (this.dead) throw this.fail(new Error(`wasm-mt: ${this.dead}`));
        if (performance.now() - start > this.options.timeoutMs) {
          const gen = Atomics.load(ctl, CTL.gen);
          const late = this.workers.map((_, n) => n + 1).filter((t) => finishedGeneration(ctl, t) !== gen);
          throw this.fail(
            new Error(
              `wasm-mt: worker thread${late.length > 1 ? 's' : ''} ${late.join(', ')} of ${this.options.threads} did not finish within ${this.options.timeoutMs / 1000} s (hung)`,
            ),
          );
        }
      }
    }
    const failed = Atomics.load(ctl, CTL.failed);
    if (failed) throw this.fail(new Error(`wasm-mt: worker thread ${failed - 1} of ${this.options.threads} failed: ${readFailure(ctl, failed - 1)}`));
  }

  /**
   * Runs the calling thread's share of the task dispatched last: a throw there breaks the pool as a
   * worker's failure would (every later call throws it).
   */
  runShare(task: number, share: (task: number) => void): void {
    try {
      share(task);
    } catch (err) {
      throw this.fail(err as Error);
    }
  }

  /** Marks the pool unusable (every later call throws `err`) and returns `err`. */
  fail(err: Error): Error {
    this.broken ??= err;
    return this.broken;
  }

  /** Ends the workers: a healthy pool is told to leave its loop first; terminate() ends any that hangs. */
  async terminate(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (!this.broken && !this.dead) {
      Atomics.store(this.ctl, CTL.task, TASK.exit);
      Atomics.add(this.ctl, CTL.gen, 1);
      Atomics.notify(this.ctl, CTL.gen);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
