/**
 * ECS `process.entity_id`: a deterministic id for one process on one boot of one host.
 *
 * Derived from (boot id, pid-namespace inode, pid, start time in clock ticks) as RFC 0030 asks, so
 * the same process gets the same id whether it was seen through /proc, eBPF, a replay or a
 * restarted sessiontop. The id is the base64url form of the first 16 bytes (128 bits) of the
 * SHA-256 of "<bootId>|<pidNsIno>|<pid>|<startTicks>" (22 characters).
 */

import { hash } from 'node:crypto';
import type { HostInfo } from './types.js';

/** Length in characters of every entity id. */
export const ENTITY_ID_LENGTH = 22;

/** base64url digits by value. */
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function entityId(bootId: string, pidNsIno: number, pid: number, startTicks: number): string {
  // The one-shot hash straight to base64url (no Hash object, no Buffer: this runs for every new
  // process). Digits 0–20 of the whole digest's encoding are those of its first 16 bytes; digit
  // 21 there also holds 4 bits of byte 16, which the 16-byte encoding leaves zero.
  const full = hash('sha256', `${bootId}|${pidNsIno}|${pid}|${startTicks}`, 'base64url');
  const id = full.slice(0, 21) + (DIGITS[DIGITS.indexOf(full[21] as string) & 0x30] as string);
  // Read once, so V8 stores the id as one flat string: a slice joined to a digit would otherwise
  // stay a pair of strings holding the whole digest's text, for as long as the process is tracked.
  id.charCodeAt(0);
  return id;
}

/** entityId() for a process of `host`. */
export function hostEntityId(host: HostInfo, pid: number, startTicks: number): string {
  return entityId(host.bootId, host.pidNsIno, pid, startTicks);
}
