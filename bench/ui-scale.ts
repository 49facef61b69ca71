/**
 * The view at scale: 1 000 entry sessions (login shells on terminals, each with typed lines, 50
 * commands still running and 50 finished) and 100 000 processes in the model. Measures, in this
 * process, the real store and the real Ink App rendering to a 120×40 terminal stream:
 *
 * - key → next frame: from a key written to the terminal's input to the frame written out (moves
 *   in the sessions list and in a tree, Tab, Enter/Esc on the detail, a search over every process
 *   and typed line);
 * - the view's CPU at 1 000 execs/s: the same paced load (fork + exec + exit, 3 000 events/s) with
 *   the model alone and with the model, the store and the App, alternated; the difference is the
 *   view's share (% of one core).
 *   node dist/bench/ui-scale.js [SESSIONS] [PROCESSES] [LOAD_SECONDS]   (default 1000 100000 5)
 */
import { EventEmitter } from 'node:events';
import type { ProcessTable as ProcessTableType } from '../src/model/process-table.js';
import { FdType, makeDev, newProcessEvent, type ProcessEvent } from '../src/sensor/process-event.js';
import type { FeedHeader, FeedListener, ModelFeed } from '../src/ui/model-feed.js';
import { isMain, median, printFigures } from './bench-util.js';
import { BENCH_HOST, fillIdentity } from './synthetic-event.js';

