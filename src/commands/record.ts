/**
 * `sessiontop record -o FILE|-`: headless recording (for a service or a pipe).
 *
 * Opens the output safely first (so a refused file changes nothing and costs no sensor start),
 * then the live feed (eBPF backfilled from /proc, or /proc polling; see model/live-feed.ts). The
 * existing processes become one `snapshot` line each (written once the model has linked them all,
 * so their leaders are filled in), followed by every live event as the model enriched it, and a
 * `lost` line whenever the sensor reports dropped events.
 *
 * SIGINT, SIGTERM and SIGHUP (the administrator's ssh dropping) stop the feed (it delivers what it
 * still holds), write what is buffered, fsync, close and exit 0. `--duration` stops the same way.
 * Messages go to stderr with synchronous writes that ignore a vanished terminal, never to stdout
 * (which may be the recording).
 */

import { writeSync } from 'node:fs';
import { LiveFeed, type SourceChoice } from '../model/live-feed.js';
import { ProcessTable } from '../model/process-table.js';
import { readHostInfo } from '../model/host-info.js';
import type { HostInfo } from '../model/types.js';
import type { BpfSourceOptions } from '../sensor/bpf-source.js';
import type { EventSource, ProcessEvent } from '../sensor/process-event.js';
import { escapeControl } from '../text/escape-control.js';
import { LiveRecorder, type RecorderHandlers } from '../record/live-recorder.js';
import { EXIT_FAILURE, EXIT_OK, ExitError, exitCodeOf, oneLineMessage, usageError } from '../exit-error.js';
import { watchReaderGone } from '../record/stdout-pipe.js';
import { parseDurationSeconds } from '../text/time-size-grammar.js';
import { parseCommandArgs, type ParsedArgs } from './command-line.js';
import { commandSpec } from './command-table.js';
import { sensorOptionValues, sourceChoice, sshOptionValues, stringValue } from './option-values.js';
import { parseRotateSpec, type RotateSpec } from '../record/rotate-spec.js';
import type { NameLookup } from '../text/user-names.js';
import type { SshSettings } from '../remote/ssh-command.js';
import type { RemoteHostModel } from '../remote/remote-host-model.js';

export type SourceKind = SourceChoice;

export interface TextSink {
  write(text: string): unknown;
}

