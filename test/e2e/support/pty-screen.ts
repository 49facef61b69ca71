/**
 * The real sessiontop in a real pseudo-terminal (node-pty), its output read by a headless xterm:
 * what an administrator's terminal would show, its title, its buffer (normal / alternate) and the
 * cursor's visibility. Always kill() in afterEach: a test must not leave a pty behind.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import pty from 'node-pty';

const { Terminal } = xterm;
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/sessiontop.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = false;
/** Compiles dist/ when the sources are newer than it (the binary runs dist/). */
export function ensureBuilt(): void {
  if (built) return;
  const out = join(ROOT, 'dist/src/cli.js');
  if (!existsSync(out) || statSync(out).mtimeMs < newestMtime(join(ROOT, 'src'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  built = true;
}

/** The command line of the real binary: `sessiontop [args]` or `sessiontop replay [args]`. */
export function sessiontopArgs(kind: 'live' | 'replay', args: string[]): string[] {
  return kind === 'live' ? [BIN, ...args] : [BIN, 'replay', ...args];
}

export interface ScreenOptions {
  cols?: number;
  rows?: number;
  cwd?: string;
  env?: Record<string, string>;
}

export class PtyScreen {
  readonly term: InstanceType<typeof Terminal>;
  readonly proc: pty.IPty;
  readonly titles: string[] = [];
  raw = '';
  readonly started = Date.now();
  firstOutputAt = 0;
  exit: { exitCode: number; signal?: number } | null = null;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  private pending = Promise.resolve();

  constructor(kind: 'live' | 'replay' | { script: string }, args: string[], o: ScreenOptions = {}) {
    ensureBuilt();
    const cols = o.cols ?? 100;
    const rows = o.rows ?? 30;
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
    this.term.onTitleChange((t) => this.titles.push(t));
    const argv = typeof kind === 'object' ? [kind.script, ...args] : sessiontopArgs(kind, args);
    this.proc = pty.spawn(process.execPath, argv, {
      name: 'xterm-256color',
      cols,
      rows,
      cwd: o.cwd ?? ROOT,
      env: { ...(process.env as Record<string, string>), CI: 'false', TERM: 'xterm-256color', FORCE_COLOR: '', NODE_OPTIONS: '', ...o.env },
    });
    this.proc.onData((d) => {
      if (this.firstOutputAt === 0) this.firstOutputAt = Date.now();
      this.raw += d;
      this.pending = this.pending.then(() => new Promise<void>((r) => this.term.write(d, r)));
    });
    this.exited = new Promise((resolve) => {
      this.proc.onExit((e) => {
        this.exit = e;
        // let xterm parse what came last
        void this.pending.then(() => resolve(e));
      });
    });
  }

  /** Waits until xterm has parsed everything received so far. */
  async flush(): Promise<void> {
    await this.pending;
  }

  lines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
    return out;
  }

  text(): string {
    return this.lines().join('\n');
  }

  /** Row index of the first line containing `s` (−1). */
  row(s: string): number {
    return this.lines().findIndex((l) => l.includes(s));
  }

  /** Is the text at (x, y) drawn bold? */
  bold(x: number, y: number): boolean {
    const cell = this.term.buffer.active.getLine(y)?.getCell(x);
    return cell !== undefined && cell.isBold() !== 0;
  }

  /** Is the text at (x, y) drawn dim (faint)? */
  dim(x: number, y: number): boolean {
    const cell = this.term.buffer.active.getLine(y)?.getCell(x);
    return cell !== undefined && cell.isDim() !== 0;
  }

  /** Foreground colour of the cell: palette index (−1 default). */
  fg(x: number, y: number): number {
    const cell = this.term.buffer.active.getLine(y)?.getCell(x);
    if (cell === undefined || cell.isFgDefault()) return -1;
    return cell.getFgColor();
  }

  get bufferType(): string {
    return this.term.buffer.active.type;
  }

  /** DECTCEM state as xterm tracks it (no public API: read the core service). */
  get cursorHidden(): boolean {
    const core = (this.term as unknown as { _core: { coreService: { isCursorHidden: boolean } } })._core;
    return core.coreService.isCursorHidden;
  }

  /** Polls the screen until `pred` holds; returns the ms it took. Throws with the screen on timeout. */
  async waitFor(pred: (s: PtyScreen) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      await this.flush();
      if (pred(this)) return Date.now() - t0;
      if (this.exit !== null) throw new Error(`sessiontop exited (${JSON.stringify(this.exit)}) while waiting for ${what}; screen:\n${this.text()}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for the UI proper (Ink's frame, with the status line) showing `s`, and a moment for input to be wired. */
  async ready(s = 'sessiontop', timeoutMs = 15_000): Promise<void> {
    await this.waitFor((x) => x.text().includes(s) && (x.text().includes('F1 help') || x.text().includes('too small')), timeoutMs, `the UI showing ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 150));
  }

  async waitForText(s: string, timeoutMs = 10_000): Promise<number> {
    return this.waitFor((x) => x.text().includes(s), timeoutMs, JSON.stringify(s));
  }

  write(keys: string): void {
    this.proc.write(keys);
  }

  async press(keys: string, pauseMs = 60): Promise<void> {
    this.write(keys);
    await new Promise((r) => setTimeout(r, pauseMs));
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
    this.proc.resize(cols, rows);
  }

  /** Kills the process (SIGKILL) if it is still running. */
  kill(): void {
    if (this.exit === null) {
      try {
        this.proc.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export const KEYS = { up: '\x1b[A', down: '\x1b[B', right: '\x1b[C', left: '\x1b[D', enter: '\r', escape: '\x1b', tab: '\t' };

/** What a test started (screens, shells, process groups): killed after each test by `killAfterEach`. */
export interface Started {
  screens: PtyScreen[];
  others: { kill(signal?: string): void }[];
}

/** Registers an afterEach that kills everything pushed onto the returned lists during a test. */
export function killAfterEach(afterEach: (fn: () => void) => void): Started {
  const started: Started = { screens: [], others: [] };
  afterEach(() => {
    for (const s of started.screens.splice(0)) s.kill();
    for (const o of started.others.splice(0)) {
      try {
        o.kill('SIGKILL');
      } catch {
        // gone
      }
    }
  });
  return started;
}

/**
 * A second person's interactive bash (no rc files, prompt `$ `) in its own pty, started in a fresh
 * directory under `parent`; pushed onto `started.others` so killAfterEach ends it.
 */
export function secondShell(parent: string, prefix: string, started: Started): { shell: pty.IPty; work: string } {
  const work = mkdtempSync(join(parent, prefix));
  const shell = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], {
    cwd: work,
    cols: 100,
    rows: 30,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', HOME: work, PS1: '$ ' },
  });
  started.others.push(shell);
  return { shell, work };
}
