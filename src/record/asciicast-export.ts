/**
 * One entry session's terminal output as an asciicast v2 recording (asciinema's format: a JSON
 * header line with the terminal's width and height, then one `[seconds, "o", text]` line per
 * output event), so `asciinema play` shows what the person saw.
 *
 * The recordings are replayed through the model, as every reader does: which session a
 * `text_output` line belongs to is recomputed (the writer's entry leader), never read from the
 * file. Of the session's terminals, the one its person saw is exported: the entry leader's
 * controlling terminal (a tmux client redraws its panes there), else the first one written to. The session is named by its entry leader's entity id (the detail panel and
 * `snapshot --json` show it).
 *
 * Text is written as captured, escape sequences included (that is what a player replays), except
 * that the stand-ins for bytes that were not UTF-8 become U+FFFD: an asciicast is UTF-8 JSON.
 */

import { EXIT_BAD_INPUT, ExitError } from '../exit-error.js';
import type { ReadOptions } from './recording-reader.js';
import { RecordingReplay } from './recording-replay.js';
import { escapeControl } from '../text/escape-control.js';

export interface AsciicastSink {
  /** Called once, before the first event line, with the header line. */
  header(line: string): void;
  line(line: string): void;
}

export interface AsciicastSummary {
  events: number;
  width: number;
  height: number;
  /** Seconds from the first output to the last. */
  duration: number;
}

export const DEFAULT_WIDTH = 80;
export const DEFAULT_HEIGHT = 24;

/**
 * Replays `files` and writes the output of the entry session `sessionId` to `sink`. Throws a
 * ExitError (exit status 2) when no such session is in the recordings, or it has no output.
 */
export function exportAsciicast(files: readonly string[], sessionId: string, sink: AsciicastSink, readOptions: ReadOptions = {}): AsciicastSummary {
  const replay = RecordingReplay.open(files, readOptions);
  let seen = false;
  let start = Number.NaN;
  let last = 0;
  let events = 0;
  let width = DEFAULT_WIDTH;
  let height = DEFAULT_HEIGHT;
  let terminal: number | null = null;
  try {
    for (let step = replay.step(); step !== null; step = replay.step()) {
      const node = step.node;
      const leader = node?.entryLeader ?? null;
      if (leader === null || leader.entityId !== sessionId) continue;
      seen = true;
      const e = step.entry.event;
      if (e.action !== 'text_output' || e.text === '') continue;
      // the terminal the person saw: the entry leader's, else the first one written to
      terminal ??= leader.tty !== 0 ? leader.tty : e.tty;
      if (e.tty !== terminal) continue;
      if (Number.isNaN(start)) {
        start = e.time;
        if (e.ttyColumns > 0 && e.ttyRows > 0) {
          width = e.ttyColumns;
          height = e.ttyRows;
        }
        const header: Record<string, unknown> = {
          version: 2,
          width,
          height,
          timestamp: Math.floor(e.time / 1000),
          title: `sessiontop: ${escapeControl(leader.name)} session ${sessionId} on ${escapeControl(step.model.host.info.name)}`,
          env: { TERM: 'xterm-256color' },
        };
        sink.header(JSON.stringify(header));
      }
      const t = Math.max(0, (e.time - start) / 1000);
      last = t;
      sink.line(`[${t.toFixed(6)},"o",${JSON.stringify(wellFormed(e.text))}]`);
      events++;
    }
  } finally {
    replay.close();
  }
  if (!seen) {
    throw new ExitError(
      `no entry session ${escapeControl(sessionId)} in ${files.map(escapeControl).join(', ')} (give an entry leader's entity_id, as the detail panel and snapshot --json show it)`,
      EXIT_BAD_INPUT,
      'ENOSESSION',
    );
  }
  if (events === 0) {
    throw new ExitError(
      `entry session ${escapeControl(sessionId)} has no terminal output in ${files.map(escapeControl).join(', ')} (record with --tty-output to capture it)`,
      EXIT_BAD_INPUT,
      'ENOOUTPUT',
    );
  }
  return { events, width, height, duration: last };
}

/** Lone surrogates (the U+DC80–U+DCFF stand-ins for bytes that were not UTF-8) → U+FFFD. */
function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_ALL, '\ufffd') : s;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');
