/**
 * Where the result history lives: --history DIR, else FFFBENCH_HISTORY, else "history" in
 * fffbench.config.json at the project root. The store itself is src/results/history.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../src/errors.ts';
import { ROOT } from './runtimes.ts';

export function configuredHistoryDir(): string | undefined {
  if (process.env.FFFBENCH_HISTORY) return resolve(process.env.FFFBENCH_HISTORY);
  const config = join(ROOT, 'fffbench.config.json');
  if (!existsSync(config)) return undefined;
  let parsed: { history?: unknown };
  try {
    parsed = JSON.parse(readFileSync(config, 'utf8'));
  } catch (err) {
    throw new UserError(`${config}: not valid JSON: ${(err as Error).message}`);
  }
  if (parsed.history === undefined) return undefined;
  if (typeof parsed.history !== 'string') throw new UserError(`${config}: history: expected a directory path (given: ${JSON.stringify(parsed.history)})`);
  return resolve(ROOT, parsed.history);
}

/** The history directory a command uses: the flag, else the configured one, else an error saying how to give one. */
export function historyDir(flag: string | undefined, what: string): string {
  const dir = flag ? resolve(flag) : configuredHistoryDir();
  if (!dir) throw new UserError(`${what} needs a history directory: --history DIR, FFFBENCH_HISTORY, or "history" in fffbench.config.json`);
  return dir;
}
