/**
 * Time to first frame of the live TUI: from spawning the real sessiontop in a pseudo-terminal to
 * the first screen showing its header (target under 1 s), and to the screen showing
 * the sensor live with the /proc backfill (eBPF attached) — median and worst of N runs.
 *   node dist/bench/ui-first-frame.js [RUNS]
 */
import { isMain, median, printFigures } from './bench-util.js';
import { spawnUi } from './ui-terminal.js';

export interface FirstFrameFigures {
  runs: number;
  source: string;
  firstFrameMedianMs: number;
  firstFrameMaxMs: number;
  liveMedianMs: number;
  liveMaxMs: number;
}

export async function run(runs = 5): Promise<FirstFrameFigures> {
  const root = process.getuid?.() === 0;
  const first: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ui = spawnUi('live', root ? ['--source', 'bpf'] : ['--source', 'procfs']);
    try {
      first.push(await ui.firstFrame);
      await ui.waitFor((l) => (/ eBPF +lost/.test(l[0]!) || l[0]!.includes('/proc polling')) && !l[0]!.includes('starting') && /sessions [1-9]/.test(l[1]!), 60_000);
      live.push(performance.now() - ui.spawnedAt);
    } finally {
      await ui.stop();
    }
  }
  return {
    runs,
    source: root ? 'eBPF' : '/proc polling (not root)',
    firstFrameMedianMs: Math.round(median(first)),
    firstFrameMaxMs: Math.round(Math.max(...first)),
    liveMedianMs: Math.round(median(live)),
    liveMaxMs: Math.round(Math.max(...live)),
  };
}

if (isMain(import.meta.url)) {
  const f = await run(Number(process.argv[2]) || 5);
  printFigures(`sessiontop live TUI: time to first frame (${f.runs} runs, ${f.source})`, {
    'spawn → header on screen, median ms': f.firstFrameMedianMs,
    'spawn → header on screen, max ms': f.firstFrameMaxMs,
    'spawn → sensor live + backfill shown, median ms': f.liveMedianMs,
    'spawn → sensor live + backfill shown, max ms': f.liveMaxMs,
    target: 'first frame < 1000 ms',
  });
}
