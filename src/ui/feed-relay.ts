/**
 * A FeedListener that can exist before the store does: the live feed starts (the eBPF programs load
 * on a worker thread, the /proc backfill runs) while React and Ink are still loading, and the store
 * plugs in when it is ready. The model is fed either way; what the relay holds back until then is
 * only the UI's side (activity counts of those first events, a fatal error to report).
 */

import type { ProcessNode } from '../model/types.js';
import type { FeedListener } from './model-feed.js';

export class FeedRelay implements FeedListener {
  private target: FeedListener | null = null;
  private pendingFatal: { message: string; exitCode: number } | null = null;

  /** Sends everything from now on to `listener` (a fatal error already seen is delivered at once). */
  attach(listener: FeedListener): void {
    this.target = listener;
    listener.changed();
    const f = this.pendingFatal;
    this.pendingFatal = null;
    if (f !== null) listener.fatal(f.message, f.exitCode);
  }

  event(node: ProcessNode | null, time: number): void {
    this.target?.event(node, time);
  }

  reset(): void {
    this.target?.reset();
  }

  changed(): void {
    this.target?.changed();
  }

  fatal(message: string, exitCode: number): void {
    if (this.target !== null) this.target.fatal(message, exitCode);
    else this.pendingFatal ??= { message, exitCode };
  }
}
