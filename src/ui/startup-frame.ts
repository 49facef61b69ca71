/**
 * The frame drawn before React and Ink are loaded (loading them takes most of a second on a busy
 * host): the alternate screen with the header — host, kernel, what is starting — so the
 * administrator sees sessiontop at once. Ink's first frame then draws over it from the top.
 */

import { TerminalGuard } from './terminal-guard.js';
import { safeText } from '../text/terminal-text.js';

const BOLD = '\x1b[1m';
const CYAN = '\x1b[36m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Enters the alternate screen and draws the startup header; returns the guard that restores it. */
export function drawStartupFrame(out: NodeJS.WriteStream, input: NodeJS.ReadStream, host: string, kernel: string, what: string): TerminalGuard {
  const guard = new TerminalGuard(out, input);
  guard.enter();
  // keys pressed while the UI loads wait in the tty, unechoed, for Ink to read them
  try {
    if (input.isTTY) input.setRawMode(true);
  } catch {
    // not a terminal after all: Ink reports it
  }
  const line1 = `${BOLD}${CYAN}sessiontop ${RESET}${BOLD}${safeText(host)}${RESET}${kernel === '' ? '' : `${DIM}  kernel ${safeText(kernel)}${RESET}`}  ${safeText(what)}`;
  const line2 = `${DIM}loading the interface…${RESET}`;
  guard.writeRaw(`${line1}\r\n${line2}\x1b[H`);
  return guard;
}
