import { describe, expect, it } from 'vitest';
import { ActivityHistory, BucketRing } from '../../src/ui/activity-history.js';
import { byteSize, compactCount, groupedCount } from '../../src/ui/number-format.js';
import { signalName } from '../../src/ui/signal-names.js';
import { sparkline } from '../../src/ui/sparkline.js';
import { clockTime, defaultRecordingName, duration, idleTime, runningTime, shortStart } from '../../src/ui/time-format.js';

process.env.TZ = 'UTC';

describe('sparkline', () => {
  it('scales to the maximum with the eight blocks, zero is blank', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7, 8], 9)).toBe(' ▁▂▃▄▅▆▇█');
    expect(sparkline([5, 5], 2)).toBe('██');
    expect(sparkline([0, 0, 0], 3)).toBe('   ');
  });
  it('keeps the last `width` values and pads short series on the left', () => {
    expect(sparkline([8, 0, 8], 2)).toBe(' █');
    expect(sparkline([8], 4)).toBe('   █');
  });
});

describe('activity buckets', () => {
  it('counts per bucket and rolls old buckets out', () => {
    const r = new BucketRing(4, 1000);
    r.add(10_000);
    r.add(10_500);
    r.add(11_000);
    expect(r.series(11_000)).toEqual([0, 0, 2, 1]);
    expect(r.recent(11_000, 1)).toBe(1);
    expect(r.recent(11_000, 2)).toBe(3);
    r.add(20_000); // far later: the window restarts
    expect(r.series(20_000)).toEqual([0, 0, 0, 1]);
    expect(r.series(22_000)).toEqual([0, 1, 0, 0]);
  });
  it('ignores events older than the window', () => {
    const r = new BucketRing(3, 1000);
    r.add(10_000);
    r.add(1_000);
    expect(r.recent(10_000, 3)).toBe(1);
  });
  it('keeps one ring per session and a global events ring', () => {
    const h = new ActivityHistory<object>();
    const a = {};
    const b = {};
    h.note(a, 1000);
    h.note(a, 1200);
    h.note(b, 1300);
    h.note(null, 1400);
    expect(h.events.recent(1400, 1)).toBe(4);
    expect(h.of(a)?.recent(1400, 1)).toBe(2);
    expect(h.of(b)?.recent(1400, 1)).toBe(1);
    h.clear();
    expect(h.of(a)).toBeUndefined();
    expect(h.events.recent(1400, 1)).toBe(0);
  });
});

describe('formats', () => {
  const t = Date.UTC(2024, 4, 1, 10, 2, 3, 45);
  it('times and dates', () => {
    expect(clockTime(t)).toBe('10:02:03');
    expect(shortStart(t, t + 3600_000)).toBe('10:02');
    expect(shortStart(t, t + 3 * 86_400_000)).toBe('May 1');
    expect(defaultRecordingName(t)).toBe('sessiontop-20240501-100203.ndjson');
  });
  it('durations and idle times', () => {
    expect(duration(340)).toBe('340ms');
    expect(duration(4250)).toBe('4.2s');
    expect(duration(59_000)).toBe('59s');
    expect(duration(192_000)).toBe('3m12s');
    expect(duration(2 * 3600_000 + 5 * 60_000)).toBe('2h05m');
    expect(duration(3 * 86_400_000 + 4 * 3600_000)).toBe('3d04h');
    expect(idleTime(45_000)).toBe('<1m');
    expect(runningTime(42_500)).toBe('42s');
    expect(runningTime(12 * 60_000 + 5000)).toBe('12m');
    expect(runningTime(2 * 3600_000 + 5 * 60_000)).toBe('2h05m');
    expect(idleTime(12 * 60_000)).toBe('12m');
    expect(idleTime(5 * 86_400_000)).toBe('5d');
  });
  it('counts and sizes', () => {
    expect(compactCount(999)).toBe('999');
    expect(compactCount(1234)).toBe('1.2k');
    expect(compactCount(56_000)).toBe('56k');
    expect(compactCount(1_300_000)).toBe('1.3M');
    expect(byteSize(512)).toBe('512 B');
    expect(byteSize(1536)).toBe('1.5 KiB');
    expect(byteSize(12 * 1024 * 1024)).toBe('12.0 MiB');
    expect(groupedCount(1234567)).toBe('1,234,567');
  });
  it('signal names', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(2)).toBe('SIGINT');
    expect(signalName(11)).toBe('SIGSEGV');
    expect(signalName(34)).toBe('SIGRTMIN');
    expect(signalName(40)).toBe('SIGRTMIN+6');
  });
});
