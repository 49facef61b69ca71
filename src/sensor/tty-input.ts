/**
 * When a terminal last saw input, as `w` reads it: the access time of the tty device (reading
 * from a tty updates its atime; output only its mtime). Host reads only: nothing here is written.
 */

import { statSync } from 'node:fs';
import { devMajor, devMinor } from './process-event.js';

/** The device path of a tty dev_t: /dev/pts/N, /dev/ttyN, /dev/ttySN; '' for others. */
export function ttyDevicePath(tty: number, devRoot = '/dev'): string {
  const major = devMajor(tty);
  const minor = devMinor(tty);
  if (major >= 136 && major <= 143) return `${devRoot}/pts/${(major - 136) * 256 + minor}`;
  if (major === 4 && minor < 64) return `${devRoot}/tty${minor}`;
  if (major === 4) return `${devRoot}/ttyS${minor - 64}`;
  return '';
}

/** Time (ms) of the last input on `tty`, NaN when it cannot be read. */
export function ttyLastInput(tty: number, devRoot = '/dev'): number {
  const path = ttyDevicePath(tty, devRoot);
  if (path === '') return Number.NaN;
  try {
    return statSync(path).atimeMs;
  } catch {
    return Number.NaN;
  }
}
