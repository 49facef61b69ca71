/**
 * `sessiontop` (live): the entry point the CLI calls. Sets NODE_ENV=production before React and Ink
 * are loaded (dynamic import), checks it has a terminal, opens `--record` before the screen changes
 * (so a refused file is one line and exit status 2), then runs the UI until `q` or a signal.
 */

import { exitCodeOf, oneLineMessage } from '../exit-error.js';
import { safeText } from '../text/terminal-text.js';
import { runWithStartupFrame } from '../ui/startup-run.js';
import type { LiveOptions } from '../ui/live-model-feed.js';

export type { LiveOptions } from '../ui/live-model-feed.js';

const SOURCES = ['auto', 'bpf', 'procfs'];

/** Returns the exit status: 0 ok, 2 bad usage or input, 1 other errors. */
export async function runLive(options: LiveOptions): Promise<number> {
  process.env.NODE_ENV = 'production';
  if (!SOURCES.includes(options.source)) {
    process.stderr.write(`sessiontop: --source must be one of auto, bpf, procfs (got "${String(options.source)}") (see sessiontop --help)\n`);
    return 2;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    process.stderr.write('sessiontop: the live view needs a terminal on stdin and stdout (for a headless recording: sessiontop record -o FILE)\n');
    return 2;
  }
  const { LiveModelFeed } = await import('../ui/live-model-feed.js');
  let feed;
  try {
    feed = new LiveModelFeed(options);
  } catch (err) {
    process.stderr.write(`sessiontop: ${safeText(oneLineMessage(err))}\n`);
    return exitCodeOf(err);
  }
  const source = options.source === 'procfs' ? '/proc polling starting…' : 'eBPF starting…';
  const live = feed;
  return runWithStartupFrame(feed, feed.host.name, feed.host.kernel, source, () => live.close(), true);
}
