/**
 * The machine fingerprint recorded in every results file. Its id names what decides speed: the
 * CPU's vendor, family, model and stepping, the SIMD extensions the kernels can use, the cache
 * sizes, the cores and the memory (never the hostname). A model string such as "AMD EPYC" is
 * shared by CPU generations that differ 1.7x in peak GEMM, so it is kept but not trusted alone.
 * The raw fields the id was built from are kept in the results file.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { CpuIdentity, Machine, ResultsFile } from '../src/results/schema.ts';
import { ROOT } from './runtimes.ts';

/** SIMD extensions that change what the kernels (wasm SIMD, onnxruntime's MLAS, V8) can use. */
const SIMD_FLAGS = [
  'sse4_1',
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512dq',
  'avx512_vnni',
  'avx512_bf16',
  'avx512_fp16',
  'avx_vnni',
  'amx_tile',
  'amx_bf16',
  'amx_int8',
  // Arm (the "Features" line; NEON is "asimd")
  'asimd',
  'asimdhp',
  'asimddp',
  'sve',
  'sve2',
  'i8mm',
  'bf16',
  'sme',
];

/** Parses the first processor block of a Linux /proc/cpuinfo (x86 and Arm spellings). */
export function parseProcCpuinfo(text: string): CpuIdentity {
  const block = text.split(/\n\s*\n/)[0];
  const raw: Record<string, string> = {};
  for (const line of block.split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (m && m[1] !== 'processor' && m[1] !== 'cpu MHz' && m[1] !== 'bogomips' && m[1] !== 'BogoMIPS') raw[m[1].trim()] = m[2].trim();
  }
  const features = new Set((raw.flags ?? raw.Features ?? '').split(/\s+/).filter(Boolean));
  return {
    source: 'proc-cpuinfo',
    // x86: vendor_id / cpu family / model / stepping; Arm: CPU implementer / architecture / part / revision
    vendor: raw.vendor_id ?? raw['CPU implementer'] ?? 'unknown',
    family: raw['cpu family'] ?? raw['CPU architecture'] ?? 'unknown',
    model: raw.model ?? raw['CPU part'] ?? 'unknown',
    stepping: raw.stepping ?? raw['CPU revision'] ?? raw['CPU variant'] ?? 'unknown',
    simd: SIMD_FLAGS.filter((f) => features.has(f)),
    caches: raw['cache size'] ? { cpuinfo: parseSize(raw['cache size']) } : {},
    // The flag list is long and its non-SIMD part says nothing about speed: keep the SIMD part only.
    raw: Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'flags' && k !== 'Features' && k !== 'bugs')),
  };
}

