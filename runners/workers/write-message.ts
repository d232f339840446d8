/**
 * Writes one worker message to stdout in full, for the Node and Bun workers (Deno's has its own
 * loop over Deno.stdout). `writeSync` on a pipe writes what fits and returns the count, or throws
 * EAGAIN when the pipe is full and non-blocking: a 300 kB result line (100 000 raw samples) once went
 * out cut short while the orchestrator was slow to read, and the run's next line failed to parse.
 * So the bytes are written until all are out, waiting a millisecond whenever the pipe is full.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeMessageSync(fd: number, line: string): void {
  const bytes = new TextEncoder().encode(line);
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(fd, bytes, at, bytes.length - at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
