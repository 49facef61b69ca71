import { describe, expect, it } from 'vitest';
import { StringInterner } from '../../src/sensor/string-interner.js';

const latin1 = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.subarray(s, e)).toString('latin1');

describe('StringInterner', () => {
  it('returns the same string object for the same bytes, wherever they are', () => {
    const si = new StringInterner();
    let made = 0;
    const make = (b: Uint8Array, s: number, e: number): string => {
      made++;
      return latin1(b, s, e);
    };
    const buf = Buffer.from('xx/usr/bin/grep--/usr/bin/grep');
    const a = si.intern(buf, 2, 15, make);
    const b = si.intern(buf, 17, 30, make);
    expect(a).toBe('/usr/bin/grep');
    expect(b).toBe(a);
    expect(made).toBe(1);
  });

  it('never returns another string on a hash collision or a length mismatch', () => {
    const si = new StringInterner();
    const seen = new Map<string, string>();
    // many different short strings: any collision would show as a wrong value
    for (let i = 0; i < 20_000; i++) {
      const s = `p${i.toString(36)}`;
      const bytes = Buffer.from(s);
      const got = si.intern(bytes, 0, bytes.length, latin1);
      expect(got).toBe(s);
      seen.set(s, got);
    }
    expect(si.intern(Buffer.from('ab'), 0, 2, latin1)).toBe('ab');
    expect(si.intern(Buffer.from('abc'), 0, 3, latin1)).toBe('abc');
  });

  it('stays bounded: past its size it starts over', () => {
    const si = new StringInterner(4);
    for (let i = 0; i < 10; i++) si.intern(Buffer.from(`s${i}`), 0, 2, latin1);
    expect(si.intern(Buffer.from('s9'), 0, 2, latin1)).toBe('s9');
    expect((si as unknown as { table: Map<number, unknown> }).table.size).toBeLessThanOrEqual(4);
  });
});
