/**
 * The real sessiontop UI in a pseudo-terminal for the UI benchmarks: the binary spawned the way an
 * administrator runs it, its output read by a headless xterm, its CPU time read from
 * /proc/<pid>/stat.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import pty from 'node-pty';
import { packageRoot } from '../src/sensor/native-addon.js';

const { Terminal } = xterm;

/** Command line of the UI: `sessiontop [args]` / `sessiontop replay args`. */
export function uiCommand(kind: 'live' | 'replay', args: string[]): string[] {
  const bin = join(packageRoot(), 'bin', 'sessiontop.js');
  return kind === 'live' ? [bin, ...args] : [bin, 'replay', ...args];
}

export interface UiProcess {
  readonly pid: number;
  readonly spawnedAt: number;
  /** Resolves with the ms from spawn to the first screen whose first line shows the header. */
  readonly firstFrame: Promise<number>;
  screen(): string[];
  /** Frames Ink wrote so far (each is wrapped in a synchronized-update pair). */
  frames(): number;
  write(s: string): void;
  waitFor(pred: (lines: string[]) => boolean, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export function spawnUi(kind: 'live' | 'replay', args: string[], cols = 120, rows = 40): UiProcess {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  const command = uiCommand(kind, args);
  const spawnedAt = performance.now();
  const p = pty.spawn(process.execPath, command, {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: packageRoot(),
    env: { ...(process.env as Record<string, string>), CI: 'false', TERM: 'xterm-256color' },
  });
  const screen = (): string[] => {
    const b = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < rows; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
    return out;
  };
  let resolveFirst!: (ms: number) => void;
  const firstFrame = new Promise<number>((r) => (resolveFirst = r));
  let seen = false;
  let frames = 0;
  let exited = false;
  const exit = new Promise<void>((r) =>
    p.onExit(() => {
      exited = true;
      r();
    }),
  );
  p.onData((d) => {
    for (let i = d.indexOf('\x1b[?2026h'); i >= 0; i = d.indexOf('\x1b[?2026h', i + 1)) frames++;
    term.write(d, () => {
      if (!seen && screen()[0]!.startsWith('sessiontop ')) {
        seen = true;
        resolveFirst(performance.now() - spawnedAt);
      }
    });
  });
  return {
    pid: p.pid,
    spawnedAt,
    firstFrame,
    screen,
    frames: () => frames,
    write: (s) => p.write(s),
    async waitFor(pred, timeoutMs) {
      const t0 = performance.now();
      while (!pred(screen())) {
        if (exited) throw new Error(`sessiontop exited; screen:\n${screen().join('\n')}`);
        if (performance.now() - t0 > timeoutMs) throw new Error(`timed out; screen:\n${screen().join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now() - t0;
    },
    async stop() {
      if (!exited) p.write('q');
      const t = setTimeout(() => {
        if (!exited) p.kill('SIGKILL');
      }, 5000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
