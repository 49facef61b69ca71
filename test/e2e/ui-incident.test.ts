/**
 * The first minute of an incident, with the real binary in a real pseudo-terminal: a restart that
 * starts from the service's recording (`--history`) still shows a login that ended before it, with
 * its logout time and what was typed there; htop's F-keys; the "who typed X" list; `q` closing a
 * pane instead of quitting. On the /proc source, so it runs without root too. As root with eBPF, a
 * loop typed in a real bash folds into one counted row and follow goes to that person.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readHostInfo } from '../../src/model/host-info.js';
import { AUDIT_UNSET } from '../../src/sensor/process-event.js';
import { recordFixture } from '../ui/recording-fixture.js';
import { pts } from '../ui/ui-fixture.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { KEYS, killAfterEach, PtyScreen, secondShell } from './support/pty-screen.js';

const skip = sensorSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-e2e-incident-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const F = { f1: '\x1bOP', f3: '\x1bOR', f10: '\x1b[21~' };

const started = killAfterEach(afterEach);
const { screens } = started;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The service's recording of this boot: an ssh login (pids no real process has) that ended 5 minutes ago. */
function serviceRecording(): { file: string; logout: number } {
  const file = join(dir, 'service.ndjson');
  let logout = 0;
  recordFixture(
    file,
    (f) => {
      f.time = Date.now() - 10 * 60_000;
      f.step = 20_000;
      f.define({ pid: 4_100_000, ppid: 1, executable: '/usr/sbin/sshd', args: ['sshd: /usr/sbin/sshd -D [listener]'] });
      f.snapshot(4_100_000);
      f.finishBackfill();
      f.fork(4_100_000, 4_100_001);
      f.setsid(4_100_001);
      f.exec(4_100_001, '/usr/sbin/sshd', ['sshd: e2e-incident [priv]']);
      f.fork(4_100_001, 4_100_002, { uid: 60_123, loginUid: 60_123, auditSessionId: AUDIT_UNSET });
      f.setsid(4_100_002, pts(250));
      f.exec(4_100_002, '/bin/bash', ['-bash'], { sshConnection: '203.0.113.99 50000 10.0.0.1 22', cwd: '/srv/e2e' });
      f.typed(4_100_002, 'export EDITOR=e2e-vim');
      f.typed(4_100_002, 'ls /srv');
      f.job(4_100_002, 4_100_003, '/usr/bin/ls', ['ls', '/srv']);
      f.exit(4_100_003);
      f.typed(4_100_002, 'exit');
      logout = f.time; // the time of the next event: the shell's end
      f.exit(4_100_002);
      f.exit(4_100_001);
    },
    readHostInfo(),
  );
  return { file, logout };
}

describe('live view started with the service\'s history (/proc source)', () => {
  it('shows the login that ended before the start, its logout time and what was typed; F-keys, w, q', async () => {
    const { file, logout } = serviceRecording();
    const s = new PtyScreen('live', ['--source', 'procfs', '--history', file], { cols: 120, rows: 40, cwd: dir });
    screens.push(s);
    await s.ready('sessiontop');
    await s.waitForText('203.0.113.99', 15_000);
    const hhmm = new Date(logout).toTimeString().slice(0, 5);
    expect(s.lines()[s.row('203.0.113.99')]).toMatch(new RegExp(`sshd +60123 +203\\.0\\.113\\.99 +pts/250 +\\d\\d:\\d\\d +ended ${hhmm} `));
    expect(s.text()).toContain('history: ');
    // F3: search a line typed before sessiontop started (a builtin: no process ran for it)
    await s.press(F.f3);
    await s.press('EDITOR=e2e\r');
    await s.waitForText('» export EDITOR=e2e-vim', 5000);
    await s.press('w');
    await s.waitForText('who typed or ran "EDITOR=e2e": 1 match', 5000);
    expect(s.lines()[s.row('export EDITOR=e2e-vim')]).toMatch(/60123 +pts\/250 +sshd from 203\.0\.113\.99 +» export EDITOR=e2e-vim/);
    await s.press('q'); // closes the list, does not quit
    await s.waitFor((x) => !x.text().includes('who typed or ran'), 3000, 'the list closed');
    // F1 help, q closes it; F10 quits
    await s.press(F.f1);
    await s.waitForText('sessiontop — live view. Keys:', 3000);
    await s.press('q');
    await s.waitFor((x) => !x.text().includes('live view. Keys:'), 3000, 'the help closed');
    expect(s.exit).toBeNull();
    await s.press(F.f10);
    expect((await s.exited).exitCode).toBe(0);
    expect(s.bufferType).toBe('normal');
  });
});

describe.skipIf(skip)('live view, as root with eBPF: a loop typed in a real bash', () => {
  it('folds the loop\'s identical commands into one counted row, and f follows the person', async () => {
    const s = new PtyScreen('live', [], { cols: 120, rows: 40, cwd: dir });
    screens.push(s);
    await s.ready('sessiontop');
    await s.waitFor((x) => / eBPF +lost/.test(x.lines()[0]!) && !x.lines()[0]!.includes('starting'), 20_000, 'the eBPF sensor');
    const { shell } = secondShell(dir, 'loop-shell-', started);
    await sleep(500);
    shell.write('for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true e2e-fold; done\r');
    await sleep(800);
    await s.press('f'); // the session where a person typed last: this one
    await s.waitForText('» for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true e2e-fold; done', 5000);
    await s.waitFor((x) => x.text().includes('/bin/true e2e-fold  ×10 (exit 0'), 5000, 'the folded row');
    expect(s.lines().filter((l) => /\d+ ▸ \/bin\/true e2e-fold/.test(l))).toHaveLength(1); // not 10 rows
    expect(s.lines()[1]).toContain('FOLLOW');
    expect(s.text()).toMatch(new RegExp(`session of \\S+ · leader \\d+ .*`));
    await s.press('q');
    expect((await s.exited).exitCode).toBe(0);
  });
});

if (skip) {
  it.skip(`eBPF incident tests skipped: ${skip}`, () => undefined);
}
