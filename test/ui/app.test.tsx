/**
 * The App over a scripted host, rendered with ink-testing-library: every view and every key.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { ExitError } from '../../src/exit-error.js';
import { KEY, lineWith, renderApp, type AppHarness } from './render-app.js';

process.env.TZ = 'UTC';

let h: AppHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const open = async (o: Parameters<typeof renderApp>[0] = {}): Promise<AppHarness> => {
  h = await renderApp(o);
  return h;
};

describe('views', () => {
  it('header: host, kernel, source state, events/s with sparkline, lost, counts', async () => {
    const a = await open();
    a.f.lost(3);
    a.store.flush();
    const [l1, l2] = (await a.press()).split('\n');
    expect(l1).toMatch(/^sessiontop web-1 {2}kernel 6\.8\.0-test +eBPF +lost 0 +\d+ ev\/s [ ▁▂▃▄▅▆▇█]+$/);
    expect(l2).toContain('sessions 2 · services 2 · live');
    a.feed.headerValue = { ...a.feed.headerValue, lost: 3, state: 'degraded', source: '/proc polling', notice: 'eBPF unavailable (EPERM: run as root): watching /proc instead: short-lived processes can be missed' };
    a.store.flush();
    const lines = (await a.press()).split('\n');
    expect(lines[0]).toContain('/proc polling (degraded)');
    expect(lines[0]).toContain('lost 3');
    expect(lines[2]).toBe('! eBPF unavailable (EPERM: run as root): watching /proc instead: short-lived processes can be missed'.padEnd(100));
  });

  it('header: recording indicator with the file and its size', async () => {
    const a = await open();
    a.feed.headerValue = { ...a.feed.headerValue, recording: { path: '/var/tmp/s.ndjson', bytes: 1536 } };
    a.store.flush();
    expect((await a.press()).split('\n')[1]).toContain('● REC /var/tmp/s.ndjson 1.5 KiB');
  });

  it('sessions list: one row per entry session, services folded, kernel threads folded', async () => {
    const a = await open();
    const f = a.frame();
    expect(lineWith(f, 'TYPE')).toMatch(/TYPE +USER +FROM +TTY +STATE +IDLE +PROCS +ACTIVITY +LAST COMMAND/);
    expect(lineWith(f, 'alice')).toMatch(/sshd +alice +203\.0\.113\.7 +pts\/3 +active +<1m +5 [ ▁▂▃▄▅▆▇█]{8} vim notes\.txt$/);
    expect(lineWith(f, 'tty1')).toMatch(/console +root +- +tty1 +active +<1m +3 [ ▁▂▃▄▅▆▇█]{8} top$/);
    expect(lineWith(f, 'services (init)')).toContain('▸ services (init): 2 sessions, 3 live processes');
    expect(lineWith(f, 'kernel threads')).toContain('▸ kernel threads and processes outside any session: 4');
  });

  it('process tree: typed lines inline, user-entered marked, exit codes, signals, durations, subheads', async () => {
    const a = await open();
    const f = await a.press(KEY.down); // the ssh session
    expect(lineWith(f, 'sshd session of alice')).toContain('leader 1001 bash · 5 live of 10 · 1 shell-noise hidden (v)');
    expect(lineWith(f, '» ls -la /etc')).toMatch(/├─» ls -la \/etc/);
    expect(lineWith(f, '1003')).toMatch(/├─1003 ▸ ls -la \/etc {2}\(exit 0, 2\.0s\)$/);
    expect(lineWith(f, '1004')).toMatch(/├─1004 ▸ make build {2}\(exit 2, 5\.0s\)$/);
    expect(lineWith(f, '1005')).toMatch(/│ └─1005 cc -c main\.c {2}\(exit 1, 2\.0s\)$/);
    expect(lineWith(f, '1006')).toMatch(/├─1006 ▸ sleep 600 {2}\(SIGINT, 2\.0s\)$/);
    expect(lineWith(f, 'tmux pane')).toMatch(/┆ tmux pane · pts\/4 · sid 1012 · alice ──/);
    expect(lineWith(f, '1013')).toMatch(/└─1013 ▸ vim notes\.txt {2}\(\d+s\)$/);
    expect(f).not.toContain('dircolors');
  });

  it('detail panel: the ancestry chain first, then every field, related processes one line each', async () => {
    const a = await open();
    await a.press(KEY.down, KEY.tab, KEY.end, KEY.enter); // vim
    let f = a.frame();
    expect(lineWith(f, 'details of 1013 vim')).toMatch(/lines 1–\d+ of (\d+)/);
    const total = Number(/lines 1–\d+ of (\d+)/.exec(lineWith(f, 'details of 1013 vim'))![1]);
    expect(total).toBeLessThan(70); // compact: no leader dumped in full again
    const lines = f.split('\n');
    const chain = lines.slice(lines.findIndex((l) => l.startsWith('── ancestry')) + 1, lines.findIndex((l) => l.startsWith('── process 1013')));
    expect(chain.map((l) => l.trimEnd())).toEqual([
      '  1 /sbin/init  root',
      '  └─ 500 sshd: /usr/sbin/sshd -D [listener]  root',
      '     └─ 1000 sshd: alice [priv]  root',
      '        └─ 1001 -bash  alice pts/3  [entry leader: sshd]',
      '           └─ 1010 ▸ tmux  alice pts/3',
      '              └─ 1011 tmux new-session -d  alice',
      '                 └─ 1012 -bash  alice pts/4  [session leader]',
      '                    └─ 1013 ◆ vim notes.txt  alice pts/4  [group leader]',
    ].map((l) => l.replace('[group leader]', '').trimEnd()));
    expect(lineWith(f, 'args[1]')).toContain('notes.txt');
    expect(lineWith(f, 'working directory')).toContain('/home/alice/src');
    f = await a.press(KEY.pageDown);
    expect(lineWith(f, 'typed by a person')).toMatch(/typed by a person +yes/);
    expect(lineWith(f, 'stdin')).toContain('char 136:4 (pts/4)');
    f = await a.press(KEY.end);
    expect(lineWith(f, 'details of')).toMatch(/lines \d+–(\d+) of \1 /);
    expect(lineWith(f, 'entry leader ')).toMatch(/entry leader +1001 bash · alice · \d\d:\d\d:\d\d · sshd from 203\.0\.113\.7/);
    expect(lineWith(f, 'parent ')).toMatch(/parent +1012 bash/);
    expect(lineWith(f, 'last user-entered')).toMatch(/last user-entered +1011 tmux/);
    expect(f.split('\n').filter((l) => l.includes('1001 bash')).length).toBe(1);
    f = await a.press(KEY.home);
    expect(f).toContain('── process 1013 vim');
    f = await a.press('q'); // q closes the pane, it does not quit
    expect(f).not.toContain('details of');
    expect(f).toContain('sshd session of alice');
    expect(a.quits).toEqual([]);
  });

  it('help screen lists the keys; ? or Esc closes it', async () => {
    const a = await open();
    let f = await a.press('?');
    expect(f).toContain('help (? Esc q close)');
    expect(lineWith(f, '  /  F3')).toContain('search typed lines');
    expect(lineWith(f, '  q  F10')).toContain('quit from the main view');
    f = await a.press(KEY.end);
    expect(f).toContain('start recording to a file');
    f = await a.press('?');
    expect(f).not.toContain('help (? Esc q close)');
    await a.press('?');
    f = await a.press(KEY.escape);
    expect(f).toContain('TYPE');
  });

  it('status line shows the key hints, and messages after a key', async () => {
    const a = await open();
    expect(a.lines()[28]).toContain('F1 help  q quit  Tab pane  Enter detail  / search  \\ filter  o sort  f follow  p pause');
    expect((await a.press('v')).split('\n')[28]).toContain('verbose: shell noise shown');
  });

  it('below 80×24 shows a clear message instead of the UI', async () => {
    const a = await open({ cols: 79, rows: 24 });
    expect(a.frame()).toContain('terminal too small (need 80×24, have 79×24)');
    a.store.resize(80, 23);
    expect(await a.press()).toContain('have 80×23');
    a.store.resize(80, 24);
    expect(await a.press()).toContain('TYPE');
    await a.press('q');
    expect(a.quits).toEqual([{ code: 0, message: '' }]);
  });

  it('never draws more than rows − 1 lines, at any size, and resizes', async () => {
    const a = await open({ cols: 80, rows: 24 });
    for (let pid = 3000; pid < 3300; pid++) a.f.job(2001, pid, '/usr/bin/true', ['true', String(pid)]);
    a.store.flush();
    for (const [c, r] of [
      [80, 24],
      [120, 40],
      [100, 30],
      [80, 24],
    ] as const) {
      a.store.resize(c, r);
      const lines = (await a.press()).split('\n');
      expect(lines.length).toBe(r - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(c);
      expect(lines[0]).toContain('sessiontop web-1');
      expect(lines[r - 2]).toContain('F1 help');
    }
  });

  it('clamps wide and invisible process names: no row wraps, the header stays on top', async () => {
    const { default: stringWidth } = await import('string-width');
    const a = await open({ cols: 80, rows: 24 });
    const mahjong = '\u{1f004}'.repeat(60);
    const tags = `ls\u{e0041}\u{e0042}\u3164hidden\u202etxt.exe`;
    a.f.job(2001, 3500, `/tmp/${mahjong}`, [mahjong, tags]);
    a.f.job(2001, 3501, '/tmp/x', ['x', '\u009d0;X\u009c\u009b2J']);
    a.store.flush();
    for (const [c, r] of [
      [80, 24],
      [100, 30],
    ] as const) {
      a.store.resize(c, r);
      const frame = await a.press();
      const lines = frame.split('\n');
      expect(lines.length).toBe(r - 1);
      for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(c);
      expect(lines[0]).toContain('sessiontop web-1');
      expect(frame).toContain("3500 ▸ \u{1f004}");
      expect(frame).not.toMatch(/[\u0080-\u009f\u202e\u3164\u{e0000}-\u{e007f}]/u);
    }
  });
});

describe('keys', () => {
  it('↑/↓ and j/k move in the sessions list; the tree follows the selection', async () => {
    const a = await open();
    expect(a.frame()).toContain('console session of root');
    let f = await a.press(KEY.down);
    expect(f).toContain('sshd session of alice');
    f = await a.press('k');
    expect(f).toContain('console session of root');
    f = await a.press('j', 'j');
    expect(f).toContain('services (init): 2 sessions, 3 live processes');
    expect(f).toContain('service sessions are folded: press Enter');
  });

  it('Tab and ←/→ switch panes (the other pane keeps a › marker)', async () => {
    const a = await open();
    let f = await a.press(KEY.tab);
    expect(lineWith(f, 'console ')).toMatch(/^›console/);
    f = await a.press(KEY.down);
    expect(lineWith(f, '2001')).toMatch(/└─2001 -bash/);
    expect(f).toContain('2/4'); // cursor position in the tree title
    f = await a.press(KEY.left);
    expect(lineWith(f, '2000 /bin/login')).toBeDefined();
    expect(f.split('\n').find((l) => l.includes('/bin/login'))).toMatch(/^ /);
    expect(lineWith(f, '2001 -bash')).toMatch(/^›/);
    f = await a.press(KEY.right, KEY.down);
    expect(f).toContain('3/4');
  });

  it('PgUp/PgDn/Home/End page through a long tree, rendering only the visible rows', async () => {
    const a = await open({ cols: 80, rows: 24 });
    for (let pid = 3000; pid < 3200; pid++) a.f.job(2001, pid, '/usr/bin/true', ['true', `job-${pid}`]);
    a.store.flush();
    let f = await a.press(KEY.tab, KEY.pageDown);
    const snap = a.store.getSnapshot();
    expect(snap.tree.total).toBe(204);
    expect(snap.tree.rows.length).toBe(snap.tree.height);
    expect(snap.tree.cursor).toBe(snap.tree.height - 1);
    f = await a.press(KEY.end);
    expect(f).toContain('job-3199');
    expect(a.store.getSnapshot().tree.cursor).toBe(a.store.getSnapshot().tree.total - 1);
    f = await a.press(KEY.pageUp);
    expect(a.store.getSnapshot().tree.cursor).toBe(a.store.getSnapshot().tree.total - a.store.getSnapshot().tree.height);
    f = await a.press(KEY.home);
    expect(f).toContain('2000 /bin/login');
    expect(a.store.getSnapshot().tree.first).toBe(0);
    expect(a.store.getSnapshot().tree.rows.some((r) => r.text.includes('job-3199'))).toBe(false);
  });

  it('Enter on a folded line expands it; Enter on a session opens its entry leader', async () => {
    const a = await open();
    let f = await a.press(KEY.down, KEY.down, KEY.enter);
    expect(f).toContain('▾ services (init)');
    expect(lineWith(f, '/usr/sbin/cron -f')).toMatch(/^ {2}init +root/);
    f = await a.press(KEY.down);
    expect(f).toContain('init session of root');
    f = await a.press(KEY.up, KEY.enter);
    expect(f).toContain('▸ services (init)');
    f = await a.press(KEY.end, KEY.enter);
    expect(f).toContain('▾ kernel threads');
    expect(lineWith(f, '└─4')).toContain('[kworker/0:0]');
    f = await a.press(KEY.home, KEY.enter);
    expect(f).toContain('details of 2000 login');
    expect(lineWith(f, '└─ 2000')).toMatch(/└─ 2000 ◆ \/bin\/login -- +root tty1 +\[entry leader: console\]/);
  });

  it('Esc closes an overlay, then clears the search, then goes back to the sessions list', async () => {
    const a = await open();
    await a.press('/', ...'vim', KEY.enter);
    expect(a.store.getSnapshot().tree.focused).toBe(true);
    expect(a.frame()).toContain('/vim 1/2'); // the typed line and the command
    await a.press('n', KEY.enter);
    expect(a.frame()).toContain('details of 1013');
    let f = await a.press(KEY.escape);
    expect(f).toContain('/vim 2/2');
    f = await a.press(KEY.escape);
    expect(f).not.toContain('/vim');
    await a.press(KEY.escape);
    expect(a.store.getSnapshot().sessions.focused).toBe(true);
  });

  it('/ searches args and cwd (smart case); n/N go to the next / previous match', async () => {
    const a = await open();
    let f = await a.press('/', ...'home/al', KEY.enter); // cwd of alice's shells
    expect(f).toContain('sshd session of alice');
    expect(f).toMatch(/\/home\/al 1\/\d/);
    const total = a.store.getSnapshot().status.search.split('/').pop();
    f = await a.press('n');
    expect(f).toContain(`/home/al 2/${total}`);
    f = await a.press('N', 'N');
    expect(f).toContain(`/home/al ${total}/${total}`);
    f = await a.press('/', ...'TOP', KEY.enter);
    expect(f).toContain('nothing typed or run matches "TOP"');
    f = await a.press('/', ...'top', KEY.enter);
    expect(f).toContain('console session of root');
    expect(f).toContain('/top 1/2');
    let snap = a.store.getSnapshot();
    expect(snap.tree.rows[snap.tree.cursor - snap.tree.first]).toMatchObject({ kind: 'typed', text: 'top', match: true });
    f = await a.press('n');
    snap = a.store.getSnapshot();
    expect(snap.tree.rows[snap.tree.cursor - snap.tree.first]).toMatchObject({ kind: 'process', text: 'top', match: true });
  });

  it('search into a folded service session expands it; into shell noise turns verbose on', async () => {
    const a = await open();
    let f = await a.press('/', ...'cron', KEY.enter);
    expect(f).toContain('▾ services (init)');
    expect(f).toContain('init session of root');
    f = await a.press('/', ...'dircolors', KEY.enter);
    expect(f).toContain('verbose on: that match is shell noise');
    expect(f).toContain('dircolors -b');
    expect(a.store.getSnapshot().verbose).toBe(true);
  });

  it('the search prompt edits: backspace, Ctrl-U, Esc cancels', async () => {
    const a = await open();
    let f = await a.press('/', 'a', 'b', 'c');
    expect(f.split('\n')[28]!.trimEnd()).toBe('/abc');
    f = await a.press(KEY.backspace);
    expect(f.split('\n')[28]!.trimEnd()).toBe('/ab');
    f = await a.press('\x15');
    expect(f.split('\n')[28]!.trimEnd()).toBe('/');
    f = await a.press('x', KEY.escape);
    expect(f.split('\n')[28]).toContain('F1 help');
    expect(a.store.getSnapshot().status.search).toBe('');
  });

  it('f follows the most active session and its newest process; a move stops it', async () => {
    const a = await open();
    expect(a.frame()).toContain('console session of root');
    for (let i = 0; i < 5; i++) a.f.typed(1001, `echo ${i}`);
    a.f.job(1001, 1100, '/usr/bin/htop', ['htop']);
    let f = await a.press('f');
    expect(f.split('\n')[1]).toContain('FOLLOW');
    expect(f).toContain('sshd session of alice');
    const snap = a.store.getSnapshot();
    expect(snap.tree.rows[snap.tree.cursor - snap.tree.first]!.text).toBe('htop');
    f = await a.press(KEY.up);
    expect(f.split('\n')[1]).not.toContain('FOLLOW');
  });

  it('p pauses the view while events keep being counted; p resumes', async () => {
    const a = await open();
    await a.press(KEY.down);
    let f = await a.press('p');
    expect(f.split('\n')[1]).toContain('PAUSED');
    a.f.typed(1001, 'whoami');
    a.f.job(1001, 1200, '/usr/bin/whoami', ['whoami']);
    a.store.flush();
    f = await a.press();
    expect(f).not.toContain('whoami');
    f = await a.press('p');
    expect(f).toContain('1200 ▸ whoami');
    expect(f.split('\n')[1]).not.toContain('PAUSED');
  });

  it('r asks for a file name (default sessiontop-DATE.ndjson under the current dir), starts and stops recording', async () => {
    const a = await open({ recordingDir: '/var/tmp/rec' });
    let f = await a.press('r');
    expect(f.split('\n')[28]).toMatch(/^record to file: sessiontop-\d{8}-\d{6}\.ndjson/);
    f = await a.press('\x15', ...'x.ndjson', KEY.enter);
    expect(a.feed.calls).toEqual(['record /var/tmp/rec/x.ndjson']);
    expect(f).toContain('recording to /var/tmp/rec/x.ndjson');
    expect(f.split('\n')[1]).toContain('● REC /var/tmp/rec/x.ndjson 2.0 KiB');
    f = await a.press('r');
    expect(a.feed.calls).toEqual(['record /var/tmp/rec/x.ndjson', 'stop recording']);
    expect(f).toContain('recording stopped: /var/tmp/rec/x.ndjson (4.0 KiB)');
    a.feed.failRecording = new ExitError('/var/tmp/rec/y already exists; use --force to overwrite it or --append to add to it', 2, 'EEXIST');
    f = await a.press('r', KEY.enter);
    expect(f).toContain('cannot record: /var/tmp/rec/y already exists');
    await a.press('r', KEY.escape);
    expect(a.feed.calls.length).toBe(2);
  });

  it('t shows start times, v shows shell noise', async () => {
    const a = await open();
    await a.press(KEY.down);
    let f = await a.press('t');
    expect(lineWith(f, '1003')).toMatch(/10:00:\d\d\.000 ├─1003 ▸ ls -la \/etc/);
    expect(lineWith(f, '» cd /tmp')).toMatch(/10:00:\d\d\.000 ├─» cd \/tmp/);
    f = await a.press('v');
    expect(lineWith(f, '1002')).toContain('dircolors -b');
    expect(f.split('\n')[28]).toContain('[t][v]');
    f = await a.press('v', 't');
    expect(f).not.toContain('dircolors');
    expect(f).not.toMatch(/\d\d:\d\d:\d\d\.\d{3} /);
  });

  it('q and Ctrl-C quit with status 0', async () => {
    const a = await open();
    await a.press('q');
    await a.press(KEY.ctrlC);
    expect(a.quits).toEqual([
      { code: 0, message: '' },
      { code: 0, message: '' },
    ]);
  });
});

describe('replay keys', () => {
  it('Space/p play-pause, +/- speed, ←/→ step, g/G start/end, s seeks to a typed time', async () => {
    const a = await open({ mode: 'replay' });
    await a.press(' ', 'p', '+', '=', '-', '_', KEY.right, KEY.left, 'g', 'G');
    expect(a.feed.calls).toEqual(['togglePlay', 'togglePlay', 'faster', 'faster', 'slower', 'slower', 'stepForward', 'stepBack', 'toStart', 'toEnd']);
    await a.press(KEY.down, ']', '[');
    const alice = a.f.table.get(1001)!.entrySession!.id;
    expect(a.feed.calls.slice(-2)).toEqual([`session next ${alice}`, `session prev ${alice}`]);
    expect(a.store.getSnapshot().tree.focused).toBe(true);
    let f = await a.press('s');
    expect(f.split('\n')[28]).toContain('seek to (12:03:04, +30s, -5m, 50%, ISO time):');
    await a.press(...'+30s', KEY.enter);
    expect(a.feed.calls.at(-1)).toBe('seek +30s');
    a.feed.seekError = new Error('cannot read "xyz" as a time (examples: 12:03:04, +30s)');
    f = await a.press(':', ...'xyz', KEY.enter);
    // refused: the prompt stays open with the text typed and why, on the same line
    expect(f.split('\n')[28]).toMatch(/seek to .*: xyz .* cannot read "xyz" as a time/);
    f = await a.press(KEY.backspace);
    expect(f.split('\n')[28]).toContain(': xy');
    expect(f).not.toContain('cannot read');
    f = await a.press(KEY.escape, 'r');
    expect(f).toContain('recording is for the live view');
    expect(a.store.getSnapshot().status.hints).toContain('Space play  +/- speed  [ ] prev/next in session  ←/→ step  s seek');
  });

  it('replay header: position, share, speed and play state', async () => {
    const a = await open({ mode: 'replay' });
    const start = Date.UTC(2024, 4, 1, 10, 0, 0);
    a.feed.headerValue = {
      source: 'replay',
      state: 'replay',
      notice: '',
      lost: 0,
      recording: null,
      badLines: 2,
      replay: { position: start + 30_000, start, end: start + 120_000, playing: true, speed: 4, atEnd: false, applied: 1234, busy: '' },
    };
    a.store.flush();
    let f = await a.press();
    expect(f.split('\n')[0]).toContain(' replay  ▶ 4× 2024-05-01 10:00:30.000 25%');
    expect(f.split('\n')[0]).toContain('bad lines 2');
    expect(f.split('\n')[1]).toContain('1,234 events replayed');
    a.feed.headerValue = { ...a.feed.headerValue, replay: { ...a.feed.headerValue.replay!, playing: false, speed: 0.25 } };
    a.store.flush();
    f = await a.press();
    expect(f.split('\n')[0]).toContain('❚❚ 1/4×');
  });
});
