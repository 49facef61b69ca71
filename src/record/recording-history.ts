/**
 * Starting with history: the events of a recording (the service's file, say) applied to a live
 * model before its sensor starts, so a restarted sessiontop shows what happened before it: ended
 * logins with their logout times, the commands people typed, under the same retention rules.
 *
 * Only events of this host's current boot are applied (same host name, boot id and pid namespace:
 * entity ids and pids mean the same); the others are counted and skipped. Processes the recording
 * leaves alive that are gone now are ended by the caller's reconciliation with /proc.
 */

import type { ProcessTable } from '../model/process-table.js';
import { MergedRecordingReader, type BadLine } from './recording-reader.js';

export interface HistoryLoad {
  /** Events applied to the table. */
  applied: number;
  /** Events of another host or another boot, skipped. */
  otherHost: number;
  badLines: number;
  /** Time of the last applied event (NaN when none). */
  lastTime: number;
}

export function loadHistory(table: ProcessTable, files: readonly string[], onBadLine?: (b: BadLine) => void): HistoryLoad {
  const reader = MergedRecordingReader.open(files, { strict: false, ...(onBadLine !== undefined ? { onBadLine } : {}) });
  const h = table.host;
  const out: HistoryLoad = { applied: 0, otherHost: 0, badLines: 0, lastTime: Number.NaN };
  try {
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      const info = entry.host.info;
      if (info.bootId !== h.bootId || info.name !== h.name || (info.pidNsIno !== 0 && info.pidNsIno !== h.pidNsIno)) {
        out.otherHost++;
        continue;
      }
      table.apply(entry.event);
      out.applied++;
      out.lastTime = entry.event.time;
    }
    table.finishBackfill();
    out.badLines = reader.stats().badLines;
  } finally {
    reader.close();
  }
  return out;
}
