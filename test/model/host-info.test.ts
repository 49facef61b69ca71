import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readBootTimeMs, readHostInfo, readPidNsIno, ticksToWallMs } from '../../src/model/host-info.js';

describe('readHostInfo (this machine)', () => {
  it('reads the boot id, pid namespace inode, host name, kernel and boot time', () => {
    const h = readHostInfo();
    expect(h.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(h.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.pidNsIno).toBe(statSync('/proc/self/ns/pid').ino);
    expect(readlinkSync('/proc/self/ns/pid')).toBe(`pid:[${h.pidNsIno}]`);
    expect(h.name).toBe(hostname());
    expect(h.kernel).toBe(release());
    const uptime = Number.parseFloat(readFileSync('/proc/uptime', 'utf8'));
    expect(Math.abs(Date.now() - uptime * 1000 - h.bootTimeMs)).toBeLessThan(2000);
  });

  it('boot time agrees with /proc/stat btime (1 s resolution)', () => {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    expect(Math.abs(readBootTimeMs() - btime * 1000)).toBeLessThan(2000);
  });

  it('falls back to the pid:[N] link text', () => {
    expect(readPidNsIno('/proc/self/ns/pid')).toBe(statSync('/proc/self/ns/pid').ino);
  });

  it('converts clock ticks to wall time', () => {
    const h = { ...readHostInfo(), bootTimeMs: 1_000_000 };
    expect(ticksToWallMs(h, 250)).toBe(1_002_500);
    // this process started after boot and before now
    const ticks = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]);
    const start = ticksToWallMs(readHostInfo(), ticks);
    expect(start).toBeLessThanOrEqual(Date.now() + 20);
    expect(start).toBeGreaterThan(Date.now() - 3_600_000 * 24 * 365);
  });
});
