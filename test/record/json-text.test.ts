import { describe, expect, it } from 'vitest';
import { jsonString, jsonStringArray } from '../../src/record/json-text.js';

describe('JSON text builders', () => {
  const tricky = ['', 'plain', 'quote " and \\ backslash', 'nl\nand\ttab', '\u0000\u001f\u007f', 'zoë ✓ 😀', 'lone \ud800 surrogate', '\u2028\u2029', 'x'.repeat(300)];
  it('produce exactly what JSON.stringify produces, and parse back', () => {
    for (const s of tricky) {
      expect(jsonString(s)).toBe(JSON.stringify(s));
      expect(JSON.parse(jsonString(s))).toBe(s);
    }
    expect(jsonStringArray(tricky)).toBe(JSON.stringify(tricky));
    expect(jsonStringArray([])).toBe('[]');
  });
});
