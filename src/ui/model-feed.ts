/**
 * What the UI store reads its data from: one or more host models (one live; one per recorded host
 * in a replay), the feed's clock and the state of its source. Live and replay feeds implement it;
 * the store and the views know nothing else about where events come from.
 */

import type { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode } from '../model/types.js';
import type { ReplayState } from '../record/replay-player.js';
import type { NameLookup } from '../text/user-names.js';

export interface HostModelView {
  readonly host: HostInfo;
  readonly table: ProcessTable;
  /** uid → name (live: /etc/passwd; replay: the names the recording carried). */
  readonly names: NameLookup;
}

/** The store's side of a feed: told about every applied event, resets and fatal errors. */
export interface FeedListener {
  /** One event was applied; `node` is what ProcessTable.apply returned. */
  event(node: ProcessNode | null, time: number): void;
  /** The models were replaced (a replay rebuilt them to seek backwards). */
  reset(): void;
  /** The models or what the header shows changed without an event to count (backfill, source state, replay position). */
  changed(): void;
  /** The feed cannot go on: the UI quits with this exit status and one-line message. */
  fatal(message: string, exitCode: number): void;
}

export type SourceState = 'starting' | 'live' | 'degraded' | 'replay' | 'stopped';

/** Where a replay is (the player's state). */
export type ReplayPosition = ReplayState;

export interface FeedHeader {
  /** `eBPF`, `/proc polling`, `replay`. */
  source: string;
  state: SourceState;
  /** One line about a degraded or failing source ('' when none). */
  notice: string;
  lost: number;
  recording: { path: string; bytes: number } | null;
  /** Replay: lines of the recordings that could not be read. */
  badLines: number;
  replay: ReplayPosition | null;
}

export interface LiveControls {
  /** Starts recording every event to `path` (a new file, 0600). Throws ExitError. */
  startRecording(path: string): void;
  /** Stops (flush, fsync, close); returns what was written, null when not recording. */
  stopRecording(): { path: string; bytes: number } | null;
  readonly recording: boolean;
}

export interface ReplayControls {
  togglePlay(): void;
  faster(): void;
  slower(): void;
  stepForward(): void;
  stepBack(): void;
  toStart(): void;
  toEnd(): void;
  /** Seeks to a time the user typed; throws an Error with a one-line message when it cannot read it. */
  seekTo(text: string): void;
}

export interface ModelFeed {
  readonly mode: 'live' | 'replay';
  hosts(): readonly HostModelView[];
  /** The feed's present: wall clock live, the replay position in a replay. */
  now(): number;
  header(): FeedHeader;
  readonly live: LiveControls | null;
  readonly replay: ReplayControls | null;
}
