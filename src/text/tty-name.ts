/** Controlling-terminal names as `ps` and `w` print them, from a dev_t (makeDev encoding). */

import { devMajor, devMinor } from '../sensor/process-event.js';

export function ttyName(tty: number): string {
  if (tty === 0) return '?';
  const major = devMajor(tty);
  const minor = devMinor(tty);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  return `${major},${minor}`;
}
