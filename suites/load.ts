/**
 * Loading a suite: by path or by the name of a shipped suite, with errors that name the file,
 * the field path, the value given and what is allowed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../src/errors.ts';
import { EncoderSweepSchema, MeasurementSchema, SuiteSchema, SweepSchema, type Suite } from './schema.ts';

export const SUITES_DIR = dirname(fileURLToPath(import.meta.url));

export { UserError };

export function shippedSuites(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

export function resolveSuitePath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const shipped = join(SUITES_DIR, `${nameOrPath}.json`);
  if (existsSync(shipped)) return shipped;
  throw new UserError(`suite "${nameOrPath}" is neither a file nor a shipped suite (shipped: ${shippedSuites().join(', ')})`);
}

/** The fields an object in a suite may have, by its path. */
function allowedKeysAt(path: PropertyKey[]): string[] {
  const names = (schema: { shape: Record<string, unknown> }) => Object.keys(schema.shape);
  if (path.length === 0) return names(SuiteSchema);
  if (path[0] === 'sweeps' && path.length === 2) return names(SweepSchema);
  if (path[0] === 'sweeps' && path[2] === 'depth') return ['from', 'to'];
  if (path[0] === 'encoders' && path.length === 2) return names(EncoderSweepSchema);
  if (path[0] === 'measurement') return names(MeasurementSchema);
  if (path[0] === 'limits') return ['maxWeightBytes'];
  return [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The allowed name nearest to a misspelt one, if it is near enough to be a typo. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const name of allowed) {
    const d = editDistance(key, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : `${k === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** One line per problem: `file: field: message (given: value)`. */
export function formatIssues(file: string, input: unknown, error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const where = formatPath(issue.path);
        const allowed = allowedKeysAt(issue.path);
        return issue.keys
          .map((key) => {
            const guess = closest(key, allowed);
            const hint = guess ? ` (did you mean "${guess}"?)` : '';
            return `${file}: ${where === '(top level)' ? key : `${where}.${key}`}: unknown field${hint}; allowed: ${allowed.join(', ')}`;
          })
          .join('\n');
      }
      const given = valueAt(input, issue.path);
      const shown = given === undefined || (typeof given === 'object' && given !== null) ? '' : ` (given: ${JSON.stringify(given)})`;
      return `${file}: ${formatPath(issue.path)}: ${issue.message}${shown}`;
    })
    .join('\n');
}

export function parseSuite(input: unknown, file: string): Suite {
  const parsed = SuiteSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`invalid suite\n${formatIssues(file, input, parsed.error)}`);
  return parsed.data;
}

export function loadSuite(nameOrPath: string): { suite: Suite; file: string } {
  const file = resolveSuitePath(nameOrPath);
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return { suite: parseSuite(input, file), file };
}
