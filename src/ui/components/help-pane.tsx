/** The `?` help screen. */

import { Box } from 'ink';
import type { PaneView } from '../ui-snapshot.js';
import { SegmentLine } from './segment-line.js';

export function HelpPane({ pane, width }: { pane: PaneView<string>; width: number }) {
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <SegmentLine segments={[{ text: ` ${pane.title}`, bold: true }]} width={width} inverse />
      {pane.rows.map((l, i) => (
        <SegmentLine key={i} segments={[{ text: l }]} width={width} />
      ))}
    </Box>
  );
}
