/**
 * The replay's speeds: the steps `+`/`-` move through and the one bound `--speed` is checked
 * against (1 = real time).
 */

import { usageError } from '../exit-error.js';

export const REPLAY_SPEEDS: readonly number[] = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
export const MIN_REPLAY_SPEED = REPLAY_SPEEDS[0] as number;
export const MAX_REPLAY_SPEED = REPLAY_SPEEDS[REPLAY_SPEEDS.length - 1] as number;

/** `--speed X`: a number from MIN_REPLAY_SPEED to MAX_REPLAY_SPEED (usage error otherwise). */
export function checkReplaySpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < MIN_REPLAY_SPEED || speed > MAX_REPLAY_SPEED) {
    throw usageError(`--speed must be a number from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED} (1 = real time)`);
  }
  return speed;
}

/** The index in REPLAY_SPEEDS nearest to `speed` (on a log scale). */
export function nearestSpeedIndex(speed: number): number {
  let best = 0;
  for (let i = 1; i < REPLAY_SPEEDS.length; i++) {
    if (Math.abs(Math.log(REPLAY_SPEEDS[i] as number) - Math.log(speed)) < Math.abs(Math.log(REPLAY_SPEEDS[best] as number) - Math.log(speed))) best = i;
  }
  return best;
}
