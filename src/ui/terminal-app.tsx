/**
 * Runs the Ink UI over a feed in the real terminal, and gives the terminal back on every way out.
 * Loaded with a dynamic import by run-live / run-replay, after NODE_ENV is set to production, so
 * React and Ink start in production mode.
 *
 * Order on the way out: `q` / Ctrl-C / a fatal feed error unmount Ink, leave the alternate screen,
 * show the cursor, then stop the sensor and close the recording (flush + fsync). A signal (SIGHUP:
 * the terminal may already be gone) stops the sensor and closes the recording first, then restores
 * the terminal, then exits. An uncaught error restores the terminal and exits 1 with one line.
 */

import { render, type Instance } from 'ink';
import { oneLineMessage } from '../exit-error.js';
import { App } from './components/app.js';
import { installExitHandlers, type StopSignal } from './exit-handlers.js';
import type { FeedRelay } from './feed-relay.js';
import type { FeedListener, ModelFeed } from './model-feed.js';
import { TerminalGuard } from './terminal-guard.js';
import { safeText } from '../text/terminal-text.js';
import { UiStore } from './ui-store.js';

/** A feed the app can start and stop (LiveModelFeed, ReplayModelFeed). */
export interface RunnableFeed extends ModelFeed {
  start(listener: FeedListener): Promise<void>;
  /** Stops the source and closes any recording; returns a problem to report ('' / void when none). */
  close(): Promise<string> | string | void;
}

export interface TerminalAppOptions {
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** The guard of a startup frame already drawn (the alternate screen is entered). */
  guard?: TerminalGuard;
  /** The feed was started already, its events going to this relay: plug the store into it. */
  relay?: FeedRelay;
}

/** How long after the UI ended the process may still linger before it is made to exit. */
const EXIT_GRACE_MS = 2000;

export async function runTerminalApp(feed: RunnableFeed, options: TerminalAppOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const stderr = options.stderr ?? process.stderr;
  const guard = options.guard ?? new TerminalGuard(stdout, stdin);
  let instance: Instance | null = null;
  let finishing = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  const say = (line: string): void => {
    try {
      stderr.write(`sessiontop: ${safeText(line)}\n`);
    } catch {
      // no terminal left to tell
    }
  };
  const closeFeed = async (): Promise<string> => {
    try {
      return (await feed.close()) || '';
    } catch (err) {
      return oneLineMessage(err);
    }
  };
  const ignore = (): void => undefined;

  const finish = async (code: number, message: string, why: 'ui' | 'signal' | 'fatal'): Promise<number> => {
    if (finishing) return done;
    finishing = true;
    store.stop();
    stdout.off('resize', onResize);
    stdout.on('error', ignore);
    stdin.on('error', ignore);
    let problem = '';
    if (why === 'signal') problem = await closeFeed();
    try {
      instance?.unmount();
    } catch {
      // unmounting a tree whose terminal is gone
    }
    guard.restore();
    if (why !== 'signal') problem = await closeFeed();
    uninstall();
    if (message !== '') say(message);
    if (problem !== '') say(problem);
    const status = code === 0 && problem !== '' ? 1 : code;
    resolveDone(status);
    return status;
  };

  const store = new UiStore({
    feed,
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    onQuit: (code, message) => void finish(code, message, code === 0 ? 'ui' : 'fatal'),
  });
  const onResize = (): void => store.resize(stdout.columns || 80, stdout.rows || 24);

  const uninstall = installExitHandlers({
    onSignal: (_signal: StopSignal) => {
      void finish(0, '', 'signal').then((status) => process.exit(status));
    },
    onFatal: (err) => {
      void finish(1, `internal error: ${oneLineMessage(err)}`, 'fatal').then((status) => process.exit(status));
    },
    onExit: () => guard.restore(),
  });

  guard.enter();
  try {
    instance = render(<App store={store} />, {
      stdout,
      stdin,
      stderr,
      exitOnCtrlC: false,
      patchConsole: true,
      maxFps: 30,
      incrementalRendering: false,
      onRender: ({ renderTime }) => store.noteFrameCost(renderTime),
    });
  } catch (err) {
    return finish(1, `cannot start the terminal UI: ${oneLineMessage(err)}`, 'fatal');
  }
  instance.waitUntilExit().catch((err: unknown) => void finish(1, `internal error: ${oneLineMessage(err)}`, 'fatal'));
  stdout.on('resize', onResize);
  store.start();
  if (options.relay !== undefined) options.relay.attach(store.feedListener);
  else feed.start(store.feedListener).catch((err: unknown) => void finish(1, oneLineMessage(err), 'fatal'));

  const status = await done;
  // Whatever still holds the event loop (a sensor thread finishing its load), the command is over.
  setTimeout(() => process.exit(status), EXIT_GRACE_MS).unref();
  return status;
}
