/**
 * `--at TIME` for `snapshot --from`: when in the recording to take the snapshot.
 *
 * Accepted forms:
 * - an ISO 8601 date-time (`2024-05-01T10:00:00Z`, `2024-05-01 10:00:00` = local time);
 * - `@SECONDS` since the epoch (`@1714557600.5`);
 * - `+DURATION` after the recording's first event (`+90s`, `+5m`, `+1h`, `+1500ms`, `+2.5`);
 * - `HH:MM[:SS]` local time on the day of the recording's first event.
 */

import { EXIT_BAD_INPUT, RecordingError } from '../exit-error.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** ms since the epoch for `text`; `firstEventMs` anchors the relative forms (NaN: none known). */
export function parseAtTime(text: string, firstEventMs: number): number {
  const s = text.trim();
  let m = /^@(\d+(?:\.\d+)?)$/.exec(s);
  if (m !== null) return Number(m[1]) * 1000;
  m = /^\+(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s);
  if (m !== null) {
    if (!Number.isFinite(firstEventMs)) throw bad(text, 'the recording has no events to count from');
    return firstEventMs + Number(m[1]) * (UNIT_MS[m[2] ?? ''] as number);
  }
  m = /^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(s);
  if (m !== null) {
    if (!Number.isFinite(firstEventMs)) throw bad(text, 'the recording has no events to take the day from');
    const d = new Date(firstEventMs);
    const h = Number(m[1]);
    const min = Number(m[2]);
    const sec = m[3] === undefined ? 0 : Number(m[3]);
    if (h > 23 || min > 59 || sec >= 61) throw bad(text, 'not a time of day');
    d.setHours(h, min, 0, 0);
    return d.getTime() + sec * 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const t = Date.parse(s.includes('T') || !s.includes(' ') ? s : s.replace(' ', 'T'));
    if (Number.isFinite(t)) return t;
  }
  throw bad(text, 'expected an ISO date-time, @EPOCH_SECONDS, +DURATION or HH:MM[:SS]');
}

function bad(text: string, why: string): RecordingError {
  return new RecordingError(`--at "${text}": ${why}`, EXIT_BAD_INPUT, 'EUSAGE');
}
