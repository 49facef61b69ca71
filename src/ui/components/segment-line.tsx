/**
 * One terminal row made of styled segments, cut to at most `width` cells (never wraps). Only an
 * inverse (selected) row is padded to the whole width: trailing blanks cost Ink's per-character
 * output pipeline and the frame is redrawn whole anyway. Segment text must already be escaped.
 */

import { Text } from 'ink';
import { cellWidth, fitText } from '../../text/terminal-text.js';

export interface Segment {
  text: string;
  color?: string;
  backgroundColor?: string;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

/** Segments cut so their total width is at most `width` (the cut one ends with …). */
export function fitSegments(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    if (left <= 0) break;
    const w = cellWidth(s.text);
    if (w <= left) {
      out.push(s);
      left -= w;
    } else {
      out.push({ ...s, text: fitText(s.text, left, false) });
      left = 0;
    }
  }
  return out;
}

export function SegmentLine({ segments, width, inverse = false }: { segments: readonly Segment[]; width: number; inverse?: boolean }) {
  const fitted = fitSegments(segments, width);
  let used = 0;
  for (const s of fitted) used += cellWidth(s.text);
  return (
    <Text wrap="truncate" inverse={inverse}>
      {fitted.map((s, i) => (
        <Text
          key={i}
          {...(s.color !== undefined ? { color: s.color } : {})}
          {...(s.backgroundColor !== undefined ? { backgroundColor: s.backgroundColor } : {})}
          bold={s.bold ?? false}
          dimColor={s.dim ?? false}
          underline={s.underline ?? false}
          inverse={s.inverse ?? false}
        >
          {s.text}
        </Text>
      ))}
      {inverse && used < width ? ' '.repeat(width - used) : ''}
    </Text>
  );
}
