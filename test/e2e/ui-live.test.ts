/**
 * The live view (`sessiontop`) in a real pseudo-terminal, read through a headless xterm.
 *
 * As root with eBPF: commands typed in a second real bash show up, highlighted, under that shell's
 * entry session within a second; a process whose argv holds OSC/CSI sequences leaves the title and
 * the screen alone; SIGHUP stops the sensor, makes the recording durable and gives the terminal
 * back. Without root those tests are skipped with the reason printed; the /proc fallback is tested
 * everywhere.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readHostInfo } from '../../src/model/host-info.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { scanProcSnapshot } from '../../src/sensor/procfs.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { KEYS, killAfterEach, PtyScreen, secondShell } from './support/pty-screen.js';

const skip = sensorSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-e2e-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const started = killAfterEach(afterEach);
const { screens, others } = started;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openLive(args: string[] = [], cols = 120, rows = 40): PtyScreen {
  const s = new PtyScreen('live', args, { cols, rows, cwd: dir });
  screens.push(s);
  return s;
}

/** Waits until the sensor is up and the backfill shown (the header says eBPF, not starting). */
async function liveReady(s: PtyScreen): Promise<void> {
  await s.ready('sessiontop');
  await s.waitFor((x) => / eBPF +lost/.test(x.lines()[0]!) && !x.lines()[0]!.includes('starting'), 20_000, 'the eBPF sensor');
}

/** The entry leader the model gives a pid, from a fresh /proc backfill (the oracle for "the right session"). */
function entryLeaderOf(pid: number): { pid: number; type: string } {
  const host = readHostInfo();
  const table = new ProcessTable({ host });
  for (const e of scanProcSnapshot({ bootTimeMs: host.bootTimeMs })) table.apply(e);
  table.finishBackfill();
  const leader = table.get(pid)?.entryLeader;
  if (!leader) throw new Error(`pid ${pid} has no entry leader`);
  return { pid: leader.pid, type: leader.entryType ?? 'unknown' };
}

