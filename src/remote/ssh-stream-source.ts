/**
 * One remote host over ssh: runs `ssh … DEST CMD record -o -` (or `CMD snapshot --json`), turns its
 * output into events through the recording reader's line → event path, and tracks the connection:
 * connecting → live (first valid line) → lost (with the reason: ssh's last stderr line, escaped) →
 * retrying in N s (exponential backoff with a cap, reset after a connection that stayed up) → ….
 *
 * Knows nothing of the model: it hands each decoded event with its host (host boot id, labelled
 * with the ssh destination, so two streams from one machine stay two hosts) to its handlers.
 *
 * Memory stays bounded whatever the remote sends: a line longer than `maxLineBytes` is skipped (and
 * counted as a bad line) instead of buffered, only ssh's last stderr line is kept (cut to 300
 * characters), and output is decoded as it arrives (the stream is never buffered beyond one
 * partial line). ssh runs in its own session (no controlling terminal: it can never prompt on, or
 * write to, the administrator's terminal) with BatchMode, and is ended (its process group) on stop().
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { newProcessEvent, type ProcessEvent } from '../sensor/process-event.js';
import { escapeControl } from '../text/escape-control.js';
import { HostRegistry, type RecordingHost } from '../record/line-to-event.js';
import { DEFAULT_MAX_LINE_BYTES } from '../record/line-reader.js';
import { decodeRecordLine, firstNonBlank } from '../record/recording-reader.js';
import { sshArgv, type RemoteMode, type SshSettings } from './ssh-command.js';

export type ConnectionState = 'connecting' | 'live' | 'lost' | 'retrying' | 'stopped';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Why the last connection ended (escaped, one line); '' before any loss. */
  reason: string;
  /** `retrying`: when the next attempt starts (ms since the epoch); 0 otherwise. */
  retryAt: number;
  /** Connections started so far. */
  attempts: number;
  /** Last stderr line of a live connection (the remote's notices: `/proc` fallback…), escaped. */
  notice: string;
  /** The last connection's ssh exited with status 0 (a one-shot command completed). */
  cleanEnd: boolean;
}

export interface SshStreamHandlers {
  /** A decoded line of connection number `connection` (1, 2, …). `e` is reused by the next line. */
  onEvent(e: ProcessEvent, host: RecordingHost, connection: number): void;
  /** The lines of one chunk of output were all delivered (a moment to resolve a backfill). */
  onChunkEnd?(connection: number): void;
  onStatus?(status: Readonly<ConnectionStatus>): void;
  /** A line that is not a valid recording line (reason is not escaped). */
  onBadLine?(reason: string, connection: number): void;
}

export interface BackoffOptions {
  /** First retry delay (default 1 s). */
  initialMs: number;
  /** Longest delay (default 60 s). */
  maxMs: number;
  /** A connection that stayed live this long resets the delay (default 30 s). */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, resetAfterMs: 30_000 };

export interface SshStreamOptions {
  settings: SshSettings;
  destination: string;
  mode: RemoteMode;
  /** Reconnect after a loss (live view, record); false: one attempt (snapshot). */
  retry: boolean;
  backoff?: Partial<BackoffOptions>;
  maxLineBytes?: number;
  /** Clock (tests). */
  now?: () => number;
}

const STDERR_KEEP = 300;
const KILL_GRACE_MS = 2000;

/** The retry delay after `failures` consecutive failed connections (1, 2, 4 … s, capped). */
export function backoffDelay(failures: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(1, failures);
  return Math.min(o.maxMs, o.initialMs * 2 ** Math.min(n - 1, 30));
}

/**
 * The one line saying why a connection ended, from ssh's exit and its last stderr line, with what to
 * do next where the cause is recognisable.
 */
export function lossReason(code: number | null, signal: string | null, lastStderr: string, wasLive: boolean): string {
  const line = escapeControl(lastStderr.trim());
  if (/command not found/i.test(line) || code === 127) {
    return `the remote command was not found (${line === '' ? `exit status ${code}` : line}): install sessiontop there or give --remote-command`;
  }
  if (/a password is required|a terminal is required|askpass/i.test(line)) {
    return `${line}: allow passwordless sudo for sessiontop there, or give --remote-command`;
  }
  if (/Host key verification failed/i.test(line)) return `${line} (connect once with ssh to check and accept the host key)`;
  if (/Permission denied/i.test(line) && code === 255) return `${line} (ssh runs without prompting: use a key or an agent)`;
  if (line !== '' && !(wasLive && code === 0)) return line;
  if (signal !== null) return `ssh ended by ${signal}`;
  if (code === 0) return wasLive ? 'the remote sessiontop stopped' : 'the remote command ended without output';
  return `ssh exited with status ${code}`;
}

export class SshStreamSource {
  readonly destination: string;
  readonly hosts: HostRegistry;
  private readonly opts: SshStreamOptions;
  private readonly backoff: BackoffOptions;
  private readonly maxLineBytes: number;
  private readonly now: () => number;
  private readonly event: ProcessEvent = newProcessEvent();
  private handlers: SshStreamHandlers | null = null;
  private child: ChildProcess | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private liveSince = 0;
  private lastStderr = '';
  private stderrPartial = '';
  private pending: Buffer | null = null;
  private skipping = false;
  private stopped = false;
  private childExit: Promise<void> = Promise.resolve();
  /** Valid lines / bad lines over every connection. */
  lines = 0;
  badLines = 0;
  readonly status: ConnectionStatus = { state: 'connecting', reason: '', retryAt: 0, attempts: 0, notice: '', cleanEnd: false };
  /** Settles when a one-shot source (retry: false) has ended; resolves with the status then. */
  readonly ended: Promise<ConnectionStatus>;
  private resolveEnded!: (s: ConnectionStatus) => void;