export interface RecordCommandOptions {
  /** FILE, or `-` for stdout. */
  output: string;
  force?: boolean;
  append?: boolean;
  /** `SIZE[,KEEP]` (e.g. `100M,5`) or an already parsed spec. */
  rotate?: string | RotateSpec;
  /** gzip every rotated file (FILE.1.gz …); needs `rotate`. */
  compress?: boolean;
  /** Stop after this many seconds (0 / undefined: until a signal). */
  duration?: number;
  source?: SourceKind;
  /** eBPF sensor options (ring size, argv and typed-line bounds, typed capture). */
  bpf?: BpfSourceOptions;
  /** Remote hosts (`--ssh`): their events go to the same file, each line with its own host. */
  ssh?: SshSettings;
  /** With `ssh`: record the local host too (default true; `--no-local`). */
  local?: boolean;
  // ---- for tests and embedding
  /** Replaces the live feed by this source (tests): its `snapshot` events are the backfill. */
  createSource?: (kind: SourceKind, host: HostInfo) => Promise<EventSource> | EventSource;
  host?: HostInfo;
  names?: NameLookup;
  /** Where messages go (default: fd 2, synchronously, errors ignored). */
  stderr?: TextSink;
  /** Install SIGINT/SIGTERM/SIGHUP handlers (default true). */
  handleSignals?: boolean;
  /** Stops the run as a signal would (tests, embedding). */
  stopSignal?: AbortSignal;
  flushIntervalMs?: number;
  /** /proc polling period when the source is procfs (default 1 s). */
  procfsIntervalMs?: number;
  /** The model to feed (default: a new ProcessTable for the host); lets a caller inspect it. */
  model?: ProcessTable;
  /** Called once the source is open (tells which one `auto` chose). */
  onSourceReady?: (source: EventSource) => void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The ring buffer `record` asks for unless `--ring-size` says otherwise: half the live view's. A
 * headless recorder drains it without pause (the live view may be busy drawing a frame), and the
 * kernel maps the ring twice into the process, so each MiB here is 2 MiB of resident memory.
 */
export const RECORD_RING_BYTES = 8 << 20;

/**
 * How `record` drains the ring: after each drain, records gather for 100 ms before the next
 * wake-up (the live view's 10 ms is for the screen), with a 1 s backstop (the watch, re-armed
 * 100 ms after a drain, sees whatever came meanwhile, kernel wake-up or not). Each wake-up has a
 * fixed cost (a VM exit, a cold pass through the event loop and the line builder) that an exec
 * storm pays beside its own work: batches 10× larger cut the recorder's CPU during a storm by
 * about 40% (bench/record-storm.ts). The lines reach the file no later for it (the writer writes
 * at least once a second), and the 8 MiB ring holds 100 ms of any realistic storm (it would take
 * 80 MB/s of records to fill).
 */
export const RECORD_DRAIN = { coalesceMs: 100, intervalMs: 1000 } as const;

/** Exited processes `record`'s model keeps per login session as history: none (see runRecord). */
export const RECORD_HISTORY_PER_SESSION = 0;

/** `record`'s options from its parsed arguments (usage errors for bad values). */
export function recordOptionsFromArgs({ values }: ParsedArgs): RecordCommandOptions {
  const output = stringValue(values, 'output');
  if (!output) throw usageError('-o FILE is required (or -o - for stdout)');
  if (values.force && values.append) throw usageError('--force and --append cannot go together');
  const bpf: BpfSourceOptions = { ringBytes: RECORD_RING_BYTES, ...RECORD_DRAIN, ...sensorOptionValues(values) };
  const duration = stringValue(values, 'duration');
  const rotate = stringValue(values, 'rotate');
  return {
    output,
    force: Boolean(values.force),
    append: Boolean(values.append),
    duration: duration === undefined ? 0 : parseDurationSeconds(duration, '--duration'),
    source: sourceChoice(values.source),
    bpf,
    ...(rotate !== undefined ? { rotate } : {}),
    ...(values.compress ? { compress: true } : {}),
    ...sshOptionValues(values),
  };
}

/** `record`'s argument words (after `record`) read into the options runRecord takes. */
export function parseRecordArgs(args: readonly string[]): RecordCommandOptions {
  return recordOptionsFromArgs(parseCommandArgs(commandSpec('record'), args));
}

/** Runs the recording until a signal, `--duration` or a write failure; returns the exit status. */
export async function runRecord(options: RecordCommandOptions): Promise<number> {
  const stderr = options.stderr ?? STDERR;
  const say = (msg: string): void => {
    try {
      stderr.write(`sessiontop record: ${msg}\n`);
    } catch {
      // the terminal may be gone (SIGHUP): the recording matters more than the message
    }
  };

  // ---- options (nothing is created before they are all valid)
  const kind = options.source ?? 'auto';
  let rotate: RotateSpec | null;
  try {
    sourceChoice(kind);
    if (options.duration !== undefined && (!Number.isFinite(options.duration) || options.duration < 0)) {
      throw usageError('--duration must be a positive number of seconds');
    }
    rotate = typeof options.rotate === 'string' ? parseRotateSpec(options.rotate) : (options.rotate ?? null);
    if (options.compress && rotate === null) {
      throw usageError('--compress needs --rotate SIZE[,KEEP] (it compresses the rotated files; the active file stays plain)');
    }
  } catch (err) {
    say(oneLineMessage(err));
    return exitCodeOf(err);
  }
  let host: HostInfo;
  try {
    host = options.host ?? readHostInfo();
  } catch (err) {
    say(`cannot read host information from /proc: ${oneLineMessage(err)}`);
    return EXIT_FAILURE;
  }
  // Headless, the model only enriches lines: typed lines go straight to the file, so it keeps no
  // per-process typed history (the live view's detail pane is what shows it), and the commands
  // people ran are kept like any exited process (host-wide cap, oldest first), not per login
  // session for the view's trees: a line names an exited process only as a recent parent or leader.
  const table = options.model ?? new ProcessTable({ host, maxTypedLines: 0, maxHistoryPerSession: RECORD_HISTORY_PER_SESSION });

  // ---- stop requests: signals, --duration, the caller, a write failure
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const requestStop = (): void => resolveDone();

  // ---- the output, opened safely before anything starts
  let recorder: LiveRecorder;
  try {
    recorder = LiveRecorder.open({
      output: options.output,
      host,
      table,
      force: options.force ?? false,
      append: options.append ?? false,
      rotate,
      compress: options.compress ?? false,
      onCompressError: (err) => say(`warning: a rotated file could not be compressed (kept uncompressed): ${oneLineMessage(err)}`),
      ...(options.names ? { names: options.names } : {}),
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
      onFailure: requestStop,
      onWarning: (message) => say(`warning: ${escapeControl(message)}`),
    });
  } catch (err) {
    say(oneLineMessage(err));
    return exitCodeOf(err);
  }

  // stdout's reader leaving ends the recording at once, even with nothing to write
  const unwatch =
    options.output === '-'
      ? watchReaderGone(1, () => recorder.failWith(new ExitError('stdout: reader closed the pipe', EXIT_FAILURE, 'EPIPE')))
      : () => undefined;

  const onSignal = (): void => requestStop();
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const timer = options.duration ? setTimeout(requestStop, options.duration * 1000) : null;
  options.stopSignal?.addEventListener('abort', requestStop, { once: true });
  if (options.stopSignal?.aborted) requestStop();

  // ---- remote hosts (--ssh): one stream each, reconnecting with backoff, into the same file
  const remotes: RemoteHostModel[] = [];
  if (options.ssh !== undefined && options.ssh.destinations.length > 0) {
    const { SshStreamSource } = await import('../remote/ssh-stream-source.js');
    const { RemoteHostModel } = await import('../remote/remote-host-model.js');
    const sinks = new Map<ProcessTable, RecorderHandlers>();
    const sinkOf = (m: RemoteHostModel): RecorderHandlers | null => {
      const t = m.table;
      const h = m.host;
      if (t === null || h === null) return null;
      let sink = sinks.get(t);
      if (sink === undefined) {
        sink = recorder.addHost(h, m.names ?? { user: () => undefined, group: () => undefined }, t);
        sinks.set(t, sink);
      }
      return sink;
    };
    for (const destination of options.ssh.destinations) {
      const source = new SshStreamSource({ settings: options.ssh, destination, mode: 'record', retry: true });
      let lastState = '';
      const m = new RemoteHostModel(source, {
        onBackfill: (nodes, model) => sinkOf(model)?.onBackfill(nodes),
        onEvent: (e, node, model) => sinkOf(model)?.onEvent(e, node),
        onStatus: (model) => {
          const st = model.status;
          if (st.state === lastState || st.state === 'connecting') return;
          lastState = st.state;
          const dest = escapeControl(model.destination);
          if (st.state === 'live') say(`${dest}: live`);
          else if (st.state === 'retrying') say(`${dest}: lost: ${st.reason}; retrying in ${Math.max(1, Math.round((st.retryAt - Date.now()) / 1000))} s`);
        },
      });
      remotes.push(m);
    }
    for (const m of remotes) m.start();
  }

  // ---- the feed
  let failure: unknown = null;
  let feed: { stop(): Promise<void> } | null = null;
  try {
    if (options.ssh !== undefined && options.local === false) {
      // only the remote hosts
    } else if (options.createSource) {
      const source = await options.createSource(kind, host);
      options.onSourceReady?.(source);
      feed = await startSourceFeed(source, table, recorder.handlers);
    } else {
      const live = await LiveFeed.start(
        table,
        {
          source: kind,
          host,
          ...(options.bpf !== undefined ? { bpf: options.bpf } : {}),
          ...(options.procfsIntervalMs !== undefined ? { pollIntervalMs: options.procfsIntervalMs } : {}),
        },
        recorder.handlers,
      );
      if (live.fallbackReason !== '') say(live.fallbackReason);
      options.onSourceReady?.(live.source);
      feed = live;
    }
  } catch (err) {
    failure = new ExitError(`cannot start the sensor: ${oneLineMessage(err)}`, exitCodeOf(err), 'ESENSOR');
    requestStop();
  }

  await done;

  // ---- shutdown: stop the feed (it delivers what it still holds), write, fsync, close
  unwatch();
  if (timer !== null) clearTimeout(timer);
  options.stopSignal?.removeEventListener('abort', requestStop);
  try {
    await Promise.all([feed?.stop(), ...remotes.map((m) => m.stop())]);
  } catch (err) {
    failure ??= err;
  }
  failure ??= recorder.failure;
  try {
    if ((failure as { code?: string } | null)?.code === 'EPIPE') recorder.writer.discard();
    else recorder.close();
  } catch (err) {
    failure ??= err;
  }
  await recorder.compressed(); // the last rotated file too (a failure was said, its plain file kept)
  const dropped = recorder.writer.stats().dropped;
  if (dropped > 0 && (failure as { code?: string } | null)?.code !== 'EPIPE') {
    say(`${dropped} lines lost: the reader of stdout was too slow (they were dropped rather than block)`);
  }
  if (handleSignals) for (const s of STOP_SIGNALS) process.off(s, onSignal);

  if (failure !== null) {
    const code = (failure as { code?: string }).code;
    if (code === 'EPIPE' && options.output === '-') return EXIT_OK; // the reader went away: a normal end for a pipe
    say(`stopped: ${oneLineMessage(failure)}`);
    return failure instanceof ExitError ? failure.exitCode : EXIT_FAILURE;
  }
  const where = options.output === '-' ? 'stdout' : escapeControl(options.output);
  const rotations = recorder.writer.stats().rotations;
  const gz = recorder.gzip;
  const compressed = gz !== null && gz.compressed > 0 ? `, ${gz.compressed} compressed to ${Math.round((100 * gz.gzipBytes) / Math.max(1, gz.plainBytes))}%` : '';
  say(`${recorder.lines} events (${recorder.lost} lost by the kernel) written to ${where}${rotations > 0 ? ` (${rotations} rotations${compressed})` : ''}`);
  return EXIT_OK;
}

/**
 * Drives a bare EventSource the way LiveFeed drives the live ones: its `snapshot` events are
 * applied and resolved together (handed over once, before the first other event or when start()
 * returns), every other event is applied and handed over.
 */
async function startSourceFeed(source: EventSource, table: ProcessTable, handlers: RecorderHandlers): Promise<{ stop(): Promise<void> }> {
  let pending = false;
  const flush = (): void => {
    pending = false;
    handlers.onBackfill(table.finishBackfill());
  };
  await source.start((e: ProcessEvent) => {
    if (e.action === 'snapshot') {
      table.apply(e);
      pending = true;
      return;
    }
    if (pending) flush();
    handlers.onEvent(e, table.apply(e));
  });
  if (pending) flush();
  return source;
}

const STDERR: TextSink = {
  write(text: string): void {
    writeSync(2, text);
  },
};
