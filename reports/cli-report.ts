/**
 * `fffbench report RESULTS.json [MORE.json ...] [--out DIR]`: writes index.html, charts/*.png and
 * summary.md. A bad input file is a user error (exit 2) naming the file.
 */
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../src/errors.ts';
import { writeReport } from './build-report.ts';
import { loadForReport } from './load-results.ts';
import { REPORT_HELP } from './report-help.ts';

/** DIR for `results/quick-…json` is `results/quick-…-report/`. */
export function defaultReportDir(firstResults: string): string {
  const full = resolve(firstResults);
  return join(dirname(full), `${basename(full, extname(full))}-report`);
}

export async function commandReport(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n\n${REPORT_HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return (console.log(REPORT_HELP), 0);
  if (positionals.length === 0) throw new UserError(`report needs at least one results file\n\n${REPORT_HELP}`);
  const loaded = positionals.flatMap(loadForReport);
  const dir = resolve(values.out ?? defaultReportDir(positionals[0]));
  const written = writeReport(loaded, dir);
  const shown = (p: string) => relative(process.cwd(), p) || p;
  console.log(`report: ${shown(written.indexHtml)}`);
  console.log(`        ${shown(written.summaryMd)}, ${written.pngs.length} chart${written.pngs.length === 1 ? '' : 's'} in ${shown(join(dir, 'charts'))}`);
  return 0;
}
