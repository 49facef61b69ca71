/**
 * CPU of the live TUI: the real sessiontop in a pseudo-terminal, its utime+stime read from
 * /proc/<pid>/stat (all its threads), first while the host is idle, then under a paced load of
 * 1 000 execs/s. Targets: under 2 % of one core idle, under 20 % at 1 000 execs/s.
 * As root the source is eBPF; otherwise /proc polling (and the figure says so).
 *   node dist/bench/ui-cpu.js [IDLE_SECONDS] [LOAD_SECONDS] [RATE] [COLSxROWS]   (default 10 10 1000 120x40)
 */
import { isMain, printFigures } from './bench-util.js';
import { startExecLoad } from './ui-exec-load.js';
import { cpuSeconds, spawnUi, type UiProcess } from './ui-terminal.js';

export interface UiCpuFigures {
  source: string;
  terminal: string;
  idleSeconds: number;
  idleCpuPercent: number;
  loadSeconds: number;
  loadTargetRate: number;
  loadAchievedRate: number;
  loadCpuPercent: number;
  eventsPerSecondShown: string;
  idleEventsPerSecondShown: string;
  idleFramesPerSecond: number;
  loadFramesPerSecond: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU % of one core used by the UI over `seconds`, and the frames per second it drew. */
async function measure(ui: UiProcess, seconds: number): Promise<{ cpu: number; fps: number }> {
  const c0 = cpuSeconds(ui.pid);
  const f0 = ui.frames();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c1 = cpuSeconds(ui.pid);
  const s = (performance.now() - t0) / 1000;
  return { cpu: ((c1 - c0) / s) * 100, fps: (ui.frames() - f0) / s };
}

export async function run(idleSeconds = 10, loadSeconds = 10, rate = 1000, cols = 120, rows = 40): Promise<UiCpuFigures> {
  const root = process.getuid?.() === 0;
  const ui = spawnUi('live', root ? ['--source', 'bpf'] : ['--source', 'procfs'], cols, rows);
  try {
    await ui.firstFrame;
    await ui.waitFor((l) => (/ eBPF +lost/.test(l[0]!) || l[0]!.includes('/proc polling')) && !l[0]!.includes('starting'), 60_000);
    await sleep(3000); // backfill shown, first refreshes done
    const idle = await measure(ui, idleSeconds);
    const idleShown = /(\S+) ev\/s/.exec(ui.screen()[0]!)?.[1] ?? '?';
    const load = startExecLoad(rate, loadSeconds + 3);
    await sleep(1500);
    const busy = await measure(ui, loadSeconds);
    const shown = /(\S+) ev\/s/.exec(ui.screen()[0]!)?.[1] ?? '?';
    const achieved = await load.done;
    return {
      source: root ? 'eBPF' : '/proc polling (not root)',
      terminal: `${cols}×${rows}`,
      idleSeconds,
      idleCpuPercent: round(idle.cpu),
      idleEventsPerSecondShown: idleShown,
      idleFramesPerSecond: round(idle.fps),
      loadFramesPerSecond: round(busy.fps),
      loadSeconds,
      loadTargetRate: rate,
      loadAchievedRate: Math.round(achieved.rate),
      loadCpuPercent: round(busy.cpu),
      eventsPerSecondShown: shown,
    };
  } finally {
    await ui.stop();
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (isMain(import.meta.url)) {
  const [idle, load, rate] = process.argv.slice(2, 5).map(Number);
  const [cols, rows] = (process.argv[5] ?? '120x40').split('x').map(Number);
  const f = await run(idle || 10, load || 10, rate || 1000, cols || 120, rows || 40);
  printFigures('sessiontop live TUI: CPU of one core (utime+stime from /proc/<pid>/stat)', {
    source: f.source,
    terminal: f.terminal,
    [`idle (${f.idleSeconds} s), % of a core`]: f.idleCpuPercent,
    'idle: background events/s shown': f.idleEventsPerSecondShown,
    'idle: frames drawn per second': f.idleFramesPerSecond,
    [`${f.loadTargetRate} execs/s (${f.loadSeconds} s), % of a core`]: f.loadCpuPercent,
    'load achieved, execs/s': f.loadAchievedRate,
    'load: events/s shown in the header': f.eventsPerSecondShown,
    'load: frames drawn per second': f.loadFramesPerSecond,
    'target idle': '< 2 %',
    'target under load': '< 20 %',
  });
}
