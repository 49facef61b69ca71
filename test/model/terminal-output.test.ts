/**
 * text_output in the model: output belongs to the writer's entry session (its terminal log), the
 * log keeps the newest output within its bound and counts what it dropped, the captured and
 * skipped totals and the cap flag add up, and the writer's facts are not overwritten by the
 * output record's (which lacks the stdio fields).
 */
import { describe, expect, it } from 'vitest';
import { TerminalOutputLog } from '../../src/model/terminal-output.js';
import { FixtureHost } from '../ui/ui-fixture.js';

describe('terminal output in the model', () => {
  it("goes to the writer's entry session, and leaves the writer's facts alone", () => {
    const f = new FixtureHost();
    f.define({ pid: 1, ppid: 0, executable: '/sbin/init', args: ['/sbin/init'] });
    f.define({ pid: 600, ppid: 1, executable: '/usr/sbin/sshd', args: ['sshd'] });
    f.snapshot(1);
    f.snapshot(600);
    f.finishBackfill();
    f.fork(600, 700);
    f.setsid(700, 136 << 20);
    const shell = f.exec(700, '/bin/bash', ['-bash']);
    const child = f.job(700, 701, '/bin/ls', ['ls']);
    const interactive = shell.interactive;
    f.output(700, '$ ');
    f.output(701, 'a b c\r\n', 40, 120, { skipped: 10, capped: true });
    const s = shell.entrySession!;
    expect(s).toBe(child.entrySession);
    const t = s.terminal!;
    expect(t.chunks.map((c) => [c.pid, c.text])).toEqual([
      [700, '$ '],
      [701, 'a b c\r\n'],
    ]);
    expect([t.appended, t.bytes, t.skipped, t.capped, t.rows, t.columns]).toEqual([2, 9, 10, true, 40, 120]);
    expect(shell.interactive).toBe(interactive);
    // a terminal inside the session (a tmux pane's pty) is kept apart; the login's stays the one shown
    const pane = f.fork(700, 702, { tty: (136 << 20) | 9 });
    f.output(702, 'inner pane\r\n');
    expect(pane.entrySession).toBe(s);
    expect(s.terminal!.tty).toBe(136 << 20);
    expect(s.terminal!.chunks.map((c) => c.text).join('')).toBe('$ a b c\r\n');
    expect((s as unknown as { terminals: Map<number, unknown> }).terminals.size).toBe(2);
  });

  it('keeps the newest output within its bound and counts the chunks it dropped', () => {
    const log = new TerminalOutputLog(0, 10);
    for (let i = 0; i < 6; i++) log.append({ time: i, text: `abcd${i}`, rows: 0, columns: 0, pid: 1 }, 0, false, 5);
    expect(log.chunks.map((c) => c.text)).toEqual(['abcd4', 'abcd5']);
    expect([log.appended, log.dropped, log.bytes]).toEqual([6, 4, 30]);
    const copy = log.clone();
    log.append({ time: 9, text: 'x', rows: 0, columns: 0, pid: 1 }, 0, false, 1);
    expect(copy.chunks.length).toBe(2); // a checkpoint's copy does not move with the live log
  });
});
