/** Deno worker entry: reads the job file named on the command line. */
import { denoGpu } from './gpu-deno.ts';
import { jobRuntime, MESSAGE_PREFIX, runJob, type Job } from '../../src/execute/worker.ts';

declare const Deno: {
  args: string[];
  version: { deno: string };
  readTextFileSync(path: string): string;
  stdout: { writeSync(data: Uint8Array): number };
  stdin: { readable: ReadableStream<Uint8Array> };
};

const encoder = new TextEncoder();
function writeAll(data: Uint8Array): void {
  for (let at = 0; at < data.length; ) at += Deno.stdout.writeSync(data.subarray(at));
}

const job = JSON.parse(Deno.readTextFileSync(Deno.args[0])) as Job;
await runJob(job, {
  runtime: jobRuntime(job, 'deno'),
  version: Deno.version.deno,
  gpu: denoGpu,
  cores: navigator.hardwareConcurrency,
  emit: (message) => writeAll(encoder.encode(`${MESSAGE_PREFIX}${JSON.stringify(message)}\n`)),
  commands: () => Deno.stdin.readable,
});
