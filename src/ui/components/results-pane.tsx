/** The search's result list (`w`): who typed or ran what, where and when; Enter goes there. */

import { Box } from 'ink';
import { fitText } from '../../text/terminal-text.js';
import type { PaneView, ResultRowView } from '../ui-snapshot.js';
import { SegmentLine, type Segment } from './segment-line.js';

function rowSegments(r: ResultRowView, width: number): Segment[] {
  const head = `${r.time} ${fitText(r.user, 10)} ${fitText(r.tty, 7)} ${fitText(r.where, width >= 100 ? 22 : 12)} `;
  const mark = r.kind === 'typed' ? '» ' : r.kind === 'entered' ? '▸ ' : '  ';
  const style: Omit<Segment, 'text'> = r.kind === 'typed' ? { color: 'magenta' } : r.kind === 'entered' ? { color: 'cyan', bold: true } : {};
  return [{ text: ` ${head}`, dim: true }, { text: `${mark}${r.text}`, ...style }, { text: `   ${r.detail}`, dim: true }];
}

export function ResultsPane({ pane, width }: { pane: PaneView<ResultRowView>; width: number }) {
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <SegmentLine segments={[{ text: ` ${pane.title}`, bold: true }]} width={width} inverse />
      {pane.rows.map((r, i) => (
        <SegmentLine key={r.key} segments={rowSegments(r, width)} width={width} inverse={pane.first + i === pane.cursor} />
      ))}
    </Box>
  );
}
