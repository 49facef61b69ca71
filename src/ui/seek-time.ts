/**
 * The time typed at the replay's seek prompt: relative to the position (`+30s`, `-5m`, `+1h`,
 * `-500ms`), a share of the recording (`50%`), or an absolute time as `snapshot --at` reads it
 * (ISO 8601, `@EPOCH_SECONDS`, `HH:MM[:SS]` on the day the recording starts).
 */

import { parseAtTime } from '../text/time-grammar.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface SeekContext {
  position: number;
  start: number;
  end: number;
}

/** ms since the epoch; throws an Error whose message says what forms are accepted. */
export function parseSeekTime(text: string, ctx: SeekContext): number {
  const s = text.trim();
  let m = /^([+-])(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s);
  if (m !== null) {
    const delta = Number(m[2]) * (UNIT_MS[m[3] ?? ''] as number);
    return m[1] === '+' ? ctx.position + delta : ctx.position - delta;
  }
  m = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (m !== null) {
    if (!Number.isFinite(ctx.start) || !Number.isFinite(ctx.end)) throw new Error('the end of this recording is not known yet: seek to a time instead');
    const share = Math.min(100, Number(m[1])) / 100;
    return ctx.start + (ctx.end - ctx.start) * share;
  }
  try {
    return parseAtTime(s, ctx.start);
  } catch {
    throw new Error(`cannot read "${s}" as a time (examples: 12:03:04, +30s, -5m, 50%, 2024-05-01T12:03:04Z, @1714557600)`);
  }
}
