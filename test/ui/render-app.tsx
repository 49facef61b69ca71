/** Renders the real App over a scripted host with ink-testing-library, and drives it with keys. */

import { render } from 'ink-testing-library';
import { App } from '../../src/ui/components/app.js';
import { UiStore } from '../../src/ui/ui-store.js';
import { buildScenario, FixtureFeed, FixtureHost } from './ui-fixture.js';

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageUp: '\x1b[5~',
  pageDown: '\x1b[6~',
  home: '\x1b[H',
  end: '\x1b[F',
  tab: '\t',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
};

export const settle = (ms = 15): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface AppHarness {
  f: FixtureHost;
  feed: FixtureFeed;
  store: UiStore;
  quits: { code: number; message: string }[];
  frame(): string;
  lines(): string[];
  press(...keys: string[]): Promise<string>;
  close(): void;
}

export async function renderApp(options: { mode?: 'live' | 'replay'; cols?: number; rows?: number; scenario?: boolean; recordingDir?: string } = {}): Promise<AppHarness> {
  const f = new FixtureHost();
  const feed = new FixtureFeed(f, options.mode ?? 'live');
  const quits: { code: number; message: string }[] = [];
  const store = new UiStore({
    feed,
    cols: options.cols ?? 100,
    rows: options.rows ?? 30,
    onQuit: (code, message) => quits.push({ code, message }),
    recordingDir: options.recordingDir ?? '/var/tmp',
  });
  f.listener = store.feedListener;
  if (options.scenario ?? true) buildScenario(f);
  store.flush();
  const r = render(<App store={store} />);
  await settle();
  const frame = (): string => r.lastFrame() ?? '';
  return {
    f,
    feed,
    store,
    quits,
    frame,
    lines: () => frame().split('\n'),
    async press(...keys: string[]) {
      if (keys.length === 0) await settle();
      for (const k of keys) {
        r.stdin.write(k);
        await settle(k === KEY.escape ? 30 : 10);
      }
      return frame();
    },
    close() {
      r.unmount();
      store.stop();
    },
  };
}

/** The line of the frame that contains `text` (throws when none). */
export function lineWith(frame: string, text: string): string {
  const l = frame.split('\n').find((x) => x.includes(text));
  if (l === undefined) throw new Error(`no line with ${JSON.stringify(text)} in:\n${frame}`);
  return l;
}
