/**
 * The terminal pane (`o`) over a scripted host: the selected session's screen drawn from its
 * captured output through the emulator, the title with sizes and counts, the messages when there
 * is nothing to show, and hostile output that stays text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, lineWith, renderApp, settle, type AppHarness } from './render-app.js';

process.env.TZ = 'UTC';

let h: AppHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

/** Waits for the emulator to process what was written, then for the frame it causes. */
async function frameAfterOutput(a: AppHarness, pred: (frame: string) => boolean): Promise<string> {
  for (let i = 0; i < 100; i++) {
    a.store.flush();
    await settle(20);
    const f = a.frame();
    if (pred(f)) return f;
  }
  return a.frame();
}

describe('terminal pane', () => {
  it("shows the selected session's screen as the emulator draws it, with sizes and counts", async () => {
    h = await renderApp();
    const a = h;
    a.f.output(1001, 'alice@web-1:~$ ls\r\n\u001b[1;34mdocs\u001b[0m  notes.txt\r\nalice@web-1:~$ ', 30, 90);
    await a.press(KEY.down); // the ssh session
    await a.press('O');
    const f = await frameAfterOutput(a, (x) => x.includes('notes.txt'));
    expect(lineWith(f, 'terminal of alice pts/3')).toMatch(/leader 1001 bash · 90×30 \(o or Esc closes\)/);
    expect(lineWith(f, 'captured')).toMatch(/^ \d+ B captured · session [\w-]{22}$/);
    expect(lineWith(f, 'notes.txt')).toMatch(/^docs +notes\.txt/);
    expect(f).toContain('alice@web-1:~$ ls');
    // more output appears as it comes (incremental), counts in the title
    a.f.output(1001, 'cat notes.txt\r\nbuy milk\r\n', 30, 90, { skipped: 2048, capped: true });
    const g = await frameAfterOutput(a, (x) => x.includes('buy milk'));
    expect(lineWith(g, 'captured')).toContain('2.0 KiB skipped (rate limit or bound) · a writer reached its bound');
    // o closes it: the lists are back
    const closed = await a.press('O');
    expect(closed).toContain('TYPE');
  });

  it('says how to get output when a session has none', async () => {
    h = await renderApp();
    const f = await h.press(KEY.down, 'O');
    expect(f).toContain('no terminal output captured (opt-in: start sessiontop with --tty-output)');
    const r = await h.press(KEY.escape);
    expect(r).toContain('TYPE');
  });

  it('draws hostile output as inert text: no title, clipboard, report or mode change reaches the frame', async () => {
    h = await renderApp();
    const a = h;
    a.f.output(1001, '\u001b]0;pwned\u0007\u001b]52;c;ZXZpbA==\u0007\u001b[6n\u001b[?1049h\u001b[?25l\u001bP+q544e\u001b\\\u009b2J\u0085visible\u202etxet end', 24, 80);
    await a.press(KEY.down, 'O');
    const f = await frameAfterOutput(a, (x) => x.includes('visible'));
    expect(f).toContain('visible\\u{202e}txet');
    expect(f).not.toContain('pwned');
    expect(f).not.toContain('ZXZpbA');
    // the only escape sequences in the frame are Ink's own colours (SGR)
    // eslint-disable-next-line no-control-regex
    expect(f.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
