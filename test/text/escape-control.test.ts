import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/text/escape-control.js';

describe('escapeControl', () => {
  it('leaves ordinary text alone (including non-ASCII)', () => {
    expect(escapeControl('ls -la /home/zoë | grep "x" \\ y')).toBe('ls -la /home/zoë | grep "x" \\ y');
  });
  it('escapes ESC, CSI/OSC sequences, C0, DEL and C1 controls visibly', () => {
    expect(escapeControl('\u001b[2J\u001b]0;title\u0007')).toBe('\\e[2J\\e]0;title\\x07');
    expect(escapeControl('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeControl('\u0000\u007f\u009b31m')).toBe('\\x00\\x7f\\x9b31m');
  });
  it('escapes bidi overrides and line separators', () => {
    expect(escapeControl('file\u202etxt.exe\u2028')).toBe('file\\u{202e}txt.exe\\u{2028}');
  });
});

describe('escapeControl, bytes that are not UTF-8 and invisible characters', () => {
  it('shows the U+DC80–U+DCFF stand-ins as the bytes they are, and other unpaired surrogates and invisible characters as escapes', () => {
    expect(escapeControl('a\udcff\udc80b')).toBe('a\\xff\\x80b');
    expect(escapeControl('x\ud800y')).toBe('x\\u{d800}y');
    expect(escapeControl('zero\u200bwidth\u00adsoft')).toBe('zero\\u{200b}width\\xadsoft');
    // a valid surrogate pair (an emoji) is kept
    expect(escapeControl('ok \u{1f600}')).toBe('ok \u{1f600}');
  });
});
