import { describe, expect, it } from 'vitest';
import { formatIsoMicros, parseIsoMs } from '../../src/record/ecs-time.js';

describe('ECS timestamps', () => {
  it('formats ms (fractional) as ISO 8601 UTC with microseconds', () => {
    expect(formatIsoMicros(Date.UTC(2024, 4, 1, 10, 0, 0, 123) + 0.456)).toBe('2024-05-01T10:00:00.123456Z');
    expect(formatIsoMicros(Date.UTC(2024, 4, 1, 10, 0, 0))).toBe('2024-05-01T10:00:00.000000Z');
    expect(formatIsoMicros(Date.UTC(2024, 4, 1, 10, 0, 59, 999) + 0.9999)).toBe('2024-05-01T10:01:00.000000Z');
    expect(formatIsoMicros(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatIsoMicros(Number.NaN)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('parses back to the microsecond, with any precision and zone', () => {
    const ms = Date.UTC(2024, 4, 1, 10, 0, 0, 123) + 0.456;
    expect(parseIsoMs(formatIsoMicros(ms))).toBeCloseTo(ms, 6);
    expect(parseIsoMs('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseIsoMs('2024-05-01T10:00:00.5Z')).toBe(Date.UTC(2024, 4, 1, 10) + 500);
    expect(parseIsoMs('2024-05-01T10:00:00.123456789Z')).toBe(Date.UTC(2024, 4, 1, 10) + 123.457);
    expect(parseIsoMs('2024-05-01T12:00:00.250+02:00')).toBe(Date.UTC(2024, 4, 1, 10) + 250);
    expect(parseIsoMs('2024-05-01T05:30:00-04:30')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseIsoMs('not a date')).toBeNaN();
    expect(parseIsoMs('2024-05-01T10:00:00.5Zjunk')).toBeNaN();
  });

  it('round-trips many values across seconds (the prefix caches stay correct)', () => {
    let t = Date.UTC(2023, 11, 31, 23, 59, 58);
    for (let i = 0; i < 5000; i++) {
      t += 0.731;
      const s = formatIsoMicros(t);
      expect(s).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      // the whole-second part is that of the time (or the next second when the micros round up)
      expect([new Date(Math.floor(t / 1000) * 1000).toISOString().slice(0, 19), new Date(Math.ceil(t / 1000) * 1000).toISOString().slice(0, 19)]).toContain(s.slice(0, 19));
      expect(Math.abs(parseIsoMs(s) - t)).toBeLessThanOrEqual(0.0005 + 1e-9);
    }
  });
});
