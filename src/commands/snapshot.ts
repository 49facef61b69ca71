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
import { nodeHeaderToEvent } from '../model/node-facts.js';
import { ProcessTable } from '../model/process-table.js';
import { readHostInfo } from '../model/host-info.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import { scanProcSnapshot } from '../sensor/procfs.js';
import { newProcessEvent, type ProcessEvent } from '../sensor/process-event.js';
import { ttyLastInput } from '../sensor/tty-input.js';
import { loadHistory } from '../record/recording-history.js';
import { parseAtTime } from '../text/time-size-grammar.js';
import { EcsDocumentBuilder } from '../record/ecs-document.js';
import { escapeControl } from '../text/escape-control.js';
import { EXIT_BAD_INPUT, EXIT_OK, ExitError, exitCodeOf, oneLineMessage, usageError } from '../exit-error.js';
import type { ParsedArgs } from './command-line.js';
import { sshOptionValues, stringValue } from './option-values.js';
import type { BadLine } from '../record/recording-reader.js';
import { RecordingReplay } from '../record/recording-replay.js';
import { renderSnapshotText } from './snapshot-text.js';
import { localNames, type NameLookup } from '../text/user-names.js';
import type { SshSettings } from '../remote/ssh-command.js';

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
  /** How many bad lines are printed before only counting (default 5). */
  maxReportedBadLines?: number;
  /** Remote hosts (`--ssh`): each one's snapshot over ssh, after the local host's. */
  ssh?: SshSettings;
  /** With `ssh`: include the local host too (default true; `--no-local`). */
  local?: boolean;
  /** Live snapshot: recordings of this boot to take typed lines and history from. */
  history?: string[];
  /** Live snapshot: when a terminal last saw input (default: the tty device's atime, as `w`). */
  lastInput?: (tty: number) => number;
  /** Effective uid (default process.geteuid()): not root means a degraded live snapshot. */
  euid?: number;
}

/** One line on stderr when a live snapshot cannot see everything. */
export const DEGRADED_WARNING =
  'warning: not running as root: other users\' processes show no environment (FROM, entry types may be wrong) and terminals may be missing; run it with sudo';

/** `snapshot`'s options from its parsed arguments (usage errors for bad combinations). */
export function snapshotOptionsFromArgs({ values, positionals }: ParsedArgs): SnapshotCommandOptions {
  const fromOption = (values.from as string[] | undefined) ?? [];
  if (positionals.length > 0 && fromOption.length === 0) throw usageError(`unexpected argument "${escapeControl(positionals[0] as string)}" (recordings go after --from)`);
  const from = [...fromOption, ...positionals];
  const at = stringValue(values, 'at');
  if (at !== undefined && from.length === 0) throw usageError('--at goes with --from FILE');
  const remote = sshOptionValues(values);
  if (remote !== undefined && from.length > 0) throw usageError('--ssh and --from cannot go together (a snapshot is of recordings or of hosts)');
  const history = (values.history as string[] | undefined) ?? [];
  if (history.length > 0 && from.length > 0) throw usageError('--history is for the live host (with --from, the recordings are the history)');
  return {
    from,
    json: Boolean(values.json),
    all: Boolean(values.all),
    strict: Boolean(values.strict),
    ...(at !== undefined ? { at } : {}),
    ...(history.length > 0 ? { history } : {}),
    ...remote,
  };
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
    const remote = options.ssh !== undefined && options.ssh.destinations.length > 0 ? options.ssh : null;
    if (remote !== null && options.from !== undefined && options.from.length > 0) {
      throw usageError('--ssh and --from cannot go together (a snapshot is of recordings or of hosts)');
    }
    let status: number = EXIT_OK;
    let views: HostView[];
    /** The local host seen live (its terminals' last input is readable here), if any. */
    let localLive: HostView | undefined;
    if (options.from !== undefined && options.from.length > 0) views = fromRecordings(options, say);
    else {
      localLive = remote === null || options.local !== false ? fromLiveHost(options, say) : undefined;
      views = localLive !== undefined ? [localLive] : [];
      if (views.length > 0 && (options.euid ?? process.geteuid?.() ?? 0) !== 0) say(DEGRADED_WARNING);
      if (remote !== null) {
        const { snapshotRemoteHosts } = await import('../remote/remote-snapshot.js');
        for (const r of await snapshotRemoteHosts(remote)) {
          const m = r.model;
          if (!r.ok) {
            say(`${escapeControl(r.destination)}: ${m.table === null ? 'unreachable: ' : ''}${r.reason}`);
            status = 1;
            if (m.table === null) continue;
          } else if (r.reason !== '') say(`${escapeControl(r.destination)}: ${r.reason}`);
          const table = m.table;
          const host = m.host;
          if (table === null || host === null) continue;
          views.push({ host, table, names: options.names ?? m.names ?? localNames(), at: latestActivity(table) });
        }
      }
    }
    let out = '';
    for (const v of views) {
      if (options.json) {
        const doc = new EcsDocumentBuilder({ host: v.host, names: v.names });
        for (const n of aliveNodes(v.table)) out += doc.snapshotLine(n, v.at);
      } else {
        out += renderSnapshotText({
          host: v.host,
          table: v.table,
          at: v.at,
          names: v.names,
          all: options.all ?? false,
          ...(v === localLive ? { lastInput: options.lastInput ?? ((tty: number) => ttyLastInput(tty)), typedUnknown: !v.history } : {}),
        });
        if (views.length > 1) out += '\n';
      }
    }
    stdout.write(out);
    return status;
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
  /** A live snapshot that started from a recording's history. */
  history?: boolean;
}

