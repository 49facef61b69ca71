/**
 * `sessiontop snapshot [--from FILE...] [--at TIME] [--json] [--strict]`: the session tree once.
 *
 * Without --from it scans /proc (the live host). With --from it replays the recordings (merged in
 * time order, one model per host) up to --at (default: the end) and shows what was alive then.
 * Text output: per host, the entry sessions like `w` and their process trees like `ps f`.
 * --json: one enriched `snapshot` line per live process — itself a valid recording.
 *
 * Bad lines are reported as `file:line: reason` on stderr (the first 20, then a count) and
 * skipped; --strict stops at the first with exit status 2. Files that cannot be read at all,
 * and bad --at values, exit 2 with one line; nothing ever prints a stack trace.
 */

import { writeSync } from 'node:fs';
import { ProcessTable } from '../model/process-table.js';
import { readHostInfo } from '../model/host-info.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { scanProcSnapshot } from '../sensor/procfs.js';
import type { ProcessEvent } from '../sensor/process-event.js';
import { parseAtTime } from '../text/time-size-grammar.js';
import { EcsDocumentBuilder } from '../record/ecs-document.js';
import { escapeControl } from '../text/escape-control.js';
import { EXIT_BAD_INPUT, EXIT_OK, ExitError, exitCodeOf, oneLineMessage, usageError } from '../exit-error.js';
import type { ParsedArgs } from './command-line.js';
import { stringValue } from './option-values.js';
import type { BadLine } from '../record/recording-reader.js';
import { RecordingReplay } from '../record/recording-replay.js';
import { renderSnapshotText } from './snapshot-text.js';
import { localNames, type NameLookup } from '../text/user-names.js';

export interface TextSink {
  write(text: string): unknown;
}

export interface SnapshotCommandOptions {
  /** Recordings to read; empty or undefined: the live host via /proc. */
  from?: string[];
  /** Moment to show (see at-time.ts); only with `from`. */
  at?: string;
  json?: boolean;
  strict?: boolean;
  /** Text output: also show the trees of service (init) sessions. */
  all?: boolean;
  // ---- for tests and embedding
  stdout?: TextSink;
  stderr?: TextSink;
  /** Live snapshot: the host and its snapshot events (default: readHostInfo + scanProcSnapshot). */
  liveHost?: HostInfo;
  liveEvents?: () => ProcessEvent[];
  names?: NameLookup;
  /** How many bad lines are printed before only counting (default 20). */
  maxReportedBadLines?: number;
}

/** `snapshot`'s options from its parsed arguments (usage errors for bad combinations). */
export function snapshotOptionsFromArgs({ values, positionals }: ParsedArgs): SnapshotCommandOptions {
  const fromOption = (values.from as string[] | undefined) ?? [];
  if (positionals.length > 0 && fromOption.length === 0) throw usageError(`unexpected argument "${escapeControl(positionals[0] as string)}" (recordings go after --from)`);
  const from = [...fromOption, ...positionals];
  const at = stringValue(values, 'at');
  if (at !== undefined && from.length === 0) throw usageError('--at goes with --from FILE');
  return { from, json: Boolean(values.json), all: Boolean(values.all), strict: Boolean(values.strict), ...(at !== undefined ? { at } : {}) };
}

export async function runSnapshot(options: SnapshotCommandOptions): Promise<number> {
  const stdout = options.stdout ?? fdSink(1);
  const stderr = options.stderr ?? fdSink(2);
  const say = (msg: string): void => {
    try {
      stderr.write(`sessiontop snapshot: ${msg}\n`);
    } catch {
      // stderr gone: nothing else to tell
    }
  };
  try {
    const views = options.from !== undefined && options.from.length > 0 ? fromRecordings(options, say) : [fromLiveHost(options)];
    let out = '';
    for (const v of views) {
      if (options.json) {
        const doc = new EcsDocumentBuilder({ host: v.host, names: v.names });
        for (const n of aliveNodes(v.table)) out += doc.snapshotLine(n, v.at);
      } else {
        out += renderSnapshotText({ host: v.host, table: v.table, at: v.at, names: v.names, all: options.all ?? false });
        if (views.length > 1) out += '\n';
      }
    }
    stdout.write(out);
    return EXIT_OK;
  } catch (err) {
    if ((err as { code?: string }).code === 'EPIPE') return EXIT_OK; // `snapshot | head`: the reader had enough
    say(escapeControl(oneLineMessage(err)));
    return exitCodeOf(err);
  }
}

interface HostView {
  host: HostInfo;
  table: ProcessTable;
  names: NameLookup;
  at: number;
}

function fromLiveHost(options: SnapshotCommandOptions): HostView {
  if (options.at !== undefined) {
    throw usageError('--at needs --from FILE (a live snapshot is always now)');
  }
  const host = options.liveHost ?? readHostInfo();
  const table = new ProcessTable({ host });
  const events = options.liveEvents ? options.liveEvents() : scanProcSnapshot({ bootTimeMs: host.bootTimeMs });
  let at = 0;
  for (const e of events) {
    table.apply(e);
    if (e.time > at) at = e.time;
  }
  table.finishBackfill();
  return { host, table, names: options.names ?? localNames(), at: at || Date.now() };
}

function fromRecordings(options: SnapshotCommandOptions, say: (msg: string) => void): HostView[] {
  const maxReported = options.maxReportedBadLines ?? 20;
  let reported = 0;
  const onBadLine = (b: BadLine): void => {
    if (reported++ < maxReported) say(`${escapeControl(b.file)}:${b.line}: ${escapeControl(b.reason)}`);
  };
  const onWarning = (msg: string): void => say(`warning: ${escapeControl(msg)}`);
  const replay = RecordingReplay.open(options.from as string[], { strict: options.strict ?? false, onBadLine, onWarning });
  try {
    let at: number;
    if (options.at !== undefined) {
      at = parseAtTime(options.at, replay.peekTime());
      replay.replayUntil(at);
    } else {
      replay.replayAll();
      at = replay.lastTime;
    }
    const stats = replay.stats();
    if (stats.badLines > maxReported) say(`... ${stats.badLines - maxReported} more bad lines not shown`);
    if (stats.badLines > 0) say(`${stats.badLines} bad line${stats.badLines === 1 ? '' : 's'} skipped (--strict stops at the first)`);
    if (replay.models.size === 0) {
      throw new ExitError(
        options.at !== undefined ? `nothing recorded at or before ${options.at}` : 'the recordings hold no events',
        EXIT_BAD_INPUT,
        'EEMPTY',
      );
    }
    const views: HostView[] = [];
    const models = [...replay.models.values()].sort((a, b) => a.host.info.name.localeCompare(b.host.info.name) || a.host.key.localeCompare(b.host.key));
    for (const m of models) {
      views.push({ host: m.host.info, table: m.table, names: options.names ?? m.host.names, at: Number.isFinite(at) ? at : m.lastTime });
    }
    return views;
  } finally {
    replay.close();
  }
}

/** Processes alive in a model, oldest first (parents before children). */
export function aliveNodes(table: ProcessTable): ProcessNode[] {
  table.finishBackfill();
  const nodes: ProcessNode[] = [];
  for (const n of table.processes()) if (!n.exited) nodes.push(n);
  nodes.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  return nodes;
}

function fdSink(fd: number): TextSink {
  return {
    write(text: string): void {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) {
        try {
          off += writeSync(fd, buf, off, buf.length - off);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
          throw err;
        }
      }
    },
  };
}
