/**
 * Reading results files for report, compare and merge: a truncated, foreign or newer-schema file
 * is a UserError naming the file and what is wrong, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { isBundle } from './merge.ts';
import { ResultsFileSchema, SCHEMA_VERSION, type ResultsFile } from './schema.ts';

/** A comparison of a version-1 file: the tree side was named fffId / fffBackend. */
type Version1Pair = Record<string, unknown> & { fffId?: unknown; fffBackend?: unknown };

/** A version-1 file as version 2: its comparisons' fffId and fffBackend become treeId and treeBackend, nothing else changes. */
export function fromVersion1(data: Record<string, unknown>): Record<string, unknown> {
  const pairs = (list: unknown) =>
    Array.isArray(list)
      ? list.map((p: Version1Pair) => {
          if (p === null || typeof p !== 'object') return p;
          const { fffId, fffBackend, ...rest } = p;
          return { ...rest, ...(fffId === undefined ? {} : { treeId: fffId }), ...(fffBackend === undefined ? {} : { treeBackend: fffBackend }) };
        })
      : list;
  return {
    ...data,
    schemaVersion: 2,
    comparisons: pairs(data.comparisons),
    ...(data.bestComparisons === undefined ? {} : { bestComparisons: pairs(data.bestComparisons) }),
  };
}

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
  const parsed = ResultsFileSchema.safeParse(version === 1 ? fromVersion1(data as Record<string, unknown>) : data);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new UserError(`${file}: not a valid fffbench results file (schemaVersion ${SCHEMA_VERSION}):\n  ${first.join('\n  ')}`);
  }
  return parsed.data;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function loadResultsFile(file: string): ResultsFile {
  return parseResultsFile(readText(file), file);
}

/**
 * One results file, or each machine's file from a bundle written by `merge --allow-machines`.
 */
export function loadResultsFiles(file: string): ResultsFile[] {
  const text = readText(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [parseResultsFile(text, file)]; // reports the JSON error
  }
  if (isBundle(data)) return data.bundle.map((entry, k) => parseResultsFile(JSON.stringify(entry), `${file} (machine ${k + 1})`));
  return [parseResultsFile(text, file)];
}
