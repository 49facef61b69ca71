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
 * the JSON Schema the line scanner is built from). The scanner's native walk checks a value of a
 * field with exactly this pattern on its bytes (IsIsoDateTime in addon/line-scanner.cc).
 */
export const ISO_DATE_TIME_PATTERN =
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$';
