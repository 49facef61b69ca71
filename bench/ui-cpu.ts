/**
 * CPU of the live TUI: the real sessiontop in a pseudo-terminal, its utime+stime read from
 * /proc/<pid>/stat (all its threads), first while the host is idle, then under a paced load of
 * 1 000 execs/s. Targets (DESIGN.md §8): under 2 % of one core idle, under 20 % at 1 000 execs/s.
 * As root the source is eBPF; otherwise /proc polling (and the figure says so).
 *   node dist/bench/ui-cpu.js [IDLE_SECONDS] [LOAD_SECONDS] [RATE]
 */
import { isMain, printFigures } from './bench-util.js';
import { startExecLoad } from './ui-exec-load.js';
import { cpuSeconds, spawnUi } from './ui-terminal.js';

export interface UiCpuFigures {
  source: string;
  idleSeconds: number;
  idleCpuPercent: number;
  loadSeconds: number;
  loadTargetRate: number;
  loadAchievedRate: number;
  loadCpuPercent: number;
  eventsPerSecondShown: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU % of one core used by `pid` over `seconds`. */
async function measure(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c1 = cpuSeconds(pid);
  return ((c1 - c0) / ((performance.now() - t0) / 1000)) * 100;
}

export async function run(idleSeconds = 10, loadSeconds = 10, rate = 1000): Promise<UiCpuFigures> {
  const root = process.getuid?.() === 0;
  const ui = spawnUi('live', root ? ['--source', 'bpf'] : ['--source', 'procfs']);
  try {
    await ui.firstFrame;
    await ui.waitFor((l) => (/ eBPF +lost/.test(l[0]!) || l[0]!.includes('/proc polling')) && !l[0]!.includes('starting'), 60_000);
    await sleep(3000); // backfill shown, first refreshes done
    const idle = await measure(ui.pid, idleSeconds);
    const load = startExecLoad(rate, loadSeconds + 3);
    await sleep(1500);
    const busy = await measure(ui.pid, loadSeconds);
    const shown = /(\S+) ev\/s/.exec(ui.screen()[0]!)?.[1] ?? '?';
    const achieved = await load.done;
    return {
      source: root ? 'eBPF' : '/proc polling (not root)',
      idleSeconds,
      idleCpuPercent: round(idle),
      loadSeconds,
      loadTargetRate: rate,
      loadAchievedRate: Math.round(achieved.rate),
      loadCpuPercent: round(busy),
      eventsPerSecondShown: shown,
    };
  } finally {
    await ui.stop();
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

if (isMain(import.meta.url)) {
  const [idle, load, rate] = process.argv.slice(2).map(Number);
  const f = await run(idle || 10, load || 10, rate || 1000);
  printFigures('sessiontop live TUI: CPU of one core (utime+stime from /proc/<pid>/stat)', {
    source: f.source,
    [`idle (${f.idleSeconds} s), % of a core`]: f.idleCpuPercent,
    [`${f.loadTargetRate} execs/s (${f.loadSeconds} s), % of a core`]: f.loadCpuPercent,
    'load achieved, execs/s': f.loadAchievedRate,
    'events/s shown in the header': f.eventsPerSecondShown,
    'target idle': '< 2 %',
    'target under load': '< 20 %',
  });
}