export interface UiScaleFigures {
  sessions: number;
  processes: number;
  buildMs: number;
  keyMedianMs: number;
  keyP95Ms: number;
  keyMaxMs: number;
  /** CPU time (this process) from a key to its frame: what the latency is on an idle machine. */
  keyCpuMedianMs: number;
  keyCpuP95Ms: number;
  searchMs: number;
  loadExecsPerSecond: number;
  modelCpuPercent: number;
  modelAndViewCpuPercent: number;
  viewCpuPercent: number;
  framesPerSecond: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Host {
  readonly e: ProcessEvent = newProcessEvent();
  time = BENCH_HOST.bootTimeMs + 3_600_000;
  ticks = 100_000;
  constructor(readonly table: ProcessTableType) {}

  emit(action: ProcessEvent['action'], pid: number, ppid: number, pgid: number, sid: number, ticks: number, tty: number, fill?: (e: ProcessEvent) => void) {
    const e = this.e;
    fillIdentity(e, action, this.time, pid, ppid, pgid, sid, ticks);
    this.time += 1;
    e.tty = tty;
    if (tty !== 0) {
      e.stdinDev = e.stdoutDev = e.stderrDev = tty;
      e.stdinType = e.stdoutType = e.stderrType = FdType.char;
    }
    fill?.(e);
    return this.table.apply(e);
  }
}

/** 1 000 ssh logins under one sshd; each shell gets typed lines, running and finished commands. */
export function buildModel(table: ProcessTableType, sessions: number, processes: number): Host {
  const h = new Host(table);
  const exec = (path: string, args: string[]) => (e: ProcessEvent) => {
    e.executable = path;
    e.args = args;
    e.cwd = '/home/user';
  };
  h.emit('snapshot', 1, 0, 1, 1, 1, 0, exec('/usr/lib/systemd/systemd', ['/sbin/init']));
  h.emit('snapshot', 500, 1, 500, 500, 2, 0, exec('/usr/sbin/sshd', ['sshd', '-D']));
  table.finishBackfill();
  const perSession = Math.max(4, Math.floor(processes / sessions) - 2);
  let pid = 1000;
  for (let s = 0; s < sessions; s++) {
    const tty = makeDev(136 + (s >> 8), s & 255);
    const priv = pid++;
    const shell = pid++;
    h.emit('fork', priv, 500, 500, 500, ++h.ticks, 0);
    h.emit('setsid', priv, 500, priv, priv, h.ticks, 0);
    h.emit('exec', priv, 500, priv, priv, h.ticks, 0, exec('/usr/sbin/sshd', [`sshd: user${s} [priv]`]));
    const st = ++h.ticks;
    h.emit('fork', shell, priv, priv, priv, st, 0);
    h.emit('setsid', shell, priv, shell, shell, st, tty);
    h.emit('exec', shell, priv, shell, shell, st, tty, (e) => {
      exec('/usr/bin/bash', ['-bash'])(e);
      e.sshConnection = `198.51.${s >> 8}.${s & 255} 50000 10.0.0.1 22`;
    });
    for (let i = 0; i < perSession; i++) {
      const c = pid++;
      h.emit('typed', shell, priv, shell, shell, st, tty, (e) => {
        e.line = `tail -f /var/log/app-${s}-${i}.log`;
      });
      const ct = ++h.ticks;
      h.emit('fork', c, shell, c, shell, ct, tty);
      h.emit('exec', c, shell, c, shell, ct, tty, exec('/usr/bin/tail', ['tail', '-f', `/var/log/app-${s}-${i}.log`]));
      if (i % 2 === 1) h.emit('end', c, shell, c, shell, ct, tty);
    }
  }
  return h;
}

export async function run(sessions = 1000, processes = 100_000, loadSeconds = 5): Promise<UiScaleFigures> {
  process.env.NODE_ENV = 'production';
  const React = await import('react');
  const { render } = await import('ink');
  const { App } = await import('../src/ui/components/app.js');
  const { UiStore } = await import('../src/ui/ui-store.js');
  const { ProcessTable } = await import('../src/model/process-table.js');

  const t0 = performance.now();
  const table = new ProcessTable({ host: BENCH_HOST, retentionMs: 86_400_000 });
  const host = buildModel(table, sessions, processes);
  const buildMs = performance.now() - t0;
  const tracked = table.stats().tracked;

  const header: FeedHeader = { source: 'eBPF', state: 'live', notice: '', lost: 0, recording: null, badLines: 0, replay: null };
  const names = { user: (uid: number) => (uid === 1000 ? 'user' : uid === 0 ? 'root' : undefined), group: () => undefined };
  const feed: ModelFeed = { mode: 'live', hosts: () => [{ host: BENCH_HOST, table, names }], now: () => host.time, header: () => header, live: null, replay: null };

  // a 120×40 terminal: output stream and input stream, as Ink sees a tty
  let writes = 0;
  let onWrite: (() => void) | null = null;
  const stdout = Object.assign(new EventEmitter(), {
    columns: 120,
    rows: 40,
    isTTY: true,
    write: (_s: string) => {
      writes++;
      const f = onWrite;
      onWrite = null;
      f?.();
      return true;
    },
  });
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    data: null as string | null,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const d = this.data;
      this.data = null;
      return d;
    },
  });
  const store = new UiStore({ feed, cols: 120, rows: 40 });
  const listener: FeedListener = store.feedListener;
  const app = render(React.createElement(App, { store }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 30,
    incrementalRendering: false,
    onRender: ({ renderTime }) => store.noteFrameCost(renderTime),
  });
  store.start();
  await sleep(300);

  const keyCpu: number[] = [];
  const press = async (key: string): Promise<number> => {
    await sleep(40); // past Ink's frame throttle: each key is measured on its own
    const frame = new Promise<void>((r) => (onWrite = r));
    const c0 = process.cpuUsage();
    const k0 = performance.now();
    stdin.data = key;
    stdin.emit('readable');
    await Promise.race([frame, sleep(2000)]);
    const c = process.cpuUsage(c0);
    keyCpu.push((c.user + c.system) / 1000);
    return performance.now() - k0;
  };
  const keys: number[] = [];
  for (let i = 0; i < 20; i++) keys.push(await press(i % 4 === 3 ? 'k' : 'j')); // sessions list
  keys.push(await press('\t'));
  for (let i = 0; i < 20; i++) keys.push(await press(i % 4 === 3 ? 'k' : 'j')); // a session's tree
  keys.push(await press('\r'), await press('\x1b')); // detail, back
  keys.push(await press('\x1b'));
  for (let i = 0; i < 10; i++) keys.push(await press('\x1b[6~')); // pages of the sessions list
  await press('/');
  for (const ch of 'app-777-3') await press(ch);
  const searchMs = await press('\r'); // every process and typed line of the 1 000 sessions
  await press('\x1b');

  // the view's CPU at 1 000 execs/s: model alone vs model + store + App, alternated
  let next = 50_000_000;
  let tick = 500_000;
  const load = async (seconds: number, withView: boolean): Promise<{ cpu: number; rate: number; frames: number }> => {
    const c0 = process.cpuUsage();
    const w0 = writes;
    const start = performance.now();
    let execs = 0;
    for (let elapsed = 0; elapsed < seconds * 1000; elapsed = performance.now() - start) {
      const due = Math.floor((elapsed / 1000) * 1000) - execs; // 1 000 execs/s, paced by the clock
      for (let i = 0; i < due; i++) {
        const pid = next++;
        const t = ++tick;
        // a busy automation session's children (never on screen unless selected)
        const a = host.emit('fork', pid, 1001, 1001, 1001, t, 0);
        if (withView) listener.event(a, host.time);
        const b = host.emit('exec', pid, 1001, 1001, 1001, t, 0, (e) => {
          e.executable = '/bin/true';
          e.args = ['/bin/true'];
        });
        if (withView) listener.event(b, host.time);
        const c = host.emit('end', pid, 1001, 1001, 1001, t, 0);
        if (withView) listener.event(c, host.time);
        execs++;
      }
      await sleep(10);
    }
    const s = (performance.now() - start) / 1000;
    const c = process.cpuUsage(c0);
    return { cpu: ((c.user + c.system) / 1e6 / s) * 100, rate: execs / s, frames: (writes - w0) / s };
  };
  const alone: number[] = [];
  const both: number[] = [];
  const rates: number[] = [];
  const fps: number[] = [];
  for (let round = 0; round < 2; round++) {
    const a = await load(loadSeconds, false);
    const b = await load(loadSeconds, true);
    alone.push(a.cpu);
    both.push(b.cpu);
    rates.push(a.rate, b.rate);
    fps.push(b.frames);
  }
  store.stop();
  app.unmount();
  const sorted = [...keys].sort((a, b) => a - b);
  const cpuKeys = keyCpu.slice(0, keys.length).sort((a, b) => a - b);
  const modelCpu = median(alone);
  const allCpu = median(both);
  return {
    sessions,
    processes: tracked,
    buildMs: Math.round(buildMs),
    keyMedianMs: round(median(keys)),
    keyP95Ms: round(sorted[Math.floor(sorted.length * 0.95)] ?? 0),
    keyMaxMs: round(sorted.at(-1) ?? 0),
    keyCpuMedianMs: round(median(cpuKeys)),
    keyCpuP95Ms: round(cpuKeys[Math.floor(cpuKeys.length * 0.95)] ?? 0),
    searchMs: round(searchMs),
    loadExecsPerSecond: Math.round(median(rates)),
    modelCpuPercent: round(modelCpu),
    modelAndViewCpuPercent: round(allCpu),
    viewCpuPercent: round(allCpu - modelCpu),
    framesPerSecond: round(median(fps)),
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (isMain(import.meta.url)) {
  const [sessions, processes, seconds] = process.argv.slice(2, 5).map(Number);
  const f = await run(sessions || 1000, processes || 100_000, seconds || 5);
  printFigures(`the view at scale: ${f.sessions.toLocaleString('en-US')} entry sessions, ${f.processes.toLocaleString('en-US')} processes in the model (120×40)`, {
    'model built in (ms)': f.buildMs,
    'key → next frame, median (ms)': f.keyMedianMs,
    'key → next frame, p95 (ms)': f.keyP95Ms,
    'key → next frame, max (ms)': f.keyMaxMs,
    'key → next frame, CPU time median / p95 (ms)': `${f.keyCpuMedianMs} / ${f.keyCpuP95Ms}`,
    'search over every process and typed line (ms)': f.searchMs,
    'load (execs/s)': f.loadExecsPerSecond,
    'model alone, % of a core': f.modelCpuPercent,
    'model + store + App, % of a core': f.modelAndViewCpuPercent,
    "the view's share, % of a core": f.viewCpuPercent,
    'frames drawn per second under load': f.framesPerSecond,
  });
  process.exit(0);
}
