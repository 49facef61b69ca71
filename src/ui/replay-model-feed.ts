/**
 * The replay feed of the UI: the recording engine's ReplayPlayer (record/replay-player.ts: the
 * models rebuilt from the raw facts, the replay clock, play/pause, speed, steps and seeks) shown
 * through the ModelFeed the store reads; what the header says about bad lines is decided here.
 */

import { ReplayPlayer, type ReplayOptions } from '../record/replay-player.js';
import { safeText } from '../text/terminal-text.js';
import type { FeedHeader, FeedListener, HostModelView, ModelFeed, ReplayControls } from './model-feed.js';

export type { ReplayOptions } from '../record/replay-player.js';

export class ReplayModelFeed implements ModelFeed {
  readonly mode = 'replay' as const;
  readonly live = null;
  readonly replay: ReplayControls;
  private readonly player: ReplayPlayer;

  /** Opens the recordings and reads up to their first event (throws ExitError). */
  constructor(files: readonly string[], options: ReplayOptions = {}) {
    const player = (this.player = new ReplayPlayer(files, options));
    this.replay = {
      togglePlay: () => player.togglePlay(),
      faster: () => player.faster(),
      slower: () => player.slower(),
      stepForward: () => player.stepForward(),
      stepBack: () => player.stepBack(),
      toStart: () => player.toStart(),
      toEnd: () => player.toEnd(),
      seekTo: (text: string) => player.seekTo(text),
    };
  }

  /** Applies the opening snapshot and starts playing (unless paused). */
  async start(listener: FeedListener): Promise<void> {
    await this.player.start(listener);
  }

  /** Advances the replay clock now (tests; the player's timer calls it while playing). */
  tick(): void {
    this.player.tick();
  }

  get firstTime(): number {
    return this.player.firstTime;
  }

  hosts(): readonly HostModelView[] {
    return this.player.views;
  }

  now(): number {
    return this.player.position;
  }

  header(): FeedHeader {
    const p = this.player;
    let notice = '';
    if (p.lastBad !== null) {
      const b = p.lastBad;
      notice = `${p.badLines} bad line${p.badLines === 1 ? '' : 's'} skipped; last: ${safeText(b.file)}:${b.line}: ${safeText(b.reason)}`;
    } else if (p.warning !== '') {
      notice = safeText(p.warning);
    }
    return { source: 'replay', state: 'replay', notice, lost: p.lost(), recording: null, badLines: p.badLines, replay: p.state() };
  }

  close(): void {
    this.player.close();
  }
}
