/**
 * Colours and attributes (FORCE_COLOR): user-entered commands highlighted, typed lines marked,
 * failures red, the selected row inverse — and no escape sequence from process data.
 */

import { vi } from 'vitest';

vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

import { afterEach, describe, expect, it } from 'vitest';
import { KEY, renderApp, type AppHarness } from './render-app.js';

let h: AppHarness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

const ESC = '\x1b';
// eslint-disable-next-line no-control-regex
const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
/** The raw (styled) line whose visible text contains `text`. */
const line = (frame: string, text: string): string => frame.split('\n').find((l) => plain(l).includes(text)) ?? '';

describe('styles', () => {
  it('user-entered commands are bold cyan, typed lines magenta, failures red, selection inverse', async () => {
    h = await renderApp();
    const f = await h.press(KEY.down, KEY.tab);
    expect(line(f, '▸ make build')).toContain(`${ESC}[36m`); // cyan
    expect(line(f, '▸ make build')).toContain(`${ESC}[1m`); // bold
    expect(line(f, '(exit 2, 5.0s)')).toMatch(/\x1b\[31m[^\n]*\(exit 2, 5\.0s\)/); // red
    expect(line(f, '» cd /tmp')).toContain(`${ESC}[35m`); // magenta
    expect(line(f, '(exit 0, 2.0s)')).not.toContain(`${ESC}[31m`);
    expect(line(f, '1001 -bash')).toContain(`${ESC}[7m`); // the cursor row of the focused pane
  });

  it('escape sequences in a process argv reach the screen only as visible text', async () => {
    h = await renderApp();
    h.f.job(1001, 1500, '/bin/echo', ['echo', '\x1b]0;pwned\x07', '\x1b[2J', '\x1b[31mred\x1b[0m', '\x9b2J', 'bad\udcff']);
    h.store.flush();
    const f = await h.press(KEY.down); // alice's session
    const row = plain(line(f, '1500'));
    expect(row).toContain('echo \\e]0;pwned\\x07 \\e[2J \\e[31mred\\e[0m \\x9b2J bad\\xff');
    // the only escapes in the whole frame are Ink's own SGR codes
    // eslint-disable-next-line no-control-regex
    const foreign = f.replace(/\x1b\[[0-9;]*m/g, '');
    expect(foreign).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  });
});