describe.skipIf(skip)('live view, as root with eBPF', () => {
  it('commands typed in another terminal appear, highlighted, under their session within a second', async () => {
    const s = openLive();
    await liveReady(s);
    const { shell, work } = secondShell(dir, 'second-shell-', started);
    await sleep(500);

    // find the second shell by its working directory
    s.write(`/${basename(work)}\r`);
    await s.waitForText(`${shell.pid} /bin/bash --norc --noprofile -i`, 5000);
    const leader = entryLeaderOf(shell.pid);
    expect(s.text()).toMatch(new RegExp(`${leader.type} session of \\S+ · leader ${leader.pid} `));
    await s.press(KEYS.escape); // drop the search highlight (its processes share that directory), keep the selection
    await s.waitFor((x) => !x.lines()[x.term.rows - 2]!.includes('/second-shell'), 3000, 'the search cleared');

    for (const marker of ['e2e-typed-one', 'e2e-typed-two']) {
      const t0 = Date.now();
      shell.write(`/bin/true ${marker}\r`);
      await s.waitFor((x) => x.text().includes(`▸ /bin/true ${marker}`), 5000, marker);
      const took = Date.now() - t0;
      console.log(`[ui-live] ${marker}: typed → on screen, highlighted, in ${took} ms`);
      expect(took, `${marker} took ${took} ms to appear`).toBeLessThan(1000);
      // highlighted: bold, in cyan (palette 6)
      const row = s.row(`▸ /bin/true ${marker}`);
      const col = s.lines()[row]!.indexOf(`▸ /bin/true ${marker}`) + 2;
      expect(s.bold(col, row)).toBe(true);
      expect(s.fg(col, row)).toBe(6);
      // under the shell that ran it, right after the line typed there
      const shellRow = s.row(`${shell.pid} /bin/bash --norc`);
      expect(shellRow).toBeGreaterThanOrEqual(0);
      expect(row).toBeGreaterThan(shellRow);
      await s.waitForText(`» /bin/true ${marker}`, 2000);
      expect(s.row(`» /bin/true ${marker}`)).toBe(row - 1);
    }
    // a builtin typed there shows as a typed line (no process runs for it)
    shell.write('cd /\r');
    await s.waitForText('» cd /', 3000);

    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
    expect(s.bufferType).toBe('normal');
    expect(s.cursorHidden).toBe(false);
  });

  it('a process whose argv holds OSC and CSI sequences leaves the title and the screen intact', async () => {
    const s = openLive();
    await liveReady(s);
    const hostile: ChildProcess = spawn('/bin/bash', ['-c', 'sleep 60; :', 'e2e-osc-marker', '\x1b]0;pwned\x07', '\x1b[2J\x1b[H', '\x1b[31mred\x1b[0m', '\x1b]2;pwned-too\x1b\\', '\x9b2J'], {
      stdio: 'ignore',
      detached: true,
    });
    others.push({ kill: (sig) => process.kill(-hostile.pid!, sig as NodeJS.Signals) });
    await sleep(300);
    s.write('/e2e-osc-marker\r');
    await s.waitForText('e2e-osc-marker \\e]0;pwned\\x07 \\e[2J', 5000);
    await s.press(KEYS.enter);
    await s.waitForText('args[8]', 3000);
    const detail = s.text();
    expect(detail).toMatch(/args\[4\] +\\e\]0;pwned\\x07\n/);
    expect(detail).toMatch(/args\[5\] +\\e\[2J\\e\[H\n/);
    expect(detail).toMatch(/args\[6\] +\\e\[31mred\\e\[0m\n/);
    expect(detail).toMatch(/args\[7\] +\\e\]2;pwned-too\\e\\\n/);
    expect(detail).toMatch(/args\[8\] +\\x9b2J\n/);
    await s.flush();
    expect(s.titles.filter((t) => t.includes('pwned'))).toEqual([]);
    expect(s.lines()[0]).toMatch(/^sessiontop /);
    expect(s.bufferType).toBe('alternate');
    await s.press('q'); // closes the detail
    await s.waitFor((x) => !x.text().includes('args[8]'), 3000, 'the detail closed');
    await s.press('q');
    await s.exited;
    expect(s.titles.filter((t) => t.includes('pwned'))).toEqual([]);
    expect(s.bufferType).toBe('normal');
  });

  it('SIGHUP stops the sensor, makes the recording durable and gives the terminal back', async () => {
    const file = join(dir, 'hup.ndjson');
    const s = openLive(['--record', file]);
    await liveReady(s);
    await s.waitForText('● REC', 5000);
    const child = spawn('/bin/true', ['e2e-hup-marker'], { stdio: 'ignore' });
    await new Promise((r) => child.on('exit', r));
    await sleep(200);
    process.kill(s.proc.pid, 'SIGHUP');
    const e = await s.exited;
    expect(e.exitCode).toBe(0);
    expect(s.bufferType).toBe('normal');
    expect(s.cursorHidden).toBe(false);
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { event: { action: string }; process?: { args?: string[] } });
    expect(lines[0]!.event.action).toBe('snapshot');
    expect(lines.some((l) => l.event.action === 'exec' && l.process?.args?.includes('e2e-hup-marker'))).toBe(true);
  });

  it('r starts a recording with a default name in the current directory; r again stops it', async () => {
    const s = openLive();
    await liveReady(s);
    await s.press('r');
    await s.waitFor((x) => /record to file: sessiontop-\d{8}-\d{6}\.ndjson/.test(x.text()), 3000, 'the prompt');
    const name = /sessiontop-\d{8}-\d{6}\.ndjson/.exec(s.text())![0];
    await s.press('\r');
    await s.waitForText(`recording to ${join(dir, name)}`, 3000);
    expect(s.lines()[1]).toContain('● REC /tmp/');
    await sleep(1200); // the writer flushes at least once a second
    await s.press('r');
    await s.waitForText(`recording stopped: ${join(dir, name)}`, 3000);
    const lines = readFileSync(join(dir, name), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(JSON.parse(lines[0]!).event.action).toBe('snapshot');
    await s.press('q');
    await s.exited;
  });
});

if (skip) {
  it.skip(`live eBPF view tests skipped: ${skip}`, () => undefined);
}

describe('live view on the /proc source', () => {
  it('says it is degraded, in one line, and still shows the sessions', async () => {
    const s = openLive(['--source', 'procfs'], 100, 30);
    await s.ready('sessiontop');
    await s.waitFor((x) => x.lines()[0]!.includes('/proc polling (degraded)'), 10_000, 'the /proc source');
    expect(s.lines()[2]).toMatch(/^! watching \/proc .*short-lived processes can be missed/);
    await s.waitForText('TYPE      USER');
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
    expect(s.bufferType).toBe('normal');
  });

  it('draws with CI=true in the environment when stdout is a terminal (Ink would wait for the exit)', async () => {
    const s = new PtyScreen('live', ['--source', 'procfs'], { cols: 100, rows: 30, cwd: dir, env: { CI: 'true', CONTINUOUS_INTEGRATION: '1' } });
    screens.push(s);
    await s.ready('sessiontop');
    await s.waitForText('TYPE      USER');
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
  });

  it('a recording file that exists is refused before the screen changes (exit status 2)', async () => {
    const file = join(dir, 'exists.ndjson');
    writeFileSync(file, 'previous content\n');
    const s = openLive(['--source', 'procfs', '--record', file], 100, 30);
    const e = await s.exited;
    expect(e.exitCode).toBe(2);
    expect(s.text()).toContain('already exists; use --force');
    expect(s.raw).not.toContain('\x1b[?1049h');
  });
});
