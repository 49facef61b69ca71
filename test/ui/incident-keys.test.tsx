/**
 * The first minute of an incident, in the App over a scripted host: who typed what (typed-line
 * search and its result list), folded repeats, panes that close with q / Esc, quitting while
 * recording, htop's F-keys, the STATE column, the sessions filter and order, the "more" marker.
 */

import { afterEach, describe, expect, it } from 'vitest';
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

const F = { f1: '\x1bOP', f3: '\x1bOR', f4: '\x1bOS', f6: '\x1b[17~', f10: '\x1b[21~' };

describe('search over typed lines, and who typed it', () => {
  it('/ finds a typed builtin; w lists every match with user, terminal, session and directory; Enter goes there', async () => {
    const a = await open();
    a.f.typed(1012, 'export EDITOR=vim'); // a builtin: no process
    a.f.typed(2001, 'export EDITOR=nano');
    a.store.flush();
    let f = await a.press('/', ...'EDITOR=', KEY.enter);
    expect(f).toContain('/EDITOR= 1/2');
    let snap = a.store.getSnapshot();
    expect(snap.tree.rows[snap.tree.cursor - snap.tree.first]).toMatchObject({ kind: 'typed', text: 'export EDITOR=nano', match: true });
    f = await a.press('w');
    expect(f).toContain('who typed or ran "EDITOR=": 2 matches');
    expect(lineWith(f, 'EDITOR=nano')).toMatch(/\d\d:\d\d:\d\d root +tty1 +console +» export EDITOR=nano +2001 bash in \/home\/bob/);
    expect(lineWith(f, 'EDITOR=vim')).toMatch(/\d\d:\d\d:\d\d alice +pts\/4 +sshd from 203\.0\.113\.7 +» export EDITOR=vim +1012 bash in \/home\/alice\//);
    f = await a.press(KEY.down, KEY.enter);
    expect(f).toContain('sshd session of alice');
    snap = a.store.getSnapshot();
    expect(snap.overlay).toBe('none');
    expect(snap.tree.rows[snap.tree.cursor - snap.tree.first]).toMatchObject({ kind: 'typed', text: 'export EDITOR=vim' });
    // done with it: Esc clears the search from the footer
    f = await a.press(KEY.escape);
    expect(f.split('\n')[28]).not.toContain('EDITOR');
  });

  it('moving through the sessions by hand ends the search (the footer forgets it)', async () => {
    const a = await open();
    let f = await a.press('/', ...'top', KEY.enter);
    expect(f).toContain('/top 1/2');
    f = await a.press(KEY.left, KEY.down);
    expect(f.split('\n')[28]).not.toContain('/top');
  });
});

describe('tree noise', () => {
  it('a loop\'s identical finished commands fold into one counted row', async () => {
    const a = await open();
    a.f.typed(1001, 'for i in $(seq 200); do /bin/true; done');
    for (let i = 0; i < 200; i++) {
      a.f.job(1001, 5000 + i, '/bin/true', ['/bin/true']);
      a.f.exit(5000 + i, 0);
    }
    a.store.flush();
    const f = await a.press(KEY.down);
    const rows = f.split('\n').filter((l) => /\d{4} ▸ \/bin\/true/.test(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/5199 ▸ \/bin\/true {2}×200 \(exit 0, last 2\.0s\)/);
  });
});

describe('panes and quitting', () => {
  it('q closes the help and the detail; from the main view it quits', async () => {
    const a = await open();
    await a.press('?');
    let f = await a.press('q');
    expect(f).not.toContain('help (');
    await a.press(KEY.enter);
    f = await a.press('q');
    expect(f).not.toContain('details of');
    expect(a.quits).toEqual([]);
    await a.press('q');
    expect(a.quits).toEqual([{ code: 0, message: '' }]);
  });

  it('while recording q asks for a second q; another key goes on; Ctrl-C quits at once', async () => {
    const a = await open();
    a.feed.live!.startRecording('/var/tmp/x.ndjson');
    let f = await a.press('q');
    expect(f).toContain('recording to /var/tmp/x.ndjson: press q again to stop it and quit');
    expect(a.quits).toEqual([]);
    await a.press('j', 'q');
    expect(a.quits).toEqual([]);
    await a.press('q');
    expect(a.quits).toEqual([{ code: 0, message: '' }]);
    await a.press(KEY.ctrlC);
    expect(a.quits).toHaveLength(2);
  });

  it('htop\'s F-keys: F1 help, F3 search, F4 filter, F6 sort, F10 quit', async () => {
    const a = await open();
    let f = await a.press(F.f1);
    expect(f).toContain('sessiontop — live view. Keys:');
    await a.press(KEY.escape);
    f = await a.press(F.f3);
    expect(f.split('\n')[28]!.trimEnd()).toBe('/');
    await a.press(KEY.escape, F.f4, ...'user:alice', KEY.enter);
    f = a.frame();
    expect(f).toContain('[filter user:alice]');
    expect(f).not.toContain('tty1');
    await a.press(F.f4, '\x15', KEY.enter); // Ctrl-U empties it: every session again
    expect(a.frame()).toContain('tty1');
    f = await a.press(F.f6);
    expect(f).toContain('[sort start]');
    await a.press(F.f10);
    expect(a.quits).toEqual([{ code: 0, message: '' }]);
  });
});

describe('sessions list', () => {
  it('STATE: active, detached (login ended, tmux still runs) with its logout time, ended HH:MM', async () => {
    const a = await open({ cols: 120 });
    // alice logs out: her shell and tmux client end, the tmux server and its pane go on
    a.f.exit(1013);
    a.f.exit(1012);
    a.f.exit(1010);
    a.f.exit(1001);
    a.store.flush();
    let f = await a.press();
    expect(lineWith(f, 'alice')).toMatch(/sshd +alice +203\.0\.113\.7 +pts\/3 +10:00 +detached /);
    // bob logs out
    a.f.exit(2002);
    a.f.exit(2001);
    const end = a.f.time;
    a.f.exit(2000);
    a.store.flush();
    f = await a.press();
    const hhmm = new Date(end).toISOString().slice(11, 16);
    expect(lineWith(f, 'tty1')).toMatch(new RegExp(`console +root +- +tty1 +10:00 +ended ${hhmm} `));
  });

  it('at 80×24 a long command ends with a "more" marker', async () => {
    const a = await open({ cols: 80, rows: 24 });
    a.f.typed(1001, `tar czf /backup/${'x'.repeat(120)}.tgz /etc`);
    a.f.job(1001, 6000, '/usr/bin/tar', ['tar', 'czf', `/backup/${'x'.repeat(120)}.tgz`, '/etc']);
    a.store.flush();
    const f = await a.press(KEY.down, KEY.tab, KEY.end);
    for (const l of f.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(lineWith(f, '6000 ▸ tar')).toMatch(/…  \(\d+s\)$/);
    expect(lineWith(f, 'alice')).toMatch(/ tar czf \/bac…$/);
  });
});
