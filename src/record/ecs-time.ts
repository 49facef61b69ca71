/**
 * Timestamps of the recording: ECS `date` values as ISO 8601 UTC strings with microsecond precision
 * (`2024-05-01T10:00:00.123456Z`), and back. Both directions cache the whole-second part, because
 * consecutive events almost always fall in the same second.
 */

let lastSecond = Number.NaN;
let lastPrefix = '';
/** Whole-second prefixes seen recently (process start times repeat across lines: leaders, parents). */
const prefixes = new Map<number, string>();
const MAX_PREFIXES = 4096;

/** ms since the epoch (fractional) → `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
export function formatIsoMicros(ms: number): string {
  if (!Number.isFinite(ms)) ms = 0;
  let second = Math.floor(ms / 1000);
  let micros = Math.round((ms - second * 1000) * 1000);
  if (micros >= 1_000_000) {
    second += 1;
    micros -= 1_000_000;
  }
  if (second !== lastSecond) {
    let prefix = prefixes.get(second);
    if (prefix === undefined) {
      if (prefixes.size >= MAX_PREFIXES) prefixes.clear();
      prefix = new Date(second * 1000).toISOString().slice(0, 19);
      prefixes.set(second, prefix);
    }
    lastSecond = second;
    lastPrefix = prefix;
  }
  return `${lastPrefix}.${String(1_000_000 + micros).slice(1)}Z`;
}

let parsedPrefix = '';
let parsedPrefixMs = 0;

/**
 * ISO 8601 date-time with a zone (`Z` or ±hh:mm), as accepted by the schema → ms since the epoch
 * (fractional, sub-millisecond digits kept to the microsecond). NaN when it is not such a string.
 */
export function parseIsoMs(s: string): number {
  if (s.length < 20 || s.charCodeAt(10) !== 84 /* T */) return Date.parse(s);
  let base: number;
  if (s.startsWith(parsedPrefix) && parsedPrefix !== '') {
    base = parsedPrefixMs;
  } else {
    const prefix = s.slice(0, 19);
    base = Date.parse(`${prefix}Z`);
    if (Number.isNaN(base)) return base;
    parsedPrefix = prefix;
    parsedPrefixMs = base;
  }
  let i = 19;
  let frac = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    let scale = 100; // first fraction digit is hundreds of ms
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      frac += c * scale;
      scale /= 10;
    }
    frac = Math.round(frac * 1000) / 1000; // keep microseconds, drop float noise
  }
  const zone = s.charCodeAt(i);
  if (zone === 90 /* Z */ && i === s.length - 1) return base + frac;
  if ((zone === 43 /* + */ || zone === 45) /* - */ && s.length === i + 6 && s.charCodeAt(i + 3) === 58) {
    const h = Number(s.slice(i + 1, i + 3));
    const m = Number(s.slice(i + 4, i + 6));
    if (Number.isNaN(h) || Number.isNaN(m)) return Number.NaN;
    const offset = (h * 60 + m) * 60_000;
    return zone === 43 ? base + frac - offset : base + frac + offset;
  }
  return Number.NaN;
}

/** Recording times are accepted from 1970 (no Linux process is older) to the end of 2099. */
export const EARLIEST_TIME_MS = 0;
export const LATEST_TIME_MS = Date.UTC(2100, 0, 1);

/** Whether `ms` is a time a recording can honestly hold (see EARLIEST/LATEST_TIME_MS). */
export function isSaneTime(ms: number): boolean {
  return ms >= EARLIEST_TIME_MS && ms < LATEST_TIME_MS;
}

/**
 * The pattern the schema's date-time fields carry (zod's `z.iso.datetime({ offset: true })`, in
 * the JSON Schema the line scanner is built from). The scanner checks a value of a field with
 * exactly this pattern on its bytes (isIsoDateTimeBytes); any other pattern goes through RegExp.
 */
export const ISO_DATE_TIME_PATTERN =
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$';

const digit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** The two digits at `at` as a number, −1 when they are not two digits. */
function two(b: Uint8Array, at: number): number {
  const h = b[at] as number;
  const l = b[at + 1] as number;
  return digit(h) && digit(l) ? (h - 0x30) * 10 + (l - 0x30) : -1;
}
/** Hours 00–23, then `:`, then minutes 00–59 at `at`. */
function hourMinute(b: Uint8Array, at: number): boolean {
  const h = two(b, at);
  const m = two(b, at + 3);
  return h >= 0 && h <= 23 && b[at + 2] === 0x3a && m >= 0 && m <= 59;
}

/**
 * Whether the ASCII text `b[from, to)` matches ISO_DATE_TIME_PATTERN, without making a string:
 * `YYYY-MM-DD` a real day (29 February in leap years: divisible by 4, centuries by 400), `T`,
 * `hh:mm:ss` (00–23, 00–59, 00–59), an optional fraction of one digit or more, then `Z` or
 * `±hh:mm`. The caller gives bytes below 0x80 only (the pattern's `\d` is ASCII); tests compare
 * it with the pattern itself.
 */
export function isIsoDateTimeBytes(b: Uint8Array, from: number, to: number): boolean {
  if (to - from < 20 || b[from + 4] !== 0x2d || b[from + 7] !== 0x2d || b[from + 10] !== 0x54) return false;
  const century = two(b, from);
  const yy = two(b, from + 2);
  const month = two(b, from + 5);
  const day = two(b, from + 8);
  if (century < 0 || yy < 0 || day < 1) return false;
  if (month === 2) {
    if (day > 29) return false;
    if (day === 29 && (yy === 0 ? century % 4 !== 0 : yy % 4 !== 0)) return false;
  } else if (month === 4 || month === 6 || month === 9 || month === 11) {
    if (day > 30) return false;
  } else if (month < 1 || month > 12 || day > 31) return false;
  if (!hourMinute(b, from + 11) || b[from + 16] !== 0x3a) return false;
  const s = two(b, from + 17);
  if (s < 0 || s > 59) return false;
  let i = from + 19;
  if (b[i] === 0x2e) {
    i++;
    const first = i;
    while (i < to && digit(b[i] as number)) i++;
    if (i === first) return false;
  }
  if (i >= to) return false;
  const zone = b[i];
  if (zone === 0x5a) return i + 1 === to;
  return (zone === 0x2b || zone === 0x2d) && i + 6 === to && hourMinute(b, i + 1);
}
