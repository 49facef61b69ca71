/**
 * `sessiontop` (live): the entry point the CLI calls. Sets NODE_ENV=production before React and Ink
 * are loaded (dynamic import), checks it has a terminal, opens `--record` before the screen changes
 * (so a refused file is one line and exit status 2), then runs the UI until `q` or a signal.
 */

import { exitCodeOf, oneLineMessage } from '../record/recording-error.js';
import { safeText } from './terminal-text.js';
import { runWithStartupFrame } from './startup-run.js';
import type { LiveOptions } from './live-model-feed.js';

export type { LiveOptions } from './live-model-feed.js';

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
  if (options.ssh !== undefined && options.record !== undefined) {
    process.stderr.write('sessiontop: --record records this host only; for every host in one file use sessiontop record --ssh DEST -o FILE (see sessiontop --help)\n');
    return 2;
  }
  const { LiveModelFeed } = await import('./live-model-feed.js');
  let feed;
  try {
    feed = options.ssh !== undefined && options.local === false ? null : new LiveModelFeed(options);
  } catch (err) {
    process.stderr.write(`sessiontop: ${safeText(oneLineMessage(err))}\n`);
    return exitCodeOf(err);
  }
  const source = options.source === 'procfs' ? '/proc polling starting…' : 'eBPF starting…';
  if (options.ssh !== undefined) {
    const { MultiHostFeed } = await import('./multi-host-feed.js');
    const multi = new MultiHostFeed(feed, options.ssh);
    const what = `${feed !== null ? `${source} ` : ''}connecting to ${options.ssh.destinations.length} host${options.ssh.destinations.length === 1 ? '' : 's'} over ssh…`;
    return runWithStartupFrame(multi, multi.hostName, feed?.host.kernel ?? '', what, () => multi.close(), true);
  }
  const live = feed as InstanceType<typeof LiveModelFeed>;
  return runWithStartupFrame(live, live.host.name, live.host.kernel, source, () => live.close(), true);
}
