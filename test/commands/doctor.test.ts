import { describe, expect, it } from 'vitest';
import { doctorJson, doctorText, effectiveCapabilities, runChecks, tracefsMounts, type DoctorReport } from '../../src/commands/doctor.js';
import { sensorSkipReason } from '../support/sensor-harness.js';

describe('doctor', () => {
  it('reads the effective capability set from /proc/self/status', () => {
    const status = 'Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000000c000080004\nCapBnd:\t000001ffffffffff\n';
    const caps = effectiveCapabilities(status);
    expect(caps & (1n << 39n)).not.toBe(0n); // CAP_BPF
    expect(caps & (1n << 38n)).not.toBe(0n); // CAP_PERFMON
    expect(caps & (1n << 19n)).not.toBe(0n); // CAP_SYS_PTRACE
    expect(caps & (1n << 2n)).not.toBe(0n); // CAP_DAC_READ_SEARCH
    expect(caps & (1n << 21n)).toBe(0n); // CAP_SYS_ADMIN
    expect(effectiveCapabilities('Name:\tx\n')).toBe(0n);
  });

  it('finds tracefs mounts in mountinfo, octal escapes decoded', () => {
    const mountinfo = [
      '22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw',
      '31 22 0:12 / /sys/kernel/tracing rw,nosuid - tracefs tracefs rw',
      '40 22 0:12 / /mnt/with\\040space rw - tracefs nodev rw',
      '41 22 0:13 / /sys/kernel/debug rw - debugfs debugfs rw',
    ].join('\n');
    expect(tracefsMounts(mountinfo)).toEqual(['/sys/kernel/tracing', '/mnt/with space']);
    expect(tracefsMounts('')).toEqual([]);
  });

  it('escapes every string it prints, in the table and in --json', () => {
    const hostile = 'evil\u001b]0;owned\u0007\u009b2J\u202etxt';
    const report: DoctorReport = {
      liveEbpf: false,
      checks: [{ check: `typed lines: ${hostile}`, status: 'fail', found: `/tmp/${hostile}`, fix: `rm ${hostile}` }],
    };
    for (const out of [doctorText(report), doctorJson(report)]) {
      expect(out).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
      expect(out).toContain('\\e]0;owned');
      expect(out).toContain('\\u{202e}');
    }
    expect(doctorText(report)).toMatch(/✗ {2}typed lines: .*\n +→ rm evil/);
    const parsed = JSON.parse(doctorJson(report)) as { liveEbpf: boolean; checks: { status: string }[] };
    expect(parsed.liveEbpf).toBe(false);
    expect(parsed.checks[0]!.status).toBe('fail');
  });

  const noEbpf = sensorSkipReason();
  it.skipIf(noEbpf)('as root, loads and detaches the real sensor and attaches the shell probes', () => {
    const report = runChecks();
    expect(report.liveEbpf).toBe(true);
    const byName = new Map(report.checks.map((c) => [c.check, c]));
    for (const name of ['kernel', 'BTF', 'privileges', 'tracefs', 'addon', 'libbpf', 'ring buffer', 'sensor']) expect(byName.get(name)?.status, name).toBe('ok');
    expect(byName.get('libbpf')!.found).toMatch(/^libbpf \d+\.\d+$/);
    const shells = report.checks.filter((c) => c.check.startsWith('typed lines: '));
    expect(shells.length).toBe(3);
    expect(shells.map((c) => c.check)).toEqual(['typed lines: bash', 'typed lines: zsh', 'typed lines: dash']);
    expect(shells.every((c) => c.status === 'ok' || c.status === 'none'), JSON.stringify(shells)).toBe(true);
    expect(shells[0]!.status).toBe('ok');
    expect(shells[0]!.found).toMatch(/readline ✓/);
  });
});
