/**
 * The one grammar for the times, durations and sizes a person types: the command line
 * (`--duration`, `--ring-size`, `--rotate SIZE`), `snapshot --at` and the replay's seek prompt.
 *
 * - DURATION: a number with an optional unit, `ms`, `s` (the default), `m`, `h` or `d`:
 *   `30`, `30s`, `1.5m`, `500ms`, `1h`.
 * - SIZE: a number with an optional unit `K`, `M`, `G` or `T` (powers of 1024, any case), optionally
 *   followed by `B`, `iB` or `i`: `4096`, `64K`, `1.5M`, `16MiB`.
 * - TIME (`--at`): an ISO 8601 date-time (`2024-05-01T10:00:00Z`; `2024-05-01 10:00:00` is local
 *   time), `@SECONDS` since the epoch (`@1714557600.5`), `+DURATION` after the recording's first
 *   event (`+90s`), or `HH:MM[:SS]` local time on the day of the recording's first event.
 * - SEEK (the replay's prompt): `+DURATION` / `-DURATION` from the position, `N%` of the recording,
 *   or any TIME.
 *
 * Bad input is an ExitError of bad usage (exit status 2) naming the option and the accepted forms.
 */

import { ExitError, usageError } from '../exit-error.js';

const DURATION_SOURCE = '(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)?';
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Examples shown in error messages and help. */
export const DURATION_EXAMPLES = '30, 30s, 5m, 1h, 500ms';
export const SIZE_EXAMPLES = '4096, 64K, 16M, 1.5G';

/** `number` + unit → ms, or NaN when `text` is not a DURATION. */
function durationMsOrNaN(text: string): number {
  const m = new RegExp(`^${DURATION_SOURCE}$`).exec(text.trim());
  if (m === null) return Number.NaN;
  return Number(m[1]) * (UNIT_MS[m[2] ?? ''] as number);
}

/** A DURATION in milliseconds; `what` names the option in the error. */
export function parseDurationMs(text: string, what: string): number {
  const ms = durationMsOrNaN(text);
  if (!Number.isFinite(ms)) throw usageError(`${what}: "${text}" is not a duration (examples: ${DURATION_EXAMPLES})`);
  return ms;
}

/** A DURATION in seconds; `what` names the option in the error. */
export function parseDurationSeconds(text: string, what: string): number {
  return parseDurationMs(text, what) / 1000;
}

/** A SIZE in bytes (whole bytes, rounded down); `what` names the option in the error. */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:iB|i|B)?\s*$/i.exec(text);
  const bytes = m === null ? Number.NaN : Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? '').toUpperCase()] as number));
  if (!Number.isSafeInteger(bytes)) throw usageError(`${what}: "${text}" is not a size (examples: ${SIZE_EXAMPLES})`);
  return bytes;
}

/** ms since the epoch for an `--at` TIME; `firstEventMs` anchors the relative forms (NaN: none known). */
export function parseAtTime(text: string, firstEventMs: number): number {
  const s = text.trim();
  let m = /^@(\d+(?:\.\d+)?)$/.exec(s);
  if (m !== null) return Number(m[1]) * 1000;
  if (s.startsWith('+')) {
    const delta = durationMsOrNaN(s.slice(1));
    if (Number.isFinite(delta)) {
      if (!Number.isFinite(firstEventMs)) throw bad(text, 'the recording has no events to count from');
      return firstEventMs + delta;
    }
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

function bad(text: string, why: string): ExitError {
  return usageError(`--at "${text}": ${why}`);
}

/** Where the replay is, for the relative forms of the seek prompt. */
export interface SeekContext {
  position: number;
  start: number;
  end: number;
}

/** ms since the epoch for the seek prompt; throws an Error whose message says what forms are accepted. */
export function parseSeekTime(text: string, ctx: SeekContext): number {
  const s = text.trim();
  if (s.startsWith('+') || s.startsWith('-')) {
    const delta = durationMsOrNaN(s.slice(1));
    if (Number.isFinite(delta)) return s.startsWith('+') ? ctx.position + delta : ctx.position - delta;
  }
  const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (m !== null) {
    if (!Number.isFinite(ctx.start) || !Number.isFinite(ctx.end)) throw new Error('the end of this recording is not known yet: seek to a time instead');
    const share = Math.min(100, Number(m[1])) / 100;
    return ctx.start + (ctx.end - ctx.start) * share;
  }
  try {
    return parseAtTime(s, ctx.start);
  } catch {
    throw new Error(`cannot read "${s}" as a time (examples: 12:03:04, +30s, -5m, 50%, 2024-05-01T12:03:04Z, @1714557600)`);
  }
}
