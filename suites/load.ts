/**
 * Loading a suite: by path or by the name of a shipped suite, with errors that name the file,
 * the field path, the value given and what is allowed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserError } from '../src/errors.ts';
import { SuiteSchema, type Suite } from './schema.ts';

export const SUITES_DIR = dirname(fileURLToPath(import.meta.url));

export { UserError };

export function shippedSuites(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

export function resolveSuitePath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const shipped = join(SUITES_DIR, `${nameOrPath}.json`);
  if (existsSync(shipped)) return shipped;
  throw new UserError(`suite "${nameOrPath}" is neither a file nor a shipped suite (shipped: ${shippedSuites().join(', ')})`);
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
        return issue.keys.map((key) => `${file}: ${where === '(top level)' ? key : `${where}.${key}`}: unknown field`).join('\n');
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
