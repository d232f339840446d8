/**
 * Reading results files for the report, through the shared loader (src/results/load.ts): every
 * problem (missing file, not JSON, wrong schemaVersion, failing the schema) is a UserError naming
 * the file (exit 2). A bundle from `fffbench merge --allow-machines` yields one entry per machine.
 */
import { resolve } from 'node:path';
import { loadResultsFiles } from '../../src/results/load.ts';
import type { ResultsFile } from '../../src/results/schema.ts';

export interface LoadedResults {
  path: string;
  data: ResultsFile;
}

export function loadForReport(path: string): LoadedResults[] {
  return loadResultsFiles(path).map((data) => ({ path: resolve(path), data }));
}
