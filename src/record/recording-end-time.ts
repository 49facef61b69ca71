/**
 * The time of a recording's last event, read from its tail (the last complete line the recording
 * schema accepts, as every reader checks lines), so the replay knows its span without reading the
 * whole file first.
 */

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parseIsoMs } from './ecs-time.js';
import { validateRecordLine } from './schema.js';

const TAIL_BYTES = 256 * 1024;

/** Last event time of one file (NaN: not a regular file, or no readable line in its tail). */
export function recordingEndTime(file: string): number {
  if (file === '-') return Number.NaN;
  let fd = -1;
  try {
    fd = openSync(file, constants.O_RDONLY);
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0) return Number.NaN;
    const len = Math.min(TAIL_BYTES, st.size);
    const buf = Buffer.alloc(len);
    const n = readSync(fd, buf, 0, len, st.size - len);
    const lines = buf.subarray(0, n).toString('utf8').split('\n');
    // the first piece may be a partial line: skip it unless the tail is the whole file
    const from = len < st.size ? 1 : 0;
    for (let i = lines.length - 1; i >= from; i--) {
      const line = (lines[i] as string).trim();
      if (!line.startsWith('{')) continue;
      try {
        const v = validateRecordLine(JSON.parse(line));
        if (v.ok) {
          const t = parseIsoMs(v.line['@timestamp']);
          if (Number.isFinite(t)) return t;
        }
      } catch {
        // a cut or bad line: try the one before
      }
    }
    return Number.NaN;
  } catch {
    return Number.NaN;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Latest end time of several files (NaN when none is known). */
export function recordingsEndTime(files: readonly string[]): number {
  let end = Number.NaN;
  for (const f of files) {
    const t = recordingEndTime(f);
    if (Number.isFinite(t) && !(t <= end)) end = t;
  }
  return end;
}
