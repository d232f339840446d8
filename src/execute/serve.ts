/**
 * The worker's side of `fffbench ab` (runners/commands/ab.ts): instead of running a job's cases one after
 * another, the worker prepares and times cases on command, read line by line from stdin, so that
 * the driver can alternate two workers, one per revision, in short rounds on one case.
 *
 *   prepare {case}      → prepared {id, result, callNs}: the case checked against the reference and
 *                         warmed up (prepareCase), its kernel kept alive; result is final unless `ok`
 *   round {id, plan}    → round {id, samples} (ns per call), or {id, reason} when a call threw
 *   release {id}        → released {id}: the kernel disposed of
 *
 * Between commands the worker waits on stdin and uses no CPU. End of input ends the worker.
 */
import { estimateCallNs, timeRound, type RoundPlan } from '../measure/measure.ts';
import type { CaseSpec } from '../model/case.ts';
import type { Result } from '../results/schema.ts';
import type { PreparedCase } from './run-case.ts';

/**
 * The version of the round protocol, announced in the worker's hello. A revision whose worker
 * announces none predates `fffbench ab` and cannot be measured by it.
 */
export const SERVE_PROTOCOL = 1;

export type ServeCommand = { type: 'prepare'; case: CaseSpec } | { type: 'round'; id: string; plan: RoundPlan } | { type: 'release'; id: string };

export type ServeMessage =
  | { type: 'prepared'; id: string; result: Result; callNs?: number }
  | { type: 'round'; id: string; samples?: number[]; reason?: string }
  | { type: 'released'; id: string };

/** How long the warm-up after the check calls the kernel before its call time is taken (the round plan's basis). */
const WARMUP_MS = 50;

/** The lines of a byte stream (the worker's stdin), as they arrive. */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered) yield buffered;
}

const reasonOf = (err: unknown) => `${(err as Error)?.message ?? String(err)}`;

/**
 * Serves commands until the input ends. `prepare` opens the case's backend and prepares it (a
 * backend that cannot run makes a final, skipped result).
 */
export async function serveCases(
  commands: AsyncIterable<string>,
  prepare: (c: CaseSpec) => Promise<PreparedCase>,
  emit: (message: ServeMessage) => void,
): Promise<void> {
  const live = new Map<string, PreparedCase>();
  try {
    for await (const line of commands) {
      if (!line.trim()) continue;
      const command = JSON.parse(line) as ServeCommand;
      if (command.type === 'prepare') {
        const c = command.case;
        await live.get(c.id)?.dispose();
        const prepared = await prepare(c);
        let callNs: number | undefined;
        if (prepared.call) {
          try {
            callNs = await estimateCallNs(prepared.call, WARMUP_MS);
          } catch (err) {
            await prepared.dispose();
            emit({ type: 'prepared', id: c.id, result: { ...prepared.result, status: 'failed', reason: reasonOf(err) } });
            continue;
          }
          live.set(c.id, prepared);
        }
        emit({ type: 'prepared', id: c.id, result: prepared.result, ...(callNs !== undefined ? { callNs } : {}) });
      } else if (command.type === 'round') {
        const prepared = live.get(command.id);
        if (!prepared?.call) {
          emit({ type: 'round', id: command.id, reason: `case ${command.id} is not prepared in this worker` });
          continue;
        }
        try {
          emit({ type: 'round', id: command.id, samples: await timeRound(prepared.call, command.plan) });
        } catch (err) {
          emit({ type: 'round', id: command.id, reason: reasonOf(err) });
        }
      } else if (command.type === 'release') {
        const prepared = live.get(command.id);
        live.delete(command.id);
        await prepared?.dispose();
        emit({ type: 'released', id: command.id });
      }
    }
  } finally {
    for (const prepared of live.values()) await prepared.dispose();
  }
}
