/**
 * `fffbench run`: expands a suite into cases, runs them through the orchestrator, journals each
 * result as it arrives, and writes the results file atomically at the end.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { BACKEND_NAMES } from '../../src/backends/registry.ts';
import { UserError } from '../../src/errors.ts';
import { MEMORY_BUDGET_FRACTION } from '../../src/execute/run-case.ts';
import type { Calibration } from '../../src/measure/roofline.ts';
import { RUNTIME_NAMES, type RuntimeName } from '../../src/model/runtimes.ts';
import { buildResultsFile } from '../../src/results/build.ts';
import { fileResults } from '../../src/results/history.ts';
import type { Result, ResultsFile } from '../../src/results/schema.ts';
import { renderTable } from '../../reports/run-table.ts';
import { questionOf } from '../../reports/encoder/render.ts';
import { renderVerdictsText } from '../../reports/claims/text.ts';
import { judgeClaims } from '../../src/claims/verdicts.ts';
import { expandCases } from '../../suites/expand.ts';
import { loadSuite } from '../../suites/load.ts';
import { parseShard, selectShard } from '../../suites/shard.ts';
import { configuredHistoryDir } from '../history-dir.ts';
import { writeJsonAtomic } from '../write-atomic.ts';
import { commaList } from './options.ts';
import { appendResult, journalPathFor, readJournal, startJournal, type JournalHeader } from '../journal.ts';
import { gitInfo, machineFingerprint } from '../machine.ts';
import { killWorkers, runCases } from '../orchestrator.ts';
import { createProgress } from '../progress.ts';
import { ROOT } from '../runtimes.ts';

/** What `fffbench run` and `npm run bench` run: every configuration the claim verdicts need. */
export const DEFAULT_SUITE = 'claims';

/** Backends whose dense GEMM calibrates peak throughput (the best that loads wins). */
const CALIBRATION_GEMMS = ['js', 'wasm', 'ort-wasm-mt', 'ort-node'];

export const RUN_HELP = `Usage: fffbench run [SUITE] [options]

Runs every case of SUITE (a JSON file, or the name of a suite in suites/; default: ${DEFAULT_SUITE},
the configurations the claim verdicts need; quick is the smoke suite):
each output is checked against a float64 reference, then timed with mitata.

Options:
  --runtimes LIST      comma-separated runtimes, replacing the suite's (${RUNTIME_NAMES.join(', ')}: node is the
                       pinned Active LTS Node, node@N another pinned Node line; docs/runtimes.md)
  --backends LIST      comma-separated backends, replacing the suite's (${BACKEND_NAMES.join(', ')});
                       an encoder sweep keeps only the engines it names
  --out FILE           results file (default: results/<suite>-<time>.json)
  --shard K/N          run only shard K of N (deterministic, balanced by estimated cost)
  --resume JOURNAL     finish an interrupted run from its journal (<results file>.journal)
  --case-timeout SEC   a case running longer is killed and marked failed (default: 3 × maxCaseTimeMs + 120 s)
  --strict             exit 1 if any case is failed or invalid
  --report             also write the report (index.html, charts/*.png, summary.md) next to the results
  --history DIR        also file the results under DIR/<machine id>/ (default: FFFBENCH_HISTORY,
                       or "history" in fffbench.config.json)
  -h, --help           this help

Each finished case is appended to <results file>.journal; the journal is removed once the
results file is written (atomically: a temporary file, then a rename).`;

export interface RunValues {
  suite?: string;
  runtimes?: string;
  backends?: string;
  out?: string;
  shard?: string;
  resume?: string;
  caseTimeout?: string;
  strict?: boolean;
  /** File the finished run here too (DIR/<machine id>/…); default FFFBENCH_HISTORY or fffbench.config.json. */
  history?: string;
  /** Write the HTML/PNG/Markdown report next to the results file. */
  report?: boolean;
}

