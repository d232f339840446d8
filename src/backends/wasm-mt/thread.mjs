/**
 * A wasm-mt worker thread (node:worker_threads, which Node, Deno and Bun all provide). Started by
 * pool.ts for one kernel with one message: the compiled module, the kernel's shared memories, its
 * description, this thread's index and the control block. It instantiates the kernels on every
 * memory, says `ready`, then loops without further messages: wait for the generation counter to
 * move (spinning briefly, then Atomics.wait), run its share of the task, count itself done and
 * notify. A task that throws is recorded in the control block (the calling thread turns it into
 * the run's Error); the thread stays in the loop.
 */
import process from 'node:process';
import { parentPort } from 'node:worker_threads';
import { createExecutor, CTL, instantiateAll, markDone, recordFailure, TASK, warmUp } from './work.mjs';

parentPort.once('message', (init) => {
  const { module, memories, desc, thread, control, spinMicros, fault } = init;
  const ctl = new Int32Array(control);
  let execute;
  try {
    warmUp(module);
    execute = createExecutor(desc, instantiateAll(module, memories), thread);
  } catch (err) {
    parentPort.postMessage({ type: 'failed', message: `${err?.message ?? err}` });
    return;
  }
  // Read before saying ready: the first task may be dispatched the moment the pool hears it.
  let seen = Atomics.load(ctl, CTL.gen);
  parentPort.postMessage({ type: 'ready' });
  for (;;) {
    // Spin a little first: the next task usually follows within microseconds (the FFF's two
    // phases, back-to-back runs), and a futex wake costs more than that.
    let gen = Atomics.load(ctl, CTL.gen);
    if (gen === seen) {
      const until = performance.now() + spinMicros / 1000;
      for (let n = 1; (gen = Atomics.load(ctl, CTL.gen)) === seen; n++) {
        if ((n & 255) === 0 && performance.now() > until) break;
      }
      while ((gen = Atomics.load(ctl, CTL.gen)) === seen) Atomics.wait(ctl, CTL.gen, seen);
    }
    seen = gen;
    const task = Atomics.load(ctl, CTL.task);
    if (task === TASK.exit) break;
    try {
      if (fault) plantedFault(fault, thread);
      execute(task);
    } catch (err) {
      recordFailure(ctl, thread, `${err?.message ?? err}`);
    }
    markDone(ctl, thread, gen);
  }
  parentPort.close?.();
});

/** Test hook (test/fixtures/faulty-threads-backend.ts): fail the way `fault.kind` says. */
function plantedFault(fault, thread) {
  if (fault.kind === 'throw') throw new Error(`planted failure: worker thread ${thread} threw`);
  if (fault.kind === 'hang') for (;;);
  // process.exit in a worker thread ends that thread only (Node, Deno and Bun alike), before it
  // counts itself done
  if (fault.kind === 'exit') process.exit(3);
}
