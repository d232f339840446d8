/** Bun worker entry: reads the job file named on the command line. */
import { dawnGpu } from './gpu-dawn.ts';
import { jobRuntime, MESSAGE_PREFIX, runJob, type Job } from '../../src/execute/worker.ts';
import { writeMessageSync } from './write-message.ts';

declare const Bun: { argv: string[]; version: string; file(path: string): { text(): Promise<string> }; stdin: { stream(): ReadableStream<Uint8Array> } };

const job = JSON.parse(await Bun.file(Bun.argv[2]).text()) as Job;
await runJob(job, {
  runtime: jobRuntime(job, 'bun'),
  version: Bun.version,
  gpu: dawnGpu,
  cores: navigator.hardwareConcurrency,
  emit: (message) => writeMessageSync(1, `${MESSAGE_PREFIX}${JSON.stringify(message)}\n`),
  commands: () => Bun.stdin.stream(),
});
