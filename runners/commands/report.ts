/**
 * `fffbench report RESULTS.json [MORE.json ...] [--out DIR] [--baseline-machine ID]`: writes
 * index.html, charts/*.png and summary.md. A bad input file is a user error (exit 2) naming the file.
 * `fffbench report --history DIR [--machine ID] [--suite NAME] [--last N] [--out DIR]`: the trend
 * report of the runs filed in a history directory (reports/trend/report.ts).
 */
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseVerbArgs } from './options.ts';
import { UserError } from '../../src/errors.ts';
import { writeReport } from '../../reports/page/build.ts';
import { loadForReport } from '../../reports/page/load.ts';
import { REPORT_HELP } from './report-help.ts';

/** DIR for `results/quick-…json` is `results/quick-…-report/`. */
export function defaultReportDir(firstResults: string): string {
  const full = resolve(firstResults);
  return join(dirname(full), `${basename(full, extname(full))}-report`);
}

const shown = (p: string) => relative(process.cwd(), p) || p;

interface TrendOptions {
  history: string;
  machine?: string;
  suite?: string;
  last?: string;
  out?: string;
}

async function commandTrendReport(options: TrendOptions): Promise<number> {
  const last = options.last === undefined ? undefined : Number(options.last);
  if (options.last !== undefined && !/^\d+$/.test(options.last)) throw new UserError(`--last takes a number of runs (at least 2), got "${options.last}"`);
  // Loaded on demand: the results-file form of the verb need not load the trend code, and vice versa.
  const { defaultTrendDir, writeTrendReport } = await import('../../reports/trend/report.ts');
  const dir = resolve(options.out ?? defaultTrendDir(options.history));
  const written = writeTrendReport({ historyDir: options.history, machine: options.machine, suite: options.suite, last }, dir);
  console.log(`trend report: ${shown(written.indexHtml)}`);
  console.log(
    `              ${shown(written.summaryMd)}, ${written.pngs.length} chart${written.pngs.length === 1 ? '' : 's'} in ${shown(join(dir, 'charts'))}`,
  );
  for (const t of written.trends)
    console.log(`  ${t.suite} on ${t.machineId}: ${t.runs} runs, ${t.moved === 0 ? 'nothing moved' : `${t.moved} case${t.moved === 1 ? '' : 's'} moved`}`);
  return 0;
}

export async function commandReport(args: string[]): Promise<number> {
  const parsed = parseVerbArgs(
    args,
    {
      out: { type: 'string' },
      history: { type: 'string' },
      machine: { type: 'string' },
      suite: { type: 'string' },
      last: { type: 'string' },
      'baseline-machine': { type: 'string' },
    },
    REPORT_HELP,
  );
  const { positionals } = parsed;
  const values = parsed.values as {
    help?: boolean;
    out?: string;
    history?: string;
    machine?: string;
    suite?: string;
    last?: string;
    'baseline-machine'?: string;
  };
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (values.history !== undefined) {
    if (positionals.length > 0)
      throw new UserError(`give results files or --history DIR, not both (given: ${positionals.join(' ')} and --history ${values.history})`);
    if (values['baseline-machine'] !== undefined)
      throw new UserError(`--baseline-machine applies to a report of results files, not to --history DIR (the trend report)\n\n${REPORT_HELP}`);
    return commandTrendReport({ history: values.history, machine: values.machine, suite: values.suite, last: values.last, out: values.out });
  }
  const trendOnly = (['machine', 'suite', 'last'] as const).filter((k) => values[k] !== undefined);
  if (trendOnly.length > 0)
    throw new UserError(
      `${trendOnly.map((k) => `--${k}`).join(', ')} only ${trendOnly.length === 1 ? 'applies' : 'apply'} with --history DIR (the trend report)\n\n${REPORT_HELP}`,
    );
  if (positionals.length === 0) throw new UserError(`report needs at least one results file, or --history DIR\n\n${REPORT_HELP}`);
  const loaded = positionals.flatMap(loadForReport);
  const dir = resolve(values.out ?? defaultReportDir(positionals[0]));
  const written = writeReport(loaded, dir, { baselineMachine: values['baseline-machine'] });
  console.log(`report: ${shown(written.indexHtml)}`);
  console.log(`        ${shown(written.summaryMd)}, ${written.pngs.length} chart${written.pngs.length === 1 ? '' : 's'} in ${shown(join(dir, 'charts'))}`);
  return 0;
}
