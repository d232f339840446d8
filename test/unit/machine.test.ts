import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineFingerprint, parseProcCpuinfo } from '../../runners/machine.ts';
import { MachineSchema } from '../../src/results/schema.ts';

/** Two EPYC generations that /proc/cpuinfo names alike ("AMD EPYC"): only family (or model) differs. */
function cpuinfo({ family = '25', model = '17', stepping = '1' } = {}): string {
  const block = (n: number) => `processor\t: ${n}
vendor_id\t: AuthenticAMD
cpu family\t: ${family}
model\t\t: ${model}
model name\t: AMD EPYC
stepping\t: ${stepping}
microcode\t: 0xa101148
cpu MHz\t\t: 2600.000
cache size\t: 1024 KB
flags\t\t: fpu sse sse2 sse4_1 sse4_2 avx avx2 fma avx512f avx512bw avx512vl avx512_bf16 hypervisor
bogomips\t: 5200.00
`;
  return `${block(0)}\n${block(1)}`;
}

describe('machine identity', () => {
  it('reads vendor, family, model, stepping, SIMD extensions and caches from /proc/cpuinfo, keeping the raw fields', () => {
    const cpu = parseProcCpuinfo(cpuinfo());
    assert.deepEqual([cpu.vendor, cpu.family, cpu.model, cpu.stepping], ['AuthenticAMD', '25', '17', '1']);
    assert.deepEqual(cpu.simd, ['sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16']);
    assert.equal(cpu.caches.cpuinfo, 1024 * 1024);
    assert.equal(cpu.raw['model name'], 'AMD EPYC');
    assert.equal(cpu.raw.microcode, '0xa101148');
    assert.ok(!('cpu MHz' in cpu.raw), 'the clock of the moment is not an identity');
    assert.ok(MachineSchema.safeParse(machineFingerprint(cpu)).success);
  });

  it('CPUs that differ only in family, model, stepping or SIMD get different ids; the microcode and clock do not count', () => {
    const id = (text: string) => machineFingerprint(parseProcCpuinfo(text)).id;
    const base = id(cpuinfo());
    assert.notEqual(id(cpuinfo({ family: '26' })), base, 'family');
    assert.notEqual(id(cpuinfo({ model: '1' })), base, 'model');
    assert.notEqual(id(cpuinfo({ stepping: '2' })), base, 'stepping');
    assert.notEqual(id(cpuinfo().replaceAll(' avx512_bf16', '')), base, 'SIMD');
    assert.equal(id(cpuinfo().replaceAll('0xa101148', '0xa101150').replaceAll('2600.000', '3100.000')), base);
  });

  it('reads Arm feature lines (NEON as asimd, SVE)', () => {
    const cpu = parseProcCpuinfo(
      'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp sve\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: 0xd0c\nCPU revision\t: 1\n',
    );
    assert.deepEqual([cpu.vendor, cpu.family, cpu.model, cpu.stepping], ['0x41', '8', '0xd0c', '1']);
    assert.deepEqual(cpu.simd, ['asimd', 'asimdhp', 'asimddp', 'sve']);
  });
});