  constructor(options: SshStreamOptions) {
    this.opts = options;
    this.destination = options.destination;
    this.hosts = new HostRegistry(options.destination);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.now = options.now ?? Date.now;
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  /** Starts the first connection (spawn errors become a loss, never a throw). */
  start(handlers: SshStreamHandlers): void {
    this.handlers = handlers;
    this.connect();
  }

  /** Ends ssh (SIGTERM, then SIGKILL after 2 s) and stops retrying. */
  async stop(): Promise<void> {
    if (this.stopped) return this.childExit;
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      killQuietly(child, 'SIGTERM');
      const t = setTimeout(() => killQuietly(child, 'SIGKILL'), KILL_GRACE_MS);
      t.unref();
      await this.childExit;
      clearTimeout(t);
    }
    this.setStatus('stopped', this.status.reason, 0);
    this.resolveEnded(this.status);
  }

  // ------------------------------------------------------------------ connections

  private connect(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    this.status.attempts++;
    const connection = this.status.attempts;
    this.pending = null;
    this.skipping = false;
    this.lastStderr = '';
    this.stderrPartial = '';
    this.status.notice = '';
    this.status.cleanEnd = false;
    this.liveSince = 0;
    this.setStatus('connecting', this.status.reason, 0);
    const s = this.opts.settings;
    let child: ChildProcess;
    try {
      child = spawn(s.sshBinary, sshArgv(s, this.destination, this.opts.mode), {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: process.env,
      });
    } catch (err) {
      this.lost(`cannot run ${escapeControl(s.sshBinary)}: ${escapeControl((err as Error).message)}`);
      return;
    }
    this.child = child;
    let resolveExit!: () => void;
    this.childExit = new Promise((r) => (resolveExit = r));
    let spawnError = '';
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? `${s.sshBinary}: not found (install the OpenSSH client)` : err.message;
    });
    child.stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk, connection));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => this.onStderr(text));
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      this.child = null;
      if (this.pending !== null && this.pending.length > 0 && !this.skipping) {
        // a last line without newline: the remote stopped mid-line (tolerated, like a file's)
        this.pending = null;
      }
      if (this.stderrPartial.trim() !== '') this.lastStderr = this.stderrPartial.trim().slice(0, STDERR_KEEP);
      const wasLive = this.liveSince !== 0;
      this.status.cleanEnd = code === 0 && spawnError === '';
      const reason = spawnError !== '' ? escapeControl(spawnError) : lossReason(code, signal, this.lastStderr, wasLive);
      resolveExit();
      if (this.stopped) return;
      if (wasLive && this.now() - this.liveSince >= this.backoff.resetAfterMs) this.failures = 0;
      this.lost(reason);
    });
  }

  private lost(reason: string): void {
    this.failures++;
    if (!this.opts.retry || this.stopped) {
      this.setStatus('lost', reason, 0);
      if (!this.opts.retry) this.resolveEnded(this.status);
      return;
    }
    const delay = backoffDelay(this.failures, this.backoff);
    this.setStatus('retrying', reason, this.now() + delay);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref?.();
  }

  private setStatus(state: ConnectionState, reason: string, retryAt: number): void {
    const st = this.status;
    st.state = state;
    st.reason = reason;
    st.retryAt = retryAt;
    this.handlers?.onStatus?.(st);
  }

  // ------------------------------------------------------------------ output

  private onStderr(text: string): void {
    const all = this.stderrPartial + text;
    const lines = all.split('\n');
    this.stderrPartial = (lines.pop() ?? '').slice(-STDERR_KEEP * 4);
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = (lines[i] as string).trim();
      if (l !== '') {
        this.lastStderr = l.slice(0, STDERR_KEEP);
        if (this.liveSince !== 0) {
          this.status.notice = escapeControl(this.lastStderr);
          this.handlers?.onStatus?.(this.status);
        }
        break;
      }
    }
  }

  private onStdout(chunk: Buffer, connection: number): void {
    if (this.stopped) return;
    let buf = chunk;
    let start = 0;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      if (this.skipping) {
        this.skipping = false;
      } else {
        this.line(buf.toString('utf8', start, nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl), connection);
      }
      start = nl + 1;
    }
    const rest = buf.length - start;
    if (rest > 0 && !this.skipping) {
      if (rest > this.maxLineBytes) {
        this.skipping = true;
        this.bad(`line too long (over ${this.maxLineBytes} bytes), skipped`, connection);
      } else {
        this.pending = Buffer.from(buf.subarray(start));
      }
    }
    this.handlers?.onChunkEnd?.(connection);
  }

  private line(text: string, connection: number): void {
    const first = firstNonBlank(text);
    if (first === -1) return;
    const host = decodeRecordLine(text, first, this.hosts, this.event);
    if (typeof host === 'string') {
      this.bad(host, connection);
      return;
    }
    this.lines++;
    if (this.liveSince === 0) {
      this.liveSince = this.now();
      this.setStatus('live', this.status.reason, 0);
    }
    this.handlers?.onEvent(this.event, host, connection);
  }

  private bad(reason: string, connection: number): void {
    this.badLines++;
    this.handlers?.onBadLine?.(reason, connection);
  }
}

/** Signals ssh's whole process group (it leads one: a ProxyCommand it runs goes too). */
function killQuietly(child: ChildProcess, signal: NodeJS.Signals): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
