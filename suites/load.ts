/**
 * Loading a suite: by path or by the name of a shipped suite, with errors that name the file,
 * the field path, the value given and what is allowed (issues.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/errors.ts';
import { formatIssues } from './issues.ts';
import { suiteJsonSchemaObject } from './json-schema.ts';
import { SuiteSchema, type Suite } from './schema.ts';

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

export function parseSuite(input: unknown, file: string): Suite {
  const parsed = SuiteSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`invalid suite\n${formatIssues(file, input, parsed.error, suiteJsonSchemaObject())}`);
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
