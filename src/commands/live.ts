/**
 * `sessiontop` (live): the entry point the CLI calls. Sets NODE_ENV=production before React and Ink
 * are loaded (dynamic import), checks it has a terminal, opens `--record` before the screen changes
 * (so a refused file is one line and exit status 2), then runs the UI until `q` or a signal.
 */

import { exitCodeOf, oneLineMessage, usageError } from '../exit-error.js';
import type { ParsedArgs } from './command-line.js';
import { sensorOptionValues, sourceChoice, stringValue } from './option-values.js';
import { safeText } from '../text/terminal-text.js';
import { runWithStartupFrame } from '../ui/startup-run.js';
import type { LiveOptions } from '../ui/live-model-feed.js';

export type { LiveOptions } from '../ui/live-model-feed.js';

/** The live view's options from its parsed arguments (usage errors for bad values). */
export function liveOptionsFromArgs({ values }: ParsedArgs): LiveOptions {
  const record = stringValue(values, 'record');
  if (values.force && record === undefined) throw usageError('--force goes with --record FILE');
  const { debug: _debug, ...sensor } = sensorOptionValues(values); // the live view keeps libbpf quiet (it owns the screen)
  const options: LiveOptions = { source: sourceChoice(values.source), ...sensor };
  if (record !== undefined) options.record = record;
  if (values.force) options.forceRecord = true;
  return options;
}

/** Returns the exit status: 0 ok, 2 bad usage or input, 1 other errors. */
export async function runLive(options: LiveOptions): Promise<number> {
  process.env.NODE_ENV = 'production';
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
