/**
 * The sessiontop CLI as an administrator runs it, for acceptance tests: `record -o FILE` as a child
 * process, `snapshot --json` (live or `--from FILE`), and an NDJSON reader that tolerates a partial
 * last line (what SIGKILL can leave). Which commands and options exist is read from `--help`; every
 * one the scenarios use is wired, so a `--help` that does not list one (or that fails or hangs)
 * fails the suite: it never turns those scenarios into skips.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const ROOT = join(import.meta.dirname, '..', '..');
/** The launcher (SESSIONTOP_CLI overrides it, e.g. to try these tests against another build). */
export const CLI = process.env.SESSIONTOP_CLI ?? join(ROOT, 'bin', 'sessiontop.js');

export interface CliAvailability {
  record: boolean;
  snapshot: boolean;
  snapshotFrom: boolean;
  /** The live TUI records with `--record FILE`. */
  tuiRecord: boolean;
  /** `--ring-size` applies to `record` (not only to `trace`). */
  recordRingSize: boolean;
  help: string;
  /** Why a command is not available ('' when all are). */
  reason: string;
}

let availability: CliAvailability | undefined;

/** Which acceptance-relevant commands `sessiontop --help` lists (built dist/ required). */
export function cliAvailability(): CliAvailability {
  if (availability) return availability;
  if (process.env.SESSIONTOP_CLI === undefined && !existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) {
    availability = {
      record: false,
      snapshot: false,
      snapshotFrom: false,
      tuiRecord: false,
      recordRingSize: false,
      help: '',
      reason: 'dist/ not built (npx tsc -p tsconfig.json)',
    };
  } else {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8', timeout: 60_000 });
    const help = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const record = /sessiontop record\b/.test(help);
    const snapshot = /sessiontop snapshot\b/.test(help);
    const snapshotFrom = snapshot && /--from\b/.test(help);
    const tuiRecord = /--record\b/.test(help);
    // "Sensor options (trace, record…)" or a --ring-size listed among record's options
    const recordRingSize = record && /--ring-size/.test(help) && !/Sensor options \(trace\)/.test(help);
    const missing = [!record && 'record', !snapshot && 'snapshot', !tuiRecord && 'the live TUI with --record'].filter(Boolean).join(', ');
    availability = {
      record,
      snapshot,
      snapshotFrom,
      tuiRecord,
      recordRingSize,
      help,
      reason: missing ? `sessiontop --help does not list: ${missing}` : '',
    };
  }
  if (availability.reason || !availability.snapshotFrom || !availability.recordRingSize) {
    const why = availability.reason || 'sessiontop --help does not list snapshot --from or record --ring-size';
    throw new Error(`acceptance scenarios need the whole CLI: ${why}; --help printed: ${JSON.stringify(availability.help.slice(0, 300))}`);
  }
  return availability;
}

export type Doc = Record<string, unknown>;

/** A dotted ECS path of a parsed document (`process.entry_leader.entry_meta.type`). */
export function field(doc: Doc, path: string): unknown {
  let v: unknown = doc;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

export interface ParsedRecording {
  docs: Doc[];
  /** Lines that did not parse (a partial last line after SIGKILL is one). */
  bad: number;
  /** The last line was cut (no newline at the end and not JSON). */
  partialTail: boolean;
}

export function parseNdjson(text: string): ParsedRecording {
  const docs: Doc[] = [];
  let bad = 0;
  let partialTail = false;
  const lines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    try {
      docs.push(JSON.parse(line) as Doc);
    } catch {
      if (i === lines.length - 1 && !endsWithNewline) partialTail = true;
      else bad++;
    }
  }
  return { docs, bad, partialTail };
}

export function readRecording(file: string): ParsedRecording {
  return parseNdjson(readFileSync(file, 'utf8'));
}

/** `sessiontop record -o FILE` running as a child process. */
export class CliRecording {
  private stderrText = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly file: string,
    readonly child: ChildProcess,
  ) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrText += d;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Starts recording and waits until its snapshot lines are on disk (the sensor is then open). */
  static async start(file: string, extraArgs: string[] = [], timeoutMs = 20_000): Promise<CliRecording> {
    const child = spawn(process.execPath, [CLI, 'record', '-o', file, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    const r = new CliRecording(file, child);
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void r.exited.then(() => {
      exited = true;
    });
    for (;;) {
      if (exited) throw new Error(`sessiontop record exited early: ${r.stderr.trim()}`);
      if (existsSync(file) && statSync(file).size > 0 && readFileSync(file, 'utf8').includes('"action":"snapshot"')) return r;
      if (Date.now() > deadline) {
        r.kill('SIGKILL');
        throw new Error(`sessiontop record wrote no snapshot within ${timeoutMs} ms: ${r.stderr.trim()}`);
      }
      await sleep(50);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Stops it the way an administrator would (SIGINT by default) and returns its exit status. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.kill(signal);
    const res = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    if (res) return res;
    this.kill('SIGKILL');
    return this.exited;
  }

  read(): ParsedRecording {
    return readRecording(this.file);
  }

  /** Waits until the recording holds a document matching `pred` (it flushes periodically). */
  async waitFor(pred: (d: Doc) => boolean, timeoutMs = 10_000): Promise<Doc> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.read().docs.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`recording ${this.file}: no matching line within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

/** `sessiontop snapshot --json [--from FILE]`: parsed lines. Throws on a non-zero exit. */
export async function snapshotJson(from?: string): Promise<Doc[]> {
  const args = [CLI, 'snapshot', '--json', ...(from ? ['--from', from] : [])];
  const { stdout } = await execFileAsync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 });
  const parsed = parseNdjson(stdout);
  if (parsed.bad > 0 || parsed.partialTail) throw new Error(`snapshot --json printed ${parsed.bad} unparsable line(s)`);
  return parsed.docs;
}
