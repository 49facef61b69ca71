/**
 * Text from processes made safe and measurable for the administrator's terminal.
 *
 * `safeText` escapes everything that could act on a terminal or hide text (see escapeControl: C0,
 * DEL, C1, bidi and invisible formatting characters, and the U+DC80–U+DCFF stand-ins for bytes
 * that are not UTF-8, shown as `\xNN`), the same escaping `snapshot` uses.
 *
 * `cellWidth` / `fitText` measure and cut text in terminal cells (wide East Asian characters and
 * emoji take two, combining marks none), so rows never wrap.
 */

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

/** Cells one code point takes in a terminal. */
export function codePointWidth(cp: number): number {
  if (cp < 0x300) return 1; // ASCII and Latin (controls were escaped before)
  if (cp <= 0x36f) return 0; // combining diacritics
  if ((cp >= 0x1ab0 && cp <= 0x1aff) || (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff)) return 0;
  if (cp >= 0xfe00 && cp <= 0xfe0f) return 0; // variation selectors
  if (cp >= 0xfe20 && cp <= 0xfe2f) return 0;
  if (cp === 0x200d) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Width of `s` in terminal cells. */
export function cellWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i) as number;
    if (cp > 0xffff) i++;
    w += codePointWidth(cp);
  }
  return w;
}

/**
 * `s` cut to at most `width` cells (an ellipsis marks the cut), padded with spaces to exactly
 * `width` unless `pad` is false. `alignRight` pads on the left.
 */
export function fitText(s: string, width: number, pad = true, alignRight = false): string {
  if (width <= 0) return '';
  let w = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
    } else {
      const cp = s.codePointAt(i) as number;
      const cw = codePointWidth(cp);
      w += cw;
      if (cp > 0xffff) i++;
    }
    if (w > width) break;
  }
  let out: string;
  if (i >= s.length && w <= width) {
    out = s;
  } else {
    // cut so that the text plus '…' fits
    out = cutToWidth(s, width - 1) + '…';
    w = cellWidth(out);
  }
  if (!pad || w >= width) return out;
  const fill = ' '.repeat(width - w);
  return alignRight ? fill + out : out + fill;
}

function cutToWidth(s: string, width: number): string {
  let w = 0;
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i) as number;
    const cw = cp < 0x300 ? 1 : codePointWidth(cp);
    if (w + cw > width) break;
    w += cw;
    i += cp > 0xffff ? 2 : 1;
  }
  return s.slice(0, i);
}
