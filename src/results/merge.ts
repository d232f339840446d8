/**
 * Merging results files: shards of one suite on one machine become one results file. Files of
 * different machines are never mixed into one: with `allowMachines` they are kept side by side as
 * a bundle (one results file per machine), which report and compare read group by group.
 */
import { UserError } from '../errors.ts';
import { buildBestComparisons, buildComparisons } from './comparisons.ts';
import { methodVersionOf } from './method.ts';
import { buildEncoderComparisons } from './encoder-comparisons.ts';
import type { ResultsFile } from './schema.ts';

export interface Bundle {
  schemaVersion: 1;
  bundle: ResultsFile[];
}

function mergeOneMachine(files: { file: ResultsFile; name: string }[]): ResultsFile {
  const [first] = files;
  for (const { file, name } of files.slice(1)) {
    if (file.suite.name !== first.file.suite.name) {
      throw new UserError(`${name} is a run of suite "${file.suite.name}" and ${first.name} of "${first.file.suite.name}": merge combines shards of one suite`);
    }
    if ((file.git?.commit ?? '') !== (first.file.git?.commit ?? '')) {
      throw new UserError(
        `${name} was run at commit ${file.git?.commit ?? 'unknown'} and ${first.name} at ${first.file.git?.commit ?? 'unknown'}: merge combines shards of one commit`,
      );
    }
    if (file.seed !== first.file.seed) throw new UserError(`${name} and ${first.name} use different seeds (${file.seed}, ${first.file.seed})`);
    if (methodVersionOf(file) !== methodVersionOf(first.file)) {
      throw new UserError(
        `${name} was measured by method ${methodVersionOf(file)} and ${first.name} by method ${methodVersionOf(first.file)}: merge combines shards of one run`,
      );
    }
  }
  // one runtime, one version: a case's runtime is its line, and two versions in one run would hide which ran what
  const versions = new Map<string, { version: string; name: string }>();
  for (const { file, name } of files) {
    for (const r of file.results) {
      if (r.status !== 'ok') continue;
      const seen = versions.get(r.runtime.name);
      if (seen && seen.version !== r.runtime.version) {
        throw new UserError(
          `${r.runtime.name} ran ${r.runtime.version} in ${name} and ${seen.version} in ${seen.name}: merge combines shards of one run, on one version of each runtime`,
        );
      }
      versions.set(r.runtime.name, seen ?? { version: r.runtime.version, name });
    }
  }
  const owner = new Map<string, string>();
  const results = [];
  for (const { file, name } of files) {
    for (const r of file.results) {
      const before = owner.get(r.id);
      if (before) throw new UserError(`case ${r.id} is in both ${before} and ${name}: these are not disjoint shards`);
      owner.set(r.id, name);
      results.push(r);
    }
  }
  const shards = files.map((f) => f.file.suite.shard).filter((s): s is string => Boolean(s));
  const { shard: _shard, ...suite } = first.file.suite;
  return {
    ...first.file,
    suite: shards.length > 0 ? { ...suite, shard: `merged ${shards.join(' + ')}` } : suite,
    startedAt: files.map((f) => f.file.startedAt).sort()[0],
    finishedAt: files
      .map((f) => f.file.finishedAt)
      .sort()
      .at(-1)!,
    git: first.file.git && { commit: first.file.git.commit, dirty: files.some((f) => f.file.git?.dirty) },
    results,
    comparisons: buildComparisons(results),
    bestComparisons: buildBestComparisons(results),
    ...(results.some((r) => r.model === 'encoder') ? { encoderComparisons: buildEncoderComparisons(results) } : {}),
  };
}

export function mergeResults(files: { file: ResultsFile; name: string }[], allowMachines: boolean): ResultsFile | Bundle {
  if (files.length === 0) throw new UserError('merge needs at least one results file');
  const byMachine = new Map<string, { file: ResultsFile; name: string }[]>();
  for (const f of files) byMachine.set(f.file.machine.id, [...(byMachine.get(f.file.machine.id) ?? []), f]);
  if (byMachine.size === 1) return mergeOneMachine(files);
  if (!allowMachines) {
    const list = [...byMachine].map(([id, fs]) => `${id} (${fs[0].file.machine.cpuModel}): ${fs.map((f) => f.name).join(', ')}`).join('; ');
    throw new UserError(`these files come from ${byMachine.size} machines — ${list}. Pass --allow-machines to keep them as separate groups in one bundle`);
  }
  return { schemaVersion: 1, bundle: [...byMachine.values()].map(mergeOneMachine) };
}

export function isBundle(data: unknown): data is Bundle {
  return typeof data === 'object' && data !== null && Array.isArray((data as Bundle).bundle);
}
