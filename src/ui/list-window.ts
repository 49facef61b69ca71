/** Windowing of long lists: which rows are visible so that the cursor stays on screen. */

/**
 * The first visible index for a list of `total` rows shown `height` at a time, keeping `cursor`
 * visible and moving as little as possible from `offset`; `center` puts the cursor mid-window
 * (after a jump: search, follow).
 */
export function windowStart(total: number, height: number, cursor: number, offset: number, center = false): number {
  if (height <= 0 || total <= height) return 0;
  const maxStart = total - height;
  let start = offset;
  if (center) start = cursor - Math.floor(height / 2);
  else if (cursor < start) start = cursor;
  else if (cursor >= start + height) start = cursor - height + 1;
  return Math.max(0, Math.min(maxStart, start));
}

/** A cursor moved by `delta` and kept within [0, total). */
export function moveCursor(cursor: number, delta: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(total - 1, cursor + delta));
}
