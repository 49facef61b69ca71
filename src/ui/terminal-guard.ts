/**
 * The administrator's terminal, entered and given back: the alternate screen (so the shell's
 * screen comes back untouched), the cursor hidden while the UI runs and shown again, raw mode off.
 * Restoring is synchronous and idempotent, so it is safe from signal handlers, `exit` and after
 * the terminal went away (SIGHUP: writes fail, and are ignored).
 */

import { writeSync } from 'node:fs';

export const ENTER_ALT_SCREEN = '\x1b[?1049h';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const HIDE_CURSOR = '\x1b[?25l';
export const SHOW_CURSOR = '\x1b[?25h';
const HOME_AND_CLEAR = '\x1b[H\x1b[2J';
const RESET_ATTRIBUTES = '\x1b[0m';

export class TerminalGuard {
  private active = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {}

  get entered(): boolean {
    return this.active;
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    this.write(ENTER_ALT_SCREEN + HOME_AND_CLEAR + HIDE_CURSOR);
  }

  /** Leaves the alternate screen and shows the cursor (no-op when not entered). */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    try {
      if (this.input.isTTY) this.input.setRawMode(false);
    } catch {
      // stdin may be gone (SIGHUP)
    }
    this.write(RESET_ATTRIBUTES + LEAVE_ALT_SCREEN + SHOW_CURSOR);
  }

  /** Writes to the terminal while the UI owns it (the startup frame). */
  writeRaw(s: string): void {
    if (this.active) this.write(s);
  }

  private write(s: string): void {
    try {
      const fd = (this.out as { fd?: number }).fd;
      if (typeof fd === 'number') writeSync(fd, s);
      else this.out.write(s);
    } catch {
      // the terminal is gone: nothing to restore on it
    }
  }
}
