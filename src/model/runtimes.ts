/**
 * The JavaScript runtimes fffbench measures in: the one list every other place derives from (the
 * suite and results schemas, the orchestrator's order, the worker commands keyed by it).
 */
export const RUNTIME_NAMES = ['node', 'deno', 'bun'] as const;

export type RuntimeName = (typeof RUNTIME_NAMES)[number];
