/** The detail panel (Enter): every field of a process and of its leaders, scrollable. */

import { Box } from 'ink';
import type { DetailLine, PaneView, Tone } from '../ui-snapshot.js';
import { SegmentLine, type Segment } from './segment-line.js';

export function toneStyle(tone: Tone): Omit<Segment, 'text'> {
  switch (tone) {
    case 'bad':
      return { color: 'red', bold: true };
    case 'good':
      return { color: 'green' };
    case 'dim':
      return { dim: true };
    case 'entered':
      return { color: 'cyan', bold: true };
    case 'typed':
      return { color: 'magenta' };
    case 'warn':
      return { color: 'yellow' };
    default:
      return {};
  }
}

const LABEL_WIDTH = 24;

export function DetailPane({ pane, width }: { pane: PaneView<DetailLine>; width: number }) {
  const more = pane.total > pane.height ? `  lines ${pane.first + 1}–${Math.min(pane.total, pane.first + pane.height)} of ${pane.total} (↑↓ PgUp PgDn)` : '';
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <SegmentLine segments={[{ text: ` ${pane.title}${more}`, bold: true }]} width={width} inverse />
      {pane.rows.map((l, i) =>
        l.kind === 'section' ? (
          <SegmentLine key={i} segments={[{ text: `── ${l.label}`, bold: true, color: 'blue' }]} width={width} />
        ) : l.kind === 'text' ? (
          <SegmentLine key={i} segments={[{ text: `  ${l.value}`, ...toneStyle(l.tone) }]} width={width} />
        ) : (
          <SegmentLine key={i} segments={[{ text: `  ${l.label.padEnd(LABEL_WIDTH)} `, dim: true }, { text: l.value, ...toneStyle(l.tone) }]} width={width} />
        ),
      )}
    </Box>
  );
}
