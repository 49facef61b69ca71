/**
 * ECS `process.entity_id`: a deterministic id for one process on one boot of one host.
 *
 * Derived from (boot id, pid-namespace inode, pid, start time in clock ticks) as RFC 0030 asks, so
 * the same process gets the same id whether it was seen through /proc, eBPF, a replay or a
 * restarted sessiontop. The id is the base64url form of the first 16 bytes (128 bits) of the
 * SHA-256 of "<bootId>|<pidNsIno>|<pid>|<startTicks>" (22 characters).
 */

import { createHash } from 'node:crypto';
import type { HostInfo } from './types.js';

/** Length in characters of every entity id. */
export const ENTITY_ID_LENGTH = 22;

export function entityId(bootId: string, pidNsIno: number, pid: number, startTicks: number): string {
  return createHash('sha256')
    .update(`${bootId}|${pidNsIno}|${pid}|${startTicks}`)
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}

/** entityId() for a process of `host`. */
export function hostEntityId(host: HostInfo, pid: number, startTicks: number): string {
  return entityId(host.bootId, host.pidNsIno, pid, startTicks);
}
