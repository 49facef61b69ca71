/**
 * `sessiontop replay FILE` in a real pseudo-terminal, read through a headless xterm: stepping
 * through a recording, seeking, escape sequences recorded in an argv, resizing (and too small), and
 * the terminal given back after quitting.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordFixture } from '../ui/recording-fixture.js';
import { KEYS, PtyScreen, ROOT } from './support/pty-screen.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-e2e-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TZ = { TZ: 'UTC' };

const scenario = join(dir, 'scenario.ndjson');
recordFixture(scenario);
const hostile = join(dir, 'hostile.ndjson');
recordFixture(hostile, (f) => {
  f.define({ pid: 1, ppid: 0, executable: '/sbin/init', args: ['/sbin/init'] });
  f.define({ pid: 600, ppid: 1, executable: '/usr/sbin/sshd', args: ['sshd'] });
  f.snapshot(1);
  f.snapshot(600);
  f.finishBackfill();
  f.fork(600, 700);
  f.exec(700, '/usr/sbin/sshd', ['sshd: mallory [priv]']);
  f.fork(700, 701, { uid: 1000, loginUid: 1000 });
  f.setsid(701, 136 << 20);
  f.exec(701, '/bin/bash', ['-bash']);
  f.typed(701, 'printf "\x1b]0;pwned\x07\x1b[2J"');
  f.job(701, 702, '/usr/bin/printf', ['printf', '\x1b]0;pwned\x07', '\x1b[2J\x1b[H', '\x1b[31mred\x1b[0m', '\x1b[?1049l', 'bytes\udcff\udcfe']);
});

let screens: PtyScreen[] = [];
afterEach(() => {
  for (const s of screens) s.kill();
  screens = [];
});
const open = (file: string, o: { cols?: number; rows?: number; args?: string[] } = {}): PtyScreen => {
  const s = new PtyScreen('replay', [...(o.args ?? []), file], { cols: o.cols ?? 100, rows: o.rows ?? 30, env: TZ });
  screens.push(s);
  return s;
};

describe('replay in a real terminal', () => {
  it('steps through a recording: pause, start, step forward and back, seek, end', async () => {
    const s = open(scenario, { args: ['--speed', '1'] });
    await s.ready(' replay ');
    expect(s.bufferType).toBe('alternate');
    await s.press(' ');
    await s.waitFor((x) => x.lines()[0]!.includes('❚❚'), 5000, 'paused');
    await s.press('g');
    await s.waitFor((x) => x.lines()[1]!.includes(' 6 events replayed'), 5000, 'start');
    expect(s.lines()[0]).toContain('2024-05-01 10:00:06.000');
    await s.press(KEYS.right);
    await s.waitFor((x) => x.lines()[1]!.includes(' 7 events replayed'), 5000, 'one step');
    await s.press(KEYS.right);
    await s.waitFor((x) => x.lines()[1]!.includes(' 8 events replayed'), 5000, 'two steps');
    await s.press(KEYS.left);
    await s.waitFor((x) => x.lines()[1]!.includes(' 7 events replayed'), 5000, 'a step back');
    // seek to a typed time: by 10:00:24 (bob's console login came first) alice logged in, typed `ls -la /etc` and it ran
    await s.press('s');
    await s.waitForText('seek to');
    await s.press('10:00:24\r');
    await s.waitFor((x) => x.lines()[0]!.includes('2024-05-01 10:00:24.000'), 5000, 'the seek');
    expect(s.lines()[1]).toContain(' 25 events replayed');
    await s.waitForText('sshd      alice');
    // select alice's session: the typed line and the command it started
    const aliceRow = s.row('sshd      alice');
    await s.press('/');
    await s.press('ls -la\r');
    await s.waitForText('» ls -la /etc');
    await s.waitForText('▸ ls -la /etc');
    expect(aliceRow).toBeGreaterThan(2);
    // the end
    await s.press('G');
    await s.waitFor((x) => x.lines()[0]!.includes('■ end'), 10_000, 'the end');
    // the header can show the end a frame before the tree (rebuilt at the rate its cost allows)
    await s.waitForText('make build');
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
  });

  it('escape sequences recorded in an argv and a typed line leave the title and the screen intact', async () => {
    const s = open(hostile);
    await s.ready(' replay ');
    await s.press('G');
    await s.waitFor((x) => x.lines()[0]!.includes('■ end'), 10_000, 'the end');
    await s.press('/');
    await s.press('printf\r');
    await s.waitForText('printf \\e]0;pwned\\x07 \\e[2J\\e[H \\e[31mred\\e[0m \\e[?1049l bytes\\xff\\xfe');
    await s.waitForText('» printf "\\e]0;pwned\\x07\\e[2J"');
    await s.waitForText('/printf 1/2'); // the typed line, then the command
    await s.press('n');
    await s.waitForText('/printf 2/2');
    await s.press('\r'); // the detail panel prints each argument on its own
    await s.waitForText('args[4]');
    expect(s.text()).toContain('\\e[?1049l');
    await s.flush();
    expect(s.titles.filter((t) => t.includes('pwned'))).toEqual([]);
    expect(s.bufferType).toBe('alternate'); // the recorded \e[?1049l did not leave the alternate screen
    expect(s.lines()[0]).toMatch(/^sessiontop /); // not cleared
    expect(s.text()).not.toMatch(/\x1b/);
    await s.press('q'); // closes the detail
    await s.waitFor((x) => !x.text().includes('args[4]'), 3000, 'the detail closed');
    await s.press('q');
    await s.exited;
    expect(s.titles.filter((t) => t.includes('pwned'))).toEqual([]);
  });

  it('follows resizes, says when the terminal is too small, and never draws past rows − 1', async () => {
    const s = open(scenario, { cols: 80, rows: 24 });
    await s.ready(' replay ');
    await s.press(' G');
    await s.waitFor((x) => x.lines()[22]!.includes('F1 help'), 5000, 'the status line on row 23');
    expect(s.lines()[23]).toBe('');
    s.resize(120, 40);
    await s.waitFor((x) => x.lines()[38]!.includes('F1 help'), 5000, 'the status line on row 39');
    expect(s.lines()[39]).toBe('');
    expect(s.lines()[0]).toMatch(/^sessiontop /);
    s.resize(70, 20);
    await s.waitForText('terminal too small (need 80×24, have 70×20)');
    s.resize(100, 30);
    await s.waitFor((x) => x.lines()[28]!.includes('F1 help') && !x.text().includes('too small'), 5000, 'the UI back at 100×30');
    expect(s.lines()[29]).toBe('');
    expect(s.lines()[0]).toMatch(/^sessiontop /);
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
  });

  it('gives the terminal back after q: normal buffer, cursor shown, screen as before', async () => {
    const s = open(scenario);
    await s.ready(' replay ');
    expect(s.cursorHidden).toBe(true);
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
    await s.flush();
    expect(s.bufferType).toBe('normal');
    expect(s.cursorHidden).toBe(false);
    expect(s.text()).not.toContain('sessiontop');
    expect(s.raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(s.raw.lastIndexOf('\x1b[?1049h'));
  });

  it('gives the terminal back on Ctrl-C, SIGTERM and SIGHUP', async () => {
    for (const how of ['ctrl-c', 'SIGTERM', 'SIGHUP'] as const) {
      const s = open(scenario);
      await s.ready(' replay ');
      if (how === 'ctrl-c') s.write('\x03');
      else process.kill(s.proc.pid, how);
      const e = await s.exited;
      expect(e.exitCode, how).toBe(0);
      expect(s.bufferType, how).toBe('normal');
      expect(s.cursorHidden, how).toBe(false);
    }
  });

  it('a missing recording is one line on stderr and exit status 2, the screen untouched', async () => {
    const s = open(join(dir, 'missing.ndjson'));
    const e = await s.exited;
    expect(e.exitCode).toBe(2);
    expect(s.text()).toMatch(/sessiontop: .*missing\.ndjson: no such file/);
    expect(s.raw).not.toContain('\x1b[?1049h');
  });
});

describe('an uncaught error in the UI process', () => {
  it.each(['throw', 'reject'])('gives the terminal back and exits 1 with one line (%s)', async (how) => {
    const c = new PtyScreen({ script: join(ROOT, 'test/e2e/support/crash-driver.mjs') }, [how], { cols: 100, rows: 30 });
    screens.push(c);
    await c.ready('sessiontop');
    expect(c.bufferType).toBe('alternate');
    const e = await c.exited;
    expect(e.exitCode).toBe(1);
    expect(c.bufferType).toBe('normal');
    expect(c.cursorHidden).toBe(false);
    expect(c.text()).toMatch(/sessiontop: internal error: (thrown|rejected) on purpose/);
  });
});
