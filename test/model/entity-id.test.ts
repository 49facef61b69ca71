import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENTITY_ID_LENGTH, entityId, hostEntityId } from '../../src/model/entity-id.js';
import { HOST } from './synthetic-host.js';

describe('entityId', () => {
  it('is the base64url of the first 128 bits of sha256("boot|ns|pid|ticks")', () => {
    const want = createHash('sha256').update('b-1|4026531836|1234|5678').digest().subarray(0, 16).toString('base64url');
    expect(entityId('b-1', 4026531836, 1234, 5678)).toBe(want);
    expect(want).toHaveLength(ENTITY_ID_LENGTH);
    expect(want).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('equals the 16-byte digest encoding for every value of its last digit', () => {
    // the last digit is rebuilt from the whole digest's encoding: check inputs until every one of
    // its 4 possible values (2 bits of the 16th byte) has been met, and many more
    const seen = new Set<string>();
    for (let pid = 1; pid <= 2000; pid++) {
      const want = createHash('sha256').update(`boot|7|${pid}|${pid * 13}`).digest().subarray(0, 16).toString('base64url');
      expect(entityId('boot', 7, pid, pid * 13)).toBe(want);
      seen.add(want[21] as string);
    }
    expect([...seen].sort()).toEqual(['A', 'Q', 'g', 'w']);
  });

  it('is deterministic and differs with every input', () => {
    const base = entityId('b-1', 1, 2, 3);
    expect(entityId('b-1', 1, 2, 3)).toBe(base);
    expect(new Set([base, entityId('b-2', 1, 2, 3), entityId('b-1', 9, 2, 3), entityId('b-1', 1, 9, 3), entityId('b-1', 1, 2, 9)]).size).toBe(5);
    // no ambiguity between fields
    expect(entityId('b', 12, 3, 4)).not.toBe(entityId('b', 1, 23, 4));
  });

  it('hostEntityId uses the host boot id and pid namespace', () => {
    expect(hostEntityId(HOST, 42, 4242)).toBe(entityId(HOST.bootId, HOST.pidNsIno, 42, 4242));
  });
});
