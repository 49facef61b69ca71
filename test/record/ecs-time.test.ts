import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/record-workload.js';
import { formatIsoMicros, ISO_DATE_TIME_PATTERN, isIsoDateTimeBytes, parseIsoMs } from '../../src/record/ecs-time.js';
import { recordLineJsonSchema } from '../../src/record/schema.js';
import type { JsonSchemaNode } from '../../src/record/json-schema-check.js';

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

describe('date-time check on bytes = the schema pattern', () => {
  const pattern = new RegExp(ISO_DATE_TIME_PATTERN);
  const check = (text: string): boolean => {
    const b = Buffer.from(text, 'latin1');
    return isIsoDateTimeBytes(b, 0, b.length);
  };

  it('is the pattern every date-time field of the schema carries', () => {
    const found: string[] = [];
    const walk = (n: JsonSchemaNode | undefined): void => {
      if (n === undefined) return;
      if (n.format === 'date-time') found.push(n.pattern ?? '');
      for (const c of Object.values(n.properties ?? {})) walk(c);
      walk(n.items);
      for (const a of n.anyOf ?? []) walk(a);
    };
    walk(recordLineJsonSchema());
    expect(found.length).toBeGreaterThan(10);
    expect(new Set(found)).toEqual(new Set([ISO_DATE_TIME_PATTERN]));
  });

  it('agrees on every day of the years that make the leap rule, 29 February of 1896–2104 and of every century, and on every field boundary', () => {
    const cases: string[] = [];
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    for (const year of [0, 4, 100, 400, 1896, 1900, 1970, 2000, 2023, 2024, 2100, 2104, 9999]) {
      for (let month = 0; month <= 13; month++) for (let day = 0; day <= 32; day++) cases.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T10:20:30Z`);
    }
    for (let year = 1896; year <= 2104; year++) cases.push(`${year}-02-29T00:00:00Z`, `${year}-02-28T23:59:59.9Z`);
    for (let century = 0; century <= 99; century++) cases.push(`${pad(century, 2)}00-02-29T00:00:00Z`, `${pad(century, 2)}04-02-29T00:00:00Z`);
    for (let h = 0; h <= 25; h++) for (const m of [0, 9, 59, 60, 99]) cases.push(`2024-05-01T${pad(h, 2)}:${pad(m, 2)}:${pad(m, 2)}Z`, `2024-05-01T10:00:00+${pad(h, 2)}:${pad(m, 2)}`, `2024-05-01T10:00:00.5-${pad(h, 2)}:${pad(m, 2)}`);
    cases.push('2024-05-01T10:00:00', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.1234567890123Z', '2024-05-01t10:00:00Z', '2024-05-01T10:00:00z', '2024-05-01T10:00:00Z ', ' 2024-05-01T10:00:00Z', '2024-05-01T10:00:00+0200', '2024-05-01T10:00:00+02:00:00', '2024-5-01T10:00:00Z', '', 'Z');
    let accepted = 0;
    for (const c of cases) {
      expect(check(c), c).toBe(pattern.test(c));
      if (pattern.test(c)) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('agrees on 200 000 mutations of valid values (bytes changed, cut, doubled, inserted)', () => {
    const r = rng(11);
    const alphabet = '0123456789-:.+TZtz 9/\x7f';
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) {
      let s = formatIsoMicros(Date.UTC(1900, 0, 1) + r() * 7e12);
      if (r() < 0.3) s = s.replace(/\.\d+/, r() < 0.5 ? '' : '.5');
      if (r() < 0.2) s = s.replace('Z', r() < 0.5 ? '+05:30' : '-12:00');
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * (s.length + 1));
        const c = alphabet[Math.floor(r() * alphabet.length)] as string;
        const op = r();
        if (op < 0.5) s = s.slice(0, at) + c + s.slice(at + 1);
        else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1);
        else if (op < 0.85) s = s.slice(0, at) + c + s.slice(at);
        else s = s.slice(0, at) + s.slice(at - 1, at) + s.slice(at);
      }
      const want = pattern.test(s);
      if (check(s) !== want) expect(check(s), JSON.stringify(s)).toBe(want);
      if (want) accepted++;
    }
    expect(accepted).toBeGreaterThan(10_000);
  });
});
