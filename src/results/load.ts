/**
 * Reading results files for report, compare and merge: a truncated, foreign or newer-schema file
 * is a UserError naming the file and what is wrong, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { ResultsFileSchema, SCHEMA_VERSION, type ResultsFile } from './schema.ts';

export function parseResultsFile(text: string, file: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not a complete JSON document (truncated or corrupt?): ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || !('schemaVersion' in data)) {
    throw new UserError(`${file}: not an fffbench results file (no schemaVersion field)`);
  }
  const version = (data as { schemaVersion: unknown }).schemaVersion;
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new UserError(`${file}: results schemaVersion ${version} is newer than this fffbench understands (${SCHEMA_VERSION}); update fffbench`);
  }
  const parsed = ResultsFileSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UserError(`${file}: not a valid fffbench results file (schemaVersion ${SCHEMA_VERSION}):\n  ${first.join('\n  ')}`);
  }
  return parsed.data;
}

export function loadResultsFile(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseResultsFile(text, file);
}
