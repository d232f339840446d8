/**
 * fffbench command line. Verbs: run, list (more arrive with reports, compare and merge).
 * Exit status: 0 done, 1 an internal error, 2 a user error (bad suite, bad arguments).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES } from '../src/backends/registry.ts';
import type { RuntimeName } from '../src/backends/types.ts';
import { buildComparisons } from '../src/results/comparisons.ts';
import { SCHEMA_VERSION, type ResultsFile } from '../src/results/schema.ts';
import { renderTable } from '../reports/table.ts';
import { expandCases } from '../suites/expand.ts';
import { UserError } from '../src/errors.ts';
import { loadSuite, shippedSuites } from '../suites/load.ts';
import { RUNTIMES as RUNTIME_NAMES } from '../suites/schema.ts';
import { gitInfo, machineFingerprint } from './machine.ts';
import { probeBackends, runCases } from './orchestrator.ts';
import { createProgress } from './progress.ts';
import { ROOT, runtimeStatus } from './runtimes.ts';

const VERSION = '0.1.0';

const HELP: Record<string, string> = {
  main: `fffbench ${VERSION}: measures Fast Feedforward (FFF) layers against dense feedforward layers

Usage: fffbench <command> [options]

Commands:
  run [SUITE]   run a suite (a path, or a shipped suite name; default: quick) and write results
  list          shipped suites, and which runtimes and backends are available here

Run "fffbench <command> --help" for a command's options.`,
  run: `Usage: fffbench run [SUITE] [options]

Runs every case of SUITE (a JSON file, or the name of a suite in suites/; default: quick):
each output is checked against a float64 reference, then timed with mitata.

Options:
  --runtimes LIST      comma-separated subset of the suite's runtimes (node,deno,bun)
  --backends LIST      comma-separated backends, replacing the suite's (${BACKEND_NAMES.join(', ')})
  --out FILE           results file (default: results/<suite>-<time>.json)
  --case-timeout SEC   a case running longer is killed and marked failed (default: 3 × maxCaseTimeMs + 120 s)
  --strict             exit 1 if any case is failed or invalid
  -h, --help           this help`,
  list: `Usage: fffbench list

Lists the shipped suites (with their case counts), the runtimes found here with their versions,
and for each runtime which backends can run, with the reason when one cannot.`,
};

function csv(value: string | undefined, allowed: readonly string[], flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((x) => !allowed.includes(x));
  if (unknown.length > 0 || items.length === 0) {
    throw new UserError(`${flag}: unknown ${unknown.length ? `"${unknown.join('", "')}"` : 'empty list'} (allowed: ${allowed.join(', ')})`);
  }
  return items;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

function parse(verb: string, args: string[], options: OptionSpec): ParsedArgs {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true }) as ParsedArgs;
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n\n${HELP[verb]}`);
  }
}

/** Writes JSON so that a reader never sees half a file: a temporary file, then a rename. */
export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 1));
  renameSync(tmp, path);
}

async function commandRun(args: string[]): Promise<number> {
  const { values, positionals } = parse('run', args, {
    runtimes: { type: 'string' },
    backends: { type: 'string' },
    out: { type: 'string' },
    'case-timeout': { type: 'string' },
    strict: { type: 'boolean' },
  });
  if (values.help) return (console.log(HELP.run), 0);
  if (positionals.length > 1) throw new UserError(`run takes one suite, got ${positionals.length}: ${positionals.join(' ')}`);
  const { suite, file } = loadSuite(positionals[0] ?? 'quick');
  const runtimes = csv(values.runtimes as string | undefined, RUNTIME_NAMES, '--runtimes') as RuntimeName[] | undefined;
  if (runtimes) suite.runtimes = runtimes;
  const backends = csv(values.backends as string | undefined, BACKEND_NAMES, '--backends');
  if (backends) suite.backends = backends;
  let caseTimeoutMs = 3 * suite.measurement.maxCaseTimeMs + 120_000;
  if (values['case-timeout'] !== undefined) {
    const sec = Number(values['case-timeout']);
    if (!(sec > 0)) throw new UserError(`--case-timeout: expected a positive number of seconds (given: ${values['case-timeout']})`);
    caseTimeoutMs = sec * 1000;
  }
  const cases = expandCases(suite, file);
  const startedAt = new Date();
  const out = resolve(
    (values.out as string | undefined) ?? join(ROOT, 'results', `${suite.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
  );

  const progress = createProgress(cases.length);
  const results = await runCases({
    cases,
    seed: suite.seed,
    measurement: suite.measurement,
    maxWeightBytes: suite.limits.maxWeightBytes,
    caseTimeoutMs,
    onStart: (c) => progress.start(c.id),
    onResult: (r) => progress.result(r),
  });
  progress.finish();

  const resultsFile: ResultsFile = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'fffbench', version: VERSION },
    suite: { name: suite.name, file: relative(ROOT, file) || file },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    git: gitInfo(),
    machine: machineFingerprint(),
    seed: suite.seed,
    measurement: {
      ...suite.measurement,
      interval: '95% distribution-free interval of the median (order statistics); speedup: 95% percentile bootstrap of the ratio of medians, 1000 resamples',
      outlierPolicy: 'all samples kept except the 2 fastest and 2 slowest when more than 12 (mitata); each sample is one call, or the mean of 128 calls for calls under 65 µs',
    },
    results,
    comparisons: buildComparisons(results),
  };
  writeJsonAtomic(out, resultsFile);
  console.log(renderTable(resultsFile));
  console.log(`\nresults: ${relative(process.cwd(), out) || out}`);
  const bad = results.filter((r) => r.status === 'failed' || r.status === 'invalid').length;
  return values.strict && bad > 0 ? 1 : 0;
}

async function commandList(args: string[]): Promise<number> {
  const { values } = parse('list', args, {});
  if (values.help) return (console.log(HELP.list), 0);
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

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { run: commandRun, list: commandList };

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(HELP.main);
    return verb ? 0 : 2;
  }
  const command = COMMANDS[verb];
  if (!command) {
    console.error(`fffbench: unknown command "${verb}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (err instanceof UserError) {
      console.error(`fffbench ${verb}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
