/**
 * `sessiontop replay FILE...`: the entry point the CLI calls. Sets NODE_ENV=production before React
 * and Ink are loaded, opens the recordings before the screen changes (a missing or unreadable file
 * is one line and exit status 2), then runs the UI over them.
 */

import { exitCodeOf, oneLineMessage } from '../record/recording-error.js';
import { safeText } from './terminal-text.js';
import { runWithStartupFrame } from './startup-run.js';
import type { ReplayOptions } from './replay-model-feed.js';

export interface ReplayCommandOptions {
  /** Stop at the first bad line (exit status 2). */
  strict?: boolean;
  /** Initial speed, 1 = real time (0.125 to 1024). */
  speed?: number;
  /** How long ended processes stay in view, ms. */
  retentionMs?: number;
}

/** Returns the exit status: 0 ok, 2 bad usage or input, 1 other errors. */
export async function runReplay(files: string[], options: ReplayCommandOptions = {}): Promise<number> {
  process.env.NODE_ENV = 'production';
  if (files.length === 0) {
    process.stderr.write('sessiontop: replay needs at least one recording FILE (see sessiontop --help)\n');
    return 2;
  }
  if (files.includes('-')) {
    process.stderr.write('sessiontop: replay reads its keys from the terminal, so it cannot read a recording from stdin: give a FILE\n');
    return 2;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('sessiontop: replay needs a terminal on stdin and stdout (for a text view: sessiontop snapshot --from FILE)\n');
    return 2;
  }
  const { ReplayModelFeed } = await import('./replay-model-feed.js');
  let feed;
  try {
    const o: ReplayOptions = {};
    if (options.strict !== undefined) o.strict = options.strict;
    if (options.speed !== undefined) o.speed = options.speed;
    if (options.retentionMs !== undefined) o.retentionMs = options.retentionMs;
    feed = new ReplayModelFeed(files, o);
  } catch (err) {
    process.stderr.write(`sessiontop: ${safeText(oneLineMessage(err))}\n`);
    return exitCodeOf(err);
  }
  const replay = feed;
  return runWithStartupFrame(feed, `replay of ${files.length === 1 ? files[0] : `${files.length} recordings`}`, '', 'loading…', () => replay.close());
}
