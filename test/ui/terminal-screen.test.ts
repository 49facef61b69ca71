/**
 * The terminal pane's emulator: captured output goes through @xterm/headless and comes back as
 * escaped, styled cell text; hostile output cannot put a control character into what is drawn.
 */
import { describe, expect, it, vi } from 'vitest';
import { TerminalOutputLog } from '../../src/model/terminal-output.js';
import { TerminalScreen } from '../../src/ui/terminal-screen.js';

function logOf(...texts: (string | [string, number, number])[]): TerminalOutputLog {
  const log = new TerminalOutputLog(0, 1 << 20);
  let t = 0;
  for (const x of texts) {
    const [text, rows, columns] = typeof x === 'string' ? [x, 24, 80] : x;
    log.append({ time: t++, text, rows, columns, pid: 1 }, 0, false, text.length);
  }
  return log;
}

async function screen(log: TerminalOutputLog, height = 24): Promise<{ lines: string[]; view: ReturnType<TerminalScreen['view']> }> {
  const s = new TerminalScreen();
  s.sync(log);
  await s.flushed();
  const view = s.view(height, log);
  s.dispose();
  return { lines: view.rows.map((r) => r.map((seg) => seg.text).join('')), view };
}

/** Nothing a terminal would act on: C0, DEL, C1, bidi controls. */
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

describe('TerminalScreen', () => {
  it('shows the screen an emulator draws: cursor moves, overwrites, clears, colours', async () => {
    const { lines, view } = await screen(logOf('$ ls\r\nfile-a  file-b\r\n$ ', 'XXXX\r$ echo \u001b[1;31mred\u001b[0m done'));
    expect(lines).toEqual(['$ ls', 'file-a  file-b', '$ echo red done']);
    const red = view.rows[2]!.find((s) => s.text === 'red');
    expect(red).toMatchObject({ color: 'red', bold: true });
    const cleared = await screen(logOf('old text\r\n', '\u001b[2J\u001b[Hnew'));
    expect(cleared.lines).toEqual(['new']);
  });

  it('follows the window size that comes with the output', async () => {
    const { view } = await screen(logOf(['a', 30, 100], ['b', 40, 132]));
    expect([view.columns, view.height]).toEqual([132, 40]);
  });

  it('shows the bottom of a screen taller than the pane, down to the cursor', async () => {
    const text = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\r\n');
    const { lines } = await screen(logOf(text), 5);
    expect(lines).toEqual(['line 15', 'line 16', 'line 17', 'line 18', 'line 19']);
  });

  it('never lets output act on the terminal it is drawn on: every drawn character is inert', async () => {
    const hostile =
      '\u001b[?1049h' + // alternate screen
      '\u001b]0;pwned-title\u0007' + // window title
      '\u001b]52;c;cm0gLXJmIC8=\u0007' + // clipboard write
      '\u001bP+q544e\u001b\\' + // DCS query
      '\u001b[6n\u001b[c' + // reports (the emulator's answers go nowhere)
      'a\u009b31mb' + // C1 CSI
      'c\u202edcba\u202c' + // bidi override, drawn as a character by the emulator
      'x\u0008y\u007fz' +
      '\u0085\u008d\u0090\u009d\u009e\u009f';
    // the emulator must not log parse errors: on the live screen a console line would tear the frame
    const logged = vi.spyOn(console, 'error');
    const { lines, view } = await screen(logOf(hostile));
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
    for (const row of view.rows) for (const seg of row) expect(ACTIVE.test(seg.text), JSON.stringify(seg.text)).toBe(false);
    expect(lines.join('\n')).not.toContain('pwned-title');
    expect(lines.join('\n')).toContain('c\\u{202e}dcba'); // shown, escaped
  });

  it('feeds new chunks incrementally and rebuilds for another log (a seek, another session)', async () => {
    const log = logOf('one ');
    const s = new TerminalScreen();
    s.sync(log);
    log.append({ time: 9, text: 'two', rows: 24, columns: 80, pid: 1 }, 0, false, 3);
    s.sync(log);
    await s.flushed();
    expect(s.view(24, log).rows[0]!.map((x) => x.text).join('')).toBe('one two');
    const other = logOf('else');
    s.sync(other);
    await s.flushed();
    expect(s.view(24, other).rows[0]!.map((x) => x.text).join('')).toBe('else');
    s.dispose();
  });
});
