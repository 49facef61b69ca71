import { describe, expect, it } from 'vitest';
import { cellWidth, commandText, fitText, safeText } from '../../src/text/terminal-text.js';

describe('safeText: nothing from a process can act on the terminal', () => {
  it('escapes ESC sequences (OSC title, CSI clear, SGR colours), BEL and other C0 controls', () => {
    const s = safeText('a\x1b]0;pwned\x07b\x1b[2Jc\x1b[31mred\x1b[0m\r\n\t\x00\x08');
    expect(s).toBe('a\\e]0;pwned\\x07b\\e[2Jc\\e[31mred\\e[0m\\r\\n\\t\\x00\\x08');
    expect(s).not.toMatch(/[\x00-\x1f\x7f]/);
  });

  it('escapes DEL and the C1 controls (8-bit CSI 0x9b, OSC 0x9d)', () => {
    expect(safeText('x\x7fy\x9b2J\x9d0;t\x9c')).toBe('x\\x7fy\\x9b2J\\x9d0;t\\x9c');
  });

  it('shows the lone surrogates U+DC80–U+DCFF (invalid UTF-8 bytes) as \\xNN', () => {
    expect(safeText('caf\udcc3\udca9 \udc80\udcff')).toBe('caf\\xc3\\xa9 \\x80\\xff');
  });

  it('escapes other unpaired surrogates but keeps real pairs (emoji)', () => {
    expect(safeText('a\ud800b')).toBe('a\\u{d800}b');
    expect(safeText('a\udfffb')).toBe('a\\u{dfff}b');
    expect(safeText('ok 😀')).toBe('ok 😀');
  });

  it('escapes bidi overrides and zero-width characters that could disguise text', () => {
    expect(safeText('file\u202egnp.exe')).toBe('file\\u{202e}gnp.exe');
    expect(safeText('r\u200bm -rf')).toBe('r\\u{200b}m -rf');
    expect(safeText('a\u2028b')).toBe('a\\u{2028}b');
  });

  it('leaves ordinary text alone (same string)', () => {
    const s = 'ls -la /home/alice — ünïcödé 日本';
    expect(safeText(s)).toBe(s);
  });

  it('commandText joins argv, marks truncation, falls back to [name]', () => {
    expect(commandText(['ls', '-l', '\x1b[2J'], 'ls', false)).toBe('ls -l \\e[2J');
    expect(commandText(['cat', 'x'], 'cat', true)).toBe('cat x …');
    expect(commandText([], 'kworker/0:1', false)).toBe('[kworker/0:1]');
  });
});

describe('cell widths', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    expect(cellWidth('abc')).toBe(3);
    expect(cellWidth('日本')).toBe(4);
    expect(cellWidth('e\u0301')).toBe(1);
    expect(cellWidth('😀')).toBe(2);
  });

  it('fitText pads and cuts to exact widths with an ellipsis', () => {
    expect(fitText('abc', 5)).toBe('abc  ');
    expect(fitText('abcdef', 4)).toBe('abc…');
    expect(fitText('7', 3, true, true)).toBe('  7');
    expect(cellWidth(fitText('日本語テキスト', 6))).toBeLessThanOrEqual(6);
    expect(fitText('日本語テキスト', 6)).toBe('日本… '); // 5 cells + 1 pad: exactly 6
    expect(fitText('abc', 0)).toBe('');
  });
});
