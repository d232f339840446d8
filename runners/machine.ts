/** The machine fingerprint recorded in every results file. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Machine, ResultsFile } from '../src/results/schema.ts';
import { ROOT } from './runtimes.ts';

export function machineFingerprint(): Machine {
  const cpus = os.cpus();
  const cpuModel = (cpus[0]?.model ?? 'unknown').trim();
  const base = {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel,
    cpuCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
  };
  // The id names the hardware, not the host: same CPU, cores, memory and OS family → same id.
  const idSource = [base.arch, base.cpuModel, base.cpuCores, Math.round(base.memoryBytes / 2 ** 30), os.type()].join('|');
  return { id: createHash('sha256').update(idSource).digest('hex').slice(0, 12), ...base };
}

export function gitInfo(): ResultsFile['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}
