/** Times and durations as the UI shows them (local time zone). */

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `HH:MM:SS` */
export function clockTime(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '--:--:--';
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** `HH:MM:SS.mmm` */
export function clockTimeMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '--:--:--.---';
  const d = new Date(ms);
  return `${clockTime(ms)}.${pad3(d.getMilliseconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` */
export function dateTimeMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${clockTimeMs(ms)}`;
}

/** A start time in five cells: `HH:MM` on the day of `now`, else `Mon D` / `MonDD`. */
export function shortStart(ms: number, now: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  const d = new Date(ms);
  const n = new Date(now);
  if (d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate()) {
    return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  }
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]}${day < 10 ? ' ' : ''}${day}`;
}

/** A duration compactly: `340ms`, `4.2s`, `59s`, `3m12s`, `2h05m`, `3d04h`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 10) return `${(Math.floor(s * 10) / 10).toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(Math.floor(s % 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/**
 * An idle time in at most four cells, to the minute (`<1m`, `12m`, `3h`, `5d`): it changes once a
 * minute, so an idle screen has nothing to redraw.
 */
export function idleTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  if (s < 60) return '<1m';
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/**
 * How long a process has been running, coarser as it ages so the screen stays still: `42s` for the
 * first minute, then `12m`, `2h05m`, `3d04h`.
 */
export function runningTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m`;
  return duration(ms);
}

/** `sessiontop-YYYYmmdd-HHMMSS.ndjson`, the default name of a recording started with `r`. */
export function defaultRecordingName(ms: number): string {
  const d = new Date(ms);
  return `sessiontop-${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}-${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}.ndjson`;
}
