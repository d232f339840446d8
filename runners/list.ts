/** `fffbench list`: shipped suites, runtimes found here, and which backends each runtime can run. */
import { BACKEND_NAMES } from '../src/backends/registry.ts';
import { RUNTIME_NAMES } from '../src/model/runtimes.ts';
import { expandCases } from '../suites/expand.ts';
import { loadSuite, shippedSuites } from '../suites/load.ts';
import { probeBackends } from './orchestrator.ts';
import { runtimeStatus } from './runtimes.ts';

export const LIST_HELP = `Usage: fffbench list

Lists the shipped suites (with their case counts), the runtimes found here with their versions,
and for each runtime which backends can run, with the reason when one cannot.`;

export async function commandList(): Promise<number> {
  console.log('Suites (suites/*.json):');
  for (const name of shippedSuites()) {
    try {
      const { suite, file } = loadSuite(name);
      console.log(`  ${name.padEnd(14)} ${String(expandCases(suite, file).length).padStart(5)} cases  ${suite.description ?? ''}`);
    } catch (err) {
      console.log(`  ${name.padEnd(14)} invalid: ${(err as Error).message.split('\n').slice(1).join('; ')}`);
    }
  }
  console.log('\nRuntimes and backends:');
  for (const runtime of RUNTIME_NAMES) {
    const status = runtimeStatus(runtime);
    console.log(`  ${runtime.padEnd(5)} ${status.ok ? status.version : `unavailable: ${status.reason}`}`);
    if (!status.ok) continue;
    for (const [backend, availability] of await probeBackends(runtime, BACKEND_NAMES)) {
      console.log(`        ${backend.padEnd(12)} ${availability.ok ? 'available' : `unavailable: ${availability.reason}`}`);
    }
  }
  return 0;
}
