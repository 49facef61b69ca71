/**
 * The terminal pane (`O`): the selected session's screen as its emulator holds it, live or at the
 * replay cursor. Draws cells already escaped by TerminalScreen (never the captured bytes).
 */

import { Box } from 'ink';
import type { TerminalPaneView } from '../ui-snapshot.js';
import { SegmentLine } from './segment-line.js';

export function TerminalPane({ pane, width }: { pane: TerminalPaneView; width: number }) {
  return (
    <Box flexDirection="column" height={pane.height + 2}>
      <SegmentLine segments={[{ text: ` ${pane.title}`, bold: true }]} width={width} inverse />
      <SegmentLine segments={[{ text: ` ${pane.subtitle}`, dim: true }]} width={width} />
      {pane.rows.length === 0 ? (
        <SegmentLine segments={[{ text: `  ${pane.empty}`, dim: true }]} width={width} />
      ) : (
        pane.rows.map((row, i) => <SegmentLine key={i} segments={row} width={width} />)
      )}
    </Box>
  );
}
