/**
 * The JavaScript runtimes fffbench measures in: the one list every other place derives from (the
 * suite and results schemas, the orchestrator's order, the worker commands keyed by it).
 *
 * A runtime is named `<engine>` or `<engine>@<major>`: `node` is the pinned Active LTS Node,
 * `node@24` and `node@22` the other pinned Node lines, each its own installed binary (package.json
 * optionalDependencies, docs/runtimes.md); `deno` and `bun` are the pinned Deno and Bun. The name,
 * not the exact version, is part of a case's identity: a pin moved from 26.10.0 to 26.12.1 is the
 * same case on a changed runtime (compare says so), while node@22 and node are two cases.
 */

/** The engines, each with one worker adapter (runners/workers/ENGINE.ts). */
export const ENGINE_NAMES = ['node', 'deno', 'bun'] as const;

export type EngineName = (typeof ENGINE_NAMES)[number];

/** The runtimes a suite or --runtimes can name, in the order they run and are listed. */
export const RUNTIME_NAMES = ['node', 'node@24', 'node@22', 'deno', 'bun'] as const;

export type RuntimeName = (typeof RUNTIME_NAMES)[number];

/** What a suite runs when it names no runtimes: each engine's pinned default. */
export const DEFAULT_RUNTIMES: readonly RuntimeName[] = ['node', 'deno', 'bun'];

/**
 * Any runtime name a results file may hold: one of RUNTIME_NAMES, or a line listed once and since
 * removed (a history keeps "node@20" results after that line is dropped).
 */
export type RuntimeLabel = EngineName | `${EngineName}@${number}`;

const LABEL = /^(node|deno|bun)(?:@(\d+))?$/;

export function isRuntimeLabel(name: string): name is RuntimeLabel {
  return LABEL.test(name);
}

export function isRuntimeName(name: string): name is RuntimeName {
  return (RUNTIME_NAMES as readonly string[]).includes(name);
}

/** The engine of a runtime name: "node@22" → "node". */
export function engineOf(name: RuntimeLabel): EngineName {
  return LABEL.exec(name)![1] as EngineName;
}

/** The Node line a `node@N` name pins (N), or undefined for an engine's default. */
export function lineOf(name: RuntimeLabel): number | undefined {
  const major = LABEL.exec(name)?.[2];
  return major === undefined ? undefined : Number(major);
}

/** Where runtimes are listed by name: the order of RUNTIME_NAMES, then any others by name. */
export function compareRuntimeNames(a: string, b: string): number {
  const rank = (x: string) => {
    const k = (RUNTIME_NAMES as readonly string[]).indexOf(x);
    return k < 0 ? RUNTIME_NAMES.length : k;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** The message for a name that is not a runtime here, listing those that are. */
export function unknownRuntimeMessage(name: string): string {
  return `unknown runtime "${name}": expected one of ${RUNTIME_NAMES.join(', ')} (node is the pinned Active LTS Node, node@N another installed Node line; docs/runtimes.md says how to add one)`;
}