export async function runSuiteCommand(values: RunValues): Promise<{ status: number; file: ResultsFile; out: string }> {
  let header: JournalHeader;
  let done: Result[] = [];
  let journal: string;
  if (values.resume) {
    if (values.suite) throw new UserError('--resume takes its suite from the journal; give no SUITE');
    journal = resolve(values.resume);
    ({ header, results: done } = readJournal(journal));
  } else {
    const startedAt = new Date();
    const { suite, file } = loadSuite(values.suite ?? DEFAULT_SUITE);
    const out = resolve(values.out ?? join(ROOT, 'results', `${suite.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`));
    let caseTimeoutMs = 3 * suite.measurement.maxCaseTimeMs + 120_000;
    if (values.caseTimeout !== undefined) {
      const sec = Number(values.caseTimeout);
      if (!(sec > 0)) throw new UserError(`--case-timeout: expected a positive number of seconds (given: ${values.caseTimeout})`);
      caseTimeoutMs = sec * 1000;
    }
    header = {
      type: 'header',
      journalVersion: 1,
      suiteFile: file,
      runtimes: commaList(values.runtimes, RUNTIME_NAMES, '--runtimes'),
      backends: commaList(values.backends, BACKEND_NAMES, '--backends'),
      shard: values.shard,
      out,
      caseTimeoutMs,
      startedAt: startedAt.toISOString(),
      git: gitInfo(),
    };
    if (values.shard) parseShard(values.shard);
    journal = journalPathFor(out);
    mkdirSync(dirname(out), { recursive: true });
    startJournal(journal, header);
  }

  const { suite, file } = loadSuite(header.suiteFile);
  if (header.runtimes) suite.runtimes = header.runtimes as RuntimeName[];
  let cases = expandCases(suite, file, header.backends);
  if (header.shard) cases = selectShard(cases, parseShard(header.shard), suite.measurement);
  const doneIds = new Set(done.map((r) => r.id));
  const todo = cases.filter((c) => !doneIds.has(c.id));

  const progress = createProgress(todo.length);
  const calibration: Record<string, Calibration> = {};
  const onInterrupt = () => {
    killWorkers();
    progress.finish();
    console.error(
      `\ninterrupted: ${readJournal(journal).results.length} of ${cases.length} cases are in the journal; resume with:\n  fffbench run --resume ${relative(process.cwd(), journal) || journal}`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onInterrupt);
  const fresh = await runCases({
    cases: todo,
    seed: suite.seed,
    measurement: suite.measurement,
    maxWeightBytes: suite.limits.maxWeightBytes,
    memoryBudgetBytes: Math.floor(os.freemem() * MEMORY_BUDGET_FRACTION),
    caseTimeoutMs: header.caseTimeoutMs,
    calibrateWith: suite.measurement.calibrate && todo.length > 0 ? CALIBRATION_GEMMS : undefined,
    onCalibration: (runtime, c) => (calibration[runtime] = c),
    onStart: (c) => progress.start(c.id),
    onResult: (r) => {
      appendResult(journal, r);
      progress.result(r);
    },
  });
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  progress.finish();

  const rank = new Map(cases.map((c, k) => [c.id, k]));
  const measured = [...done.filter((r) => rank.has(r.id)), ...fresh].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  const resultsFile = buildResultsFile({
    suite: { name: suite.name, file: relative(ROOT, file) || file, ...(header.shard ? { shard: header.shard } : {}) },
    startedAt: header.startedAt,
    finishedAt: new Date().toISOString(),
    git: header.git,
    machine: machineFingerprint(),
    seed: suite.seed,
    measurement: suite.measurement,
    results: measured,
    calibration,
  });
  writeJsonAtomic(header.out, resultsFile);
  if (existsSync(journal)) rmSync(journal);
  const bad = resultsFile.results.filter((r) => r.status === 'failed' || r.status === 'invalid').length;
  return { status: values.strict && bad > 0 ? 1 : 0, file: resultsFile, out: header.out };
}

export async function commandRun(values: RunValues): Promise<number> {
  const historyDir = values.history ? resolve(values.history) : configuredHistoryDir();
  const { status, file, out } = await runSuiteCommand(values);
  // The verdicts first: whether the papers' speedups hold here is the question the tool answers.
  console.log(`\n${renderVerdictsText(judgeClaims([file]), questionOf([file]))}\n`);
  console.log(renderTable(file));
  console.log(`\nresults: ${relative(process.cwd(), out) || out}`);
  if (historyDir) console.log(`filed in history: ${relative(process.cwd(), fileResults(historyDir, file))}`);
  if (values.report) {
    // loaded only when asked for: chart.js and the canvas addon take a moment to load
    const { writeReport } = await import('../../reports/page/build.ts');
    const { defaultReportDir } = await import('./report.ts');
    const { loadForReport } = await import('../../reports/page/load.ts');
    const written = writeReport(loadForReport(out), defaultReportDir(out));
    console.log(`report: ${relative(process.cwd(), written.indexHtml)}`);
  }
  return status;
}
