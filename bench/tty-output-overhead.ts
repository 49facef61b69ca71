/**
 * Terminal-output capture overhead, in alternating pairs (sensor without capture, then with
 * `ttyOutput`), medians of the per-pair ratios. The figure is the writer's CPU time (user and
 * system, the BPF programs run in its syscalls), which other load on the machine does not inflate
 * as it does wall time. Needs root, python3 and script(1).
 *
 * - in a pty: a program in a real pseudo-terminal doing many small writes (16 bytes each) to it,
 *   timed by itself around its write loop (the reader on the pty master is script(1));
 * - outside any terminal: a program in a session without a controlling terminal doing many small
 *   writes to /dev/null (its writes take the watched-process lookup and return).
 *
 *   node dist/bench/tty-output-overhead.js [writes] [pairs]
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpfSource } from '../src/sensor/bpf-source.js';
import { isMain, median, printFigures } from './bench-util.js';

const execFileAsync = promisify(execFile);

const loop = (writes: number, path: string | null): string =>
  [
    'import os, time',
    path === null ? 'fd = 1' : `fd = os.open(${JSON.stringify(path)}, os.O_WRONLY)`,
    "b = b'0123456789abcde\\n'",
    // CPU time of the writer (its own and the kernel's work for it, BPF programs included): the
    // machine's other load does not count, as it would in wall time
    't0 = time.process_time()',
    `for i in range(${writes}): os.write(fd, b)`,
    't1 = time.process_time()',
    "os.write(2 if fd != 1 else 1, b'ELAPSED %.6f\\n' % (t1 - t0))",
  ].join('\n');

/**
 * Seconds the write loop took in a fresh pty: script(1) holds the pty master and copies the output
 * to a file (a separate process, as a terminal emulator or sshd would be), in its own session.
 */
async function inPty(writes: number): Promise<number> {
  const out = join(dir, 'pty-out');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('setsid', ['-w', 'script', '-qfec', `python3 -c ${shellQuote(loop(writes, null))}`, out], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  const tail = readFileSync(out, 'utf8').slice(-200);
  const m = /ELAPSED ([\d.]+)/.exec(tail);
  if (!m) throw new Error(`no timing from the pty writer: ${JSON.stringify(tail)}`);
  return Number(m[1]);
}

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-bench-tty-'));
const shellQuote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** CPU seconds the write loop took writing to /dev/null from a session without a terminal. */
async function outsideTerminal(writes: number): Promise<number> {
  const { stderr } = await execFileAsync('setsid', ['-w', 'python3', '-c', loop(writes, '/dev/null')], { encoding: 'utf8' });
  const m = /ELAPSED ([\d.]+)/.exec(stderr);
  if (!m) throw new Error(`no timing from the /dev/null writer: ${stderr}`);
  return Number(m[1]);
}

export interface TtyOverhead {
  ptyRatio: number;
  ptyOffMs: number;
  ptyOnMs: number;
  devNullRatio: number;
  devNullOffMs: number;
  devNullOnMs: number;
  /** text_output events and bytes captured in the last capture-on pty run. */
  events: number;
  captured: number;
  skipped: number;
}

export async function run(writes = 200_000, pairs = 5): Promise<TtyOverhead> {
  await inPty(20_000);
  await outsideTerminal(20_000);
  const pOff: number[] = [];
  const pOn: number[] = [];
  const pR: number[] = [];
  const nOff: number[] = [];
  const nOn: number[] = [];
  const nR: number[] = [];
  let events = 0;
  let captured = 0;
  let skipped = 0;
  for (let i = 0; i < pairs; i++) {
    for (const capture of [false, true]) {
      let ev = 0;
      let cap = 0;
      let skp = 0;
      const source = new BpfSource({ typed: false, ttyOutput: capture });
      await source.start((e) => {
        if (e.action !== 'text_output') return;
        ev++;
        cap += e.ioBytes;
        skp += e.ioSkipped;
      });
      const p = await inPty(writes);
      const n = await outsideTerminal(writes * 5);
      await source.stop();
      (capture ? pOn : pOff).push(p * 1000);
      (capture ? nOn : nOff).push(n * 1000);
      if (capture) {
        events = ev;
        captured = cap;
        skipped = skp;
      }
    }
    pR.push((pOn[i] as number) / (pOff[i] as number));
    nR.push((nOn[i] as number) / (nOff[i] as number));
  }
  return {
    ptyRatio: median(pR),
    ptyOffMs: median(pOff),
    ptyOnMs: median(pOn),
    devNullRatio: median(nR),
    devNullOffMs: median(nOff),
    devNullOnMs: median(nOn),
    events,
    captured,
    skipped,
  };
}

if (isMain(import.meta.url)) {
  const writes = Number(process.argv[2] ?? 200_000);
  const r = await run(writes, Number(process.argv[3] ?? 5));
  printFigures(`terminal-output capture overhead (${writes} 16-byte writes in a pty, ${writes * 5} to /dev/null outside a terminal; alternating pairs, medians)`, {
    'pty: capture off (CPU ms)': r.ptyOffMs,
    'pty: capture on (CPU ms)': r.ptyOnMs,
    'pty: ratio (on / off)': r.ptyRatio,
    '/dev/null outside a terminal: capture off (CPU ms)': r.devNullOffMs,
    '/dev/null outside a terminal: capture on (CPU ms)': r.devNullOnMs,
    '/dev/null outside a terminal: ratio (on / off)': r.devNullRatio,
    'last capture-on pty run: text_output events': r.events,
    'last capture-on pty run: bytes captured / skipped': `${r.captured} / ${r.skipped}`,
  });
}
