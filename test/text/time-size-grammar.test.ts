import { describe, expect, it } from 'vitest';
import { parseAtTime } from '../../src/text/time-size-grammar.js';
import { ExitError } from '../../src/exit-error.js';

const first = Date.UTC(2024, 4, 1, 10, 0, 0);

describe('--at TIME', () => {
  it('accepts ISO date-times, @epoch seconds and +durations from the first event', () => {
    expect(parseAtTime('2024-05-01T10:05:00Z', first)).toBe(first + 300_000);
    expect(parseAtTime('2024-05-01T12:05:00+02:00', first)).toBe(first + 300_000);
    expect(parseAtTime('@1714557600.5', first)).toBe(1714557600500);
    expect(parseAtTime('+90s', first)).toBe(first + 90_000);
    expect(parseAtTime('+5m', first)).toBe(first + 300_000);
    expect(parseAtTime('+1500ms', first)).toBe(first + 1500);
    expect(parseAtTime('+2', first)).toBe(first + 2000);
  });
  it('reads HH:MM[:SS] as local time on the day of the first event', () => {
    const d = new Date(first);
    d.setHours(13, 7, 0, 0);
    expect(parseAtTime('13:07', first)).toBe(d.getTime());
    expect(parseAtTime('13:07:30', first)).toBe(d.getTime() + 30_000);
  });
  it('rejects anything else as a usage error (exit 2)', () => {
    for (const bad of ['', 'yesterday', '25:00', '+5 minutes', '2024-99-99']) {
      try {
        parseAtTime(bad, first);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ExitError);
        expect((err as ExitError).exitCode).toBe(2);
      }
    }
    expect(() => parseAtTime('+5s', Number.NaN)).toThrow('the recording has no events to count from');
  });
});
