/** `fffbench list`: shipped suites, runtimes found here, and which backends each runtime can run. */
import { BACKEND_NAMES } from '../../src/backends/registry.ts';
import { RUNTIME_NAMES } from '../../src/model/runtimes.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite, shippedSuites } from '../../suites/load.ts';
import { probeBackends } from '../orchestrator.ts';
import { relative } from 'node:path';
import { ROOT, RUNTIME_COMMANDS, runtimeStatus } from '../runtimes.ts';

export const LIST_HELP = `Usage: fffbench list

Lists the shipped suites (with their case counts), the runtimes found here with their versions
and binaries (node is the pinned Active LTS Node, node@N another pinned Node line: docs/runtimes.md),
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
  console.log(`\nRuntimes and backends (this orchestrator runs on ${runtimeOfOrchestrator()}):`);
  for (const runtime of RUNTIME_NAMES) {
    const status = runtimeStatus(runtime);
    const binary = RUNTIME_COMMANDS[runtime].binary;
    const where = binary.startsWith(ROOT) ? `pinned: ${relative(ROOT, binary)}` : `${binary} on PATH, not the pinned one (run npm ci)`;
    console.log(`  ${runtime.padEnd(8)} ${status.ok ? `${status.version.padEnd(8)} ${where}` : `unavailable: ${status.reason}`}`);
    if (!status.ok) continue;
    for (const [backend, availability] of await probeBackends(runtime, BACKEND_NAMES)) {
      console.log(`           ${backend.padEnd(12)} ${availability.ok ? 'available' : `unavailable: ${availability.reason}`}`);
    }
  }
  return 0;
}

/** The runtime running this command: it starts the workers, and is none of the measured runtimes. */
function runtimeOfOrchestrator(): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  return `Node ${process.versions.node}, ${process.execPath}`;
}
