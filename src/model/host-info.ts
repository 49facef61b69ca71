/**
 * HostInfo of the machine sessiontop runs on: host name, boot id, pid-namespace inode, kernel
 * release and the wall-clock boot time (for turning clock ticks since boot into wall time).
 */

import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { hostname, release } from 'node:os';
import type { HostInfo } from './types.js';

/** Clock ticks per second of /proc (USER_HZ; 100 on every Linux architecture sessiontop targets). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Reads the local host's HostInfo from /proc. Throws only if /proc is not mounted. */
export function readHostInfo(): HostInfo {
  return {
    name: hostname(),
    bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    pidNsIno: readPidNsIno('/proc/self/ns/pid'),
    kernel: release(),
    bootTimeMs: readBootTimeMs(),
  };
}

/** Inode of a namespace link such as /proc/self/ns/pid (stat of the nsfs file, else `pid:[N]`). */
export function readPidNsIno(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    const m = /\[(\d+)\]/.exec(readlinkSync(path));
    if (!m) throw new Error(`cannot read the pid namespace inode from ${path}`);
    return Number(m[1]);
  }
}

/** Wall clock at boot, ms since the epoch: now − /proc/uptime. */
export function readBootTimeMs(): number {
  const uptime = readFileSync('/proc/uptime', 'utf8');
  const seconds = Number.parseFloat(uptime);
  if (!Number.isFinite(seconds)) throw new Error(`cannot parse /proc/uptime: ${JSON.stringify(uptime)}`);
  return Date.now() - seconds * 1000;
}

/** Wall-clock ms of a start time given in clock ticks since boot. */
export function ticksToWallMs(host: HostInfo, startTicks: number): number {
  return host.bootTimeMs + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
}
