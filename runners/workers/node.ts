/** Node worker entry (run through tsx): reads the job file named on the command line. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import { dawnGpu } from './gpu-dawn.ts';
import { jobRuntime, MESSAGE_PREFIX, runJob, type Job } from '../../src/execute/worker.ts';
import { writeMessageSync } from './write-message.ts';

// A worker started by the wrong binary would file Deno's or Bun's times under node.
if ('Deno' in globalThis || 'Bun' in globalThis) throw new Error('runners/workers/node.ts must run on Node, not on Deno or Bun');

const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
await runJob(job, {
  runtime: jobRuntime(job, 'node'),
  version: process.versions.node,
  gpu: dawnGpu,
  cores: availableParallelism(),
  // synchronous: a message must be out before the next case can crash the process
  emit: (message) => writeMessageSync(1, `${MESSAGE_PREFIX}${JSON.stringify(message)}\n`),
  commands: () => Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
});
