/**
 * `sessiontop replay FILE...`: the entry point the CLI calls. Sets NODE_ENV=production before React
 * and Ink are loaded, opens the recordings before the screen changes (a missing or unreadable file
 * is one line and exit status 2), then runs the UI over them.
 */

import { exitCodeOf, oneLineMessage } from '../exit-error.js';
import { checkReplaySpeed } from '../record/replay-speed.js';
import type { ParsedArgs } from './command-line.js';
import { stringValue } from './option-values.js';
import { safeText } from '../text/terminal-text.js';
import { runWithStartupFrame } from '../ui/startup-run.js';
import type { ReplayOptions } from '../ui/replay-model-feed.js';

export interface ReplayCommandOptions {
  /** Stop at the first bad line (exit status 2). */
  strict?: boolean;
  /** Initial speed, 1 = real time (0.125 to 1024). */
  speed?: number;
}

/** `replay`'s files and options from its parsed arguments (usage errors for bad values). */
export function replayOptionsFromArgs({ values, positionals }: ParsedArgs): { files: string[]; options: ReplayCommandOptions } {
  const options: ReplayCommandOptions = {};
  if (values.strict) options.strict = true;
  const speed = stringValue(values, 'speed');
  if (speed !== undefined) options.speed = checkReplaySpeed(Number(speed));
  return { files: positionals, options };
}

/** Returns the exit status: 0 ok, 2 bad usage or input, 1 other errors. */
export async function runReplay(files: string[], options: ReplayCommandOptions = {}): Promise<number> {
  process.env.NODE_ENV = 'production';
  if (files.includes('-')) {
    process.stderr.write('sessiontop: replay reads its keys from the terminal, so it cannot read a recording from stdin: give a FILE\n');
    return 2;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('sessiontop: replay needs a terminal on stdin and stdout (for a text view: sessiontop snapshot --from FILE)\n');
    return 2;
  }
  const { ReplayModelFeed } = await import('../ui/replay-model-feed.js');
  let feed;
  try {
    const o: ReplayOptions = {};
    if (options.strict !== undefined) o.strict = options.strict;
    if (options.speed !== undefined) o.speed = options.speed;
    feed = new ReplayModelFeed(files, o);
  } catch (err) {
    process.stderr.write(`sessiontop: ${safeText(oneLineMessage(err))}\n`);
    return exitCodeOf(err);
  }
  const replay = feed;
  return runWithStartupFrame(feed, `replay of ${files.length === 1 ? files[0] : `${files.length} recordings`}`, '', 'loading…', () => replay.close());
}