function fromLiveHost(options: SnapshotCommandOptions, say: (msg: string) => void): HostView {
  if (options.at !== undefined) {
    throw usageError('--at needs --from FILE (a live snapshot is always now)');
  }
  const host = options.liveHost ?? readHostInfo();
  const table = new ProcessTable({ host });
  const history = options.history !== undefined && options.history.length > 0;
  if (history) {
    const h = loadHistory(table, options.history as string[]);
    if (h.otherHost > 0) say(`${h.otherHost} events of other boots or hosts in the history skipped`);
    if (h.badLines > 0) say(`${h.badLines} bad lines in the history skipped`);
  }
  const events = options.liveEvents ? options.liveEvents() : scanProcSnapshot({ bootTimeMs: host.bootTimeMs });
  let at = 0;
  const seen = new Set<string>();
  for (const e of events) {
    table.apply(e);
    if (history) seen.add(`${e.pid}:${e.startTicks}`);
    if (e.time > at) at = e.time;
  }
  table.finishBackfill();
  at = at || Date.now();
  if (history) {
    // what the history left alive and /proc no longer has is over (how, unknown)
    const gone: ProcessNode[] = [];
    for (const n of table.processes()) if (!n.exited && !seen.has(`${n.pid}:${n.startTicks}`)) gone.push(n);
    const e = newProcessEvent();
    for (const n of gone) {
      nodeHeaderToEvent(n, 'end', at, e);
      e.exitUnknown = true;
      table.apply(e);
    }
  }
  return { host, table, names: options.names ?? localNames(), at, history };
}

function fromRecordings(options: SnapshotCommandOptions, say: (msg: string) => void): HostView[] {
  const maxReported = options.maxReportedBadLines ?? 5;
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
    // the first few bad lines each on a line of their own, then one summary line, never a flood
    if (stats.badLines > 0) {
      const shown = stats.badLines > maxReported ? `, the first ${maxReported} shown above` : '';
      say(`${stats.badLines} bad line${stats.badLines === 1 ? '' : 's'} skipped${shown} (--strict stops at the first)`);
    }
    if (replay.models.size === 0) {
      throw new ExitError(
        options.at !== undefined ? `nothing recorded at or before ${options.at}` : 'the recordings hold no events',
        EXIT_BAD_INPUT,
        'EEMPTY',
      );
    }
    let dropped = 0;
    for (const m of replay.models.values()) dropped += m.table.stats().droppedLive;
    if (dropped > 0) say(`${dropped} live processes dropped: the recording claims more than the model keeps (sessions, leaders and their ancestors are all kept)`);
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

/** The newest moment a model saw (a remote snapshot's time). */
function latestActivity(table: ProcessTable): number {
  let at = 0;
  for (const n of table.processes()) if (n.lastActivity > at) at = n.lastActivity;
  return at || Date.now();
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
