/**
 * Shows the startup frame, then loads React and Ink (NODE_ENV is production by now) and runs the
 * UI. With `startEarly` (live) the feed starts meanwhile: the sensor loads while Ink does. Until the
 * UI's own handlers are in place, a signal or an error still gives the terminal back.
 */

import { oneLineMessage } from '../exit-error.js';
import { installExitHandlers } from './exit-handlers.js';
import { FeedRelay } from './feed-relay.js';
import { drawStartupFrame } from './startup-frame.js';
import { safeText } from '../text/terminal-text.js';
import type { RunnableFeed } from './terminal-app.js';

export async function runWithStartupFrame(
  feed: RunnableFeed,
  host: string,
  kernel: string,
  what: string,
  close: () => unknown,
  startEarly = false,
): Promise<number> {
  const guard = drawStartupFrame(process.stdout, process.stdin, host, kernel, what);
  let relay: FeedRelay | undefined;
  if (startEarly) {
    const r = new FeedRelay();
    relay = r;
    feed.start(r).catch((err: unknown) => r.fatal(oneLineMessage(err), 1));
  }
  const early = installExitHandlers({
    onSignal: () => {
      guard.restore();
      void Promise.resolve(close()).finally(() => process.exit(0));
    },
    onFatal: (err) => {
      guard.restore();
      process.stderr.write(`sessiontop: internal error: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
      process.exit(1);
    },
    onExit: () => guard.restore(),
  });
  let runTerminalApp: typeof import('./terminal-app.js').runTerminalApp;
  try {
    ({ runTerminalApp } = await import('./terminal-app.js'));
  } catch (err) {
    early();
    guard.restore();
    await close();
    process.stderr.write(`sessiontop: cannot load the terminal UI: ${safeText(err instanceof Error ? err.message : String(err))}\n`);
    return 1;
  }
  early();
  return runTerminalApp(feed, relay === undefined ? { guard } : { guard, relay });
}