function parseSize(text: string): number {
  const m = /^(\d+)\s*([KMG]?)/i.exec(text.trim());
  if (!m) return 0;
  return Number(m[1]) * { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
}

/** Cache sizes of cpu0 from sysfs: { L1d, L1i, L2, L3 } in bytes. */
function linuxCaches(): Record<string, number> {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  if (!existsSync(dir)) return {};
  const caches: Record<string, number> = {};
  for (const index of readdirSync(dir).filter((d) => d.startsWith('index'))) {
    try {
      const read = (f: string) => readFileSync(join(dir, index, f), 'utf8').trim();
      const type = read('type');
      caches[`L${read('level')}${type === 'Data' ? 'd' : type === 'Instruction' ? 'i' : ''}`] = parseSize(read('size'));
    } catch {
      // an unreadable index: the others still identify the machine
    }
  }
  return caches;
}

/** macOS: sysctl's cpu fields (Apple silicon has no family/model numbers, its brand string names the chip). */
function macCpu(): CpuIdentity | undefined {
  const sysctl = (key: string) => {
    try {
      return execFileSync('sysctl', ['-n', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const keys = [
    'machdep.cpu.brand_string',
    'machdep.cpu.vendor',
    'machdep.cpu.family',
    'machdep.cpu.model',
    'machdep.cpu.stepping',
    'hw.cpufamily',
    'hw.cpusubfamily',
    'machdep.cpu.features',
    'machdep.cpu.leaf7_features',
    'hw.optional.neon',
    'hw.optional.arm.FEAT_BF16',
    'hw.optional.arm.FEAT_I8MM',
    'hw.optional.arm.FEAT_SME',
  ];
  const raw: Record<string, string> = {};
  for (const key of keys) {
    const value = sysctl(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (Object.keys(raw).length === 0) return undefined;
  // Intel Macs spell them "AVX1.0 AVX2 FMA AVX512F AVX512BW …"
  const features = new Set(
    `${raw['machdep.cpu.features'] ?? ''} ${raw['machdep.cpu.leaf7_features'] ?? ''}`.toLowerCase().replace('avx1.0', 'avx').replace(/\./g, '_').split(/\s+/),
  );
  const simd = SIMD_FLAGS.filter((f) => features.has(f));
  if (raw['hw.optional.neon'] === '1') simd.push('asimd');
  if (raw['hw.optional.arm.FEAT_BF16'] === '1') simd.push('bf16');
  if (raw['hw.optional.arm.FEAT_I8MM'] === '1') simd.push('i8mm');
  if (raw['hw.optional.arm.FEAT_SME'] === '1') simd.push('sme');
  const caches: Record<string, number> = {};
  for (const [name, key] of [
    ['L1d', 'hw.l1dcachesize'],
    ['L2', 'hw.l2cachesize'],
    ['L3', 'hw.l3cachesize'],
    ['P-L2', 'hw.perflevel0.l2cachesize'],
  ]) {
    const value = Number(sysctl(key));
    if (value > 0) caches[name] = value;
  }
  return {
    source: 'sysctl',
    vendor: raw['machdep.cpu.vendor'] ?? (raw['machdep.cpu.brand_string']?.startsWith('Apple') ? 'Apple' : 'unknown'),
    family: raw['machdep.cpu.family'] ?? raw['hw.cpufamily'] ?? 'unknown',
    model: raw['machdep.cpu.model'] ?? raw['hw.cpusubfamily'] ?? 'unknown',
    stepping: raw['machdep.cpu.stepping'] ?? 'unknown',
    simd,
    caches,
    raw: Object.fromEntries(Object.entries(raw).filter(([k]) => !k.endsWith('features'))),
  };
}

/** Windows names family, model and stepping in PROCESSOR_IDENTIFIER ("Intel64 Family 6 Model 85 Stepping 7, GenuineIntel"). */
function windowsCpu(): CpuIdentity | undefined {
  const id = process.env.PROCESSOR_IDENTIFIER;
  const m = id && /Family (\d+) Model (\d+) Stepping (\d+), (\S+)/.exec(id);
  if (!m) return undefined;
  return { source: 'PROCESSOR_IDENTIFIER', vendor: m[4], family: m[1], model: m[2], stepping: m[3], simd: [], caches: {}, raw: { PROCESSOR_IDENTIFIER: id } };
}

export function hostCpu(): CpuIdentity {
  if (process.platform === 'linux' && existsSync('/proc/cpuinfo')) {
    const cpu = parseProcCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    const caches = linuxCaches();
    return Object.keys(caches).length > 0 ? { ...cpu, caches } : cpu;
  }
  if (process.platform === 'darwin') {
    const cpu = macCpu();
    if (cpu) return cpu;
  }
  if (process.platform === 'win32') {
    const cpu = windowsCpu();
    if (cpu) return cpu;
  }
  return { source: 'os.cpus', vendor: 'unknown', family: 'unknown', model: 'unknown', stepping: 'unknown', simd: [], caches: {}, raw: {} };
}

interface HostFacts {
  arch: string;
  osType: string;
  cpuModel: string;
  cpuCores: number;
  memoryBytes: number;
  cpu: CpuIdentity;
}

/**
 * The id: a hash of what decides speed. Memory is rounded to whole GiB (the kernel reserves a
 * varying few MiB); the OS release and the microcode are kept in the file but left out of the id,
 * since a nightly machine's kernel updates should not start a new history.
 */
export function machineId(h: HostFacts): string {
  const caches = Object.entries(h.cpu.caches)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  const source = [
    h.arch,
    h.osType,
    h.cpuModel,
    h.cpu.vendor,
    h.cpu.family,
    h.cpu.model,
    h.cpu.stepping,
    h.cpu.simd.join(','),
    caches.join(','),
    h.cpuCores,
    Math.round(h.memoryBytes / 2 ** 30),
  ].join('|');
  return createHash('sha256').update(source).digest('hex').slice(0, 12);
}

export function machineFingerprint(cpu: CpuIdentity = hostCpu()): Machine {
  const cpuModel = (os.cpus()[0]?.model ?? 'unknown').trim();
  const facts: HostFacts = { arch: os.arch(), osType: os.type(), cpuModel, cpuCores: os.availableParallelism(), memoryBytes: os.totalmem(), cpu };
  return {
    id: machineId(facts),
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    arch: facts.arch,
    cpuModel,
    cpuCores: facts.cpuCores,
    memoryBytes: facts.memoryBytes,
    cpu,
  };
}

export function gitInfo(): ResultsFile['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !==
      '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}
