/** A verb's arguments and the option values the verbs share, parsed with errors that name the option and what it accepts (exit 2). */
import { parseArgs } from 'node:util';
import { UserError } from '../../src/errors.ts';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
export type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/** Parses a verb's arguments; unknown options are a UserError that shows the verb's help. */
export function parseVerbArgs(args: string[], options: OptionSpec, help: string): ParsedArgs {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true }) as ParsedArgs;
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n\n${help}`);
  }
}

/** A comma-separated list of names (--runtimes node,deno), each one of `allowed`; undefined when the option is not given. */
export function commaList(value: string | undefined, allowed: readonly string[], flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((x) => !allowed.includes(x));
  if (unknown.length > 0 || items.length === 0) {
    throw new UserError(`${flag}: unknown ${unknown.length ? `"${unknown.join('", "')}"` : 'empty list'} (allowed: ${allowed.join(', ')})`);
  }
  return items;
}

/** --threshold: a percentage ("5%") or a fraction ("0.05"), below 10 (1000%). */
export function parseThreshold(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw new UserError(`--threshold: expected a percentage like 5% or a fraction like 0.05 (given: ${text})`);
  const value = Number(m[1]) / (m[2] ? 100 : 1);
  if (!(value >= 0 && value < 10)) throw new UserError(`--threshold: out of range (given: ${text})`);
  return value;
}
