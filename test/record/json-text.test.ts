import { describe, expect, it } from 'vitest';
import { flattened, jsonString, jsonStringArray } from '../../src/record/json-text.js';

describe('JSON text builders', () => {
  const tricky = ['', 'plain', 'quote " and \\ backslash', 'nl\nand\ttab', '\u0000\u001f\u007f', 'zoë ✓ 😀', 'lone \ud800 surrogate', '\u2028\u2029', 'x'.repeat(300)];
  it('produce what JSON.stringify produces (terminal-unsafe characters as \\u escapes), and parse back', () => {
    for (const s of tricky) {
      expect(jsonString(s)).toBe(JSON.stringify(s).replace(/[\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
      expect(JSON.parse(jsonString(s))).toBe(s);
    }
    expect(JSON.parse(jsonStringArray(tricky))).toEqual(tricky);
    expect(jsonStringArray([])).toBe('[]');
  });

  it('write C1, bidi, separators and invisible characters as escapes: valid JSON, no raw bytes a terminal obeys', () => {
    const hostile = '\u009d0;X\u009c\u009b2J \u202e \u2028 \u{e0041}\u{e0042} \u3164 \u200b';
    const text = jsonString(hostile);
    expect(text).toBe('"\\u009d0;X\\u009c\\u009b2J \\u202e \\u2028 \\udb40\\udc41\\udb40\\udc42 \\u3164 \\u200b"');
    expect(JSON.parse(text)).toBe(hostile);
  });

  it('flattened returns the same text', () => {
    let s = '';
    for (let i = 0; i < 50; i++) s += `,"k${i}":${jsonString(String(i))}`;
    expect(flattened(s)).toBe(s);
    expect(flattened('')).toBe('');
  });
});
