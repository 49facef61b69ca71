import { describe, expect, it } from 'vitest';
import { SessionMembers, type MemberLinks } from '../../src/model/entry-session.js';
import { ProcessRecord } from '../../src/model/process-record.js';
import type { HostInfo } from '../../src/model/types.js';

const HOST: HostInfo = { name: 'h', bootId: 'b', pidNsIno: 1, kernel: 'k', bootTimeMs: 0 };
const node = (pid: number): MemberLinks => new ProcessRecord(HOST, pid, pid);
const pids = (m: SessionMembers): number[] => [...m].map((n) => n.pid);

describe('SessionMembers (intrusive member list of an entry session)', () => {
  it('keeps joining order; has, size and delete agree; a removed node can join again at the end', () => {
    const m = new SessionMembers();
    const [a, b, c] = [node(1), node(2), node(3)];
    expect(m.add(a)).toBe(true);
    expect(m.add(b)).toBe(true);
    expect(m.add(c)).toBe(true);
    expect(m.add(b)).toBe(false); // already a member: no duplicate
    expect(pids(m)).toEqual([1, 2, 3]);
    expect(m.size).toBe(3);
    expect(m.delete(b)).toBe(true);
    expect(m.delete(b)).toBe(false);
    expect(m.has(b)).toBe(false);
    expect(pids(m)).toEqual([1, 3]);
    expect(m.delete(a)).toBe(true); // head
    expect(m.delete(c)).toBe(true); // tail
    expect(m.size).toBe(0);
    expect(pids(m)).toEqual([]);
    m.add(c);
    m.add(a);
    expect(pids(m)).toEqual([3, 1]);
  });

  it('a node is on one list at a time: joining another session leaves the first', () => {
    const s1 = new SessionMembers();
    const s2 = new SessionMembers();
    const [a, b] = [node(1), node(2)];
    s1.add(a);
    s1.add(b);
    s2.add(a);
    expect(s1.has(a)).toBe(false);
    expect(s2.has(a)).toBe(true);
    expect(pids(s1)).toEqual([2]);
    expect(pids(s2)).toEqual([1]);
    expect(s1.size + s2.size).toBe(2);
    expect(s1.delete(a)).toBe(false); // not s1's
  });
});
