/**
 * Text from processes made safe and measurable for the administrator's terminal.
 *
 * `safeText` escapes everything that could act on a terminal or hide text (see escapeControl: C0,
 * DEL, C1, bidi and invisible formatting characters, and the U+DC80–U+DCFF stand-ins for bytes
 * that are not UTF-8, shown as `\xNN`), the same escaping `snapshot` uses.
 *
 * `cellWidth` / `fitText` measure and cut text in terminal cells with string-width, the width table
 * Ink lays out with (wide East Asian characters and emoji take two, combining marks none), so
 * every row is clamped to the terminal's width and never wraps.
 */

import stringWidth from 'string-width';
import { escapeControl } from './escape-control.js';

/** `s` with every control, invisible or undecodable character shown as a visible escape. */
export function safeText(s: string): string {
  return escapeControl(s);
}

/** A process's command line for display: argv joined by spaces (escaped), else its name. */
export function commandText(args: readonly string[], name: string, truncated: boolean): string {
  let out = args.length === 0 ? `[${safeText(name)}]` : safeText(args.join(' '));
  if (truncated) out += ' …';
  return out;
}

/** Printable ASCII: one cell per character, the common case. */
const NARROW = /^[\x20-\x7e]*$/;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Width of `s` in terminal cells (string-width: the table Ink itself lays rows out with). */
export function cellWidth(s: string): number {
  return NARROW.test(s) ? s.length : stringWidth(s);
}

/**
 * `s` cut to at most `width` cells (an ellipsis marks the cut), padded with spaces to exactly
 * `width` unless `pad` is false. `alignRight` pads on the left. Cuts fall between graphemes, so a
 * wide character or an emoji sequence is never split.
 */
export function fitText(s: string, width: number, pad = true, alignRight = false): string {
  if (width <= 0) return '';
  let out = s;
  let w = cellWidth(s);
  if (w > width) {
    out = cutToWidth(s, width - 1);
    w = cellWidth(out);
    out += '…';
    w += 1;
  }
  if (!pad || w >= width) return out;
  const fill = ' '.repeat(width - w);
  return alignRight ? fill + out : out + fill;
}

function cutToWidth(s: string, width: number): string {
  if (NARROW.test(s)) return s.slice(0, Math.max(0, width));
  let w = 0;
  let out = '';
  for (const { segment } of graphemes.segment(s)) {
    const cw = stringWidth(segment);
    if (w + cw > width) break;
    w += cw;
    out += segment;
  }
  return out;
}
