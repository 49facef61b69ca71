/** The selected session's process tree (windowed by the store). */

import { Box } from 'ink';
import { signalName } from '../signal-names.js';
import { cellWidth, fitText } from '../../text/terminal-text.js';
import { clockTimeMs, duration, runningTime } from '../time-format.js';
import type { PaneView, TreeRowView } from '../ui-snapshot.js';
import { SegmentLine, type Segment } from './segment-line.js';

/** How a process row ends: how it exited (red unless exit 0) and how long it ran, or how long it has run. */
export function processStatus(r: TreeRowView, now: number): Segment | null {
  if (r.kind !== 'process') return null;
  if (!r.exited) return { text: `(${runningTime(now - r.start)})`, dim: true };
  const lasted = duration(r.end - r.start);
  if (r.signal !== 0) return { text: `(${signalName(r.signal)}${r.coreDumped ? ' core' : ''}, ${lasted})`, color: 'red', bold: true };
  if (r.exitCode !== 0) return { text: `(exit ${r.exitCode}, ${lasted})`, color: 'red', bold: true };
  return { text: `(exit 0, ${lasted})`, dim: true };
}

function rowSegments(r: TreeRowView, width: number, now: number, timestamps: boolean, marker: string): Segment[] {
  const segs: Segment[] = [{ text: marker }];
  if (timestamps) segs.push({ text: `${clockTimeMs(r.time)} `, dim: true });
  segs.push({ text: r.prefix, dim: true });
  if (r.kind === 'subhead') {
    segs.push({ text: `${r.text} ──`, color: 'blue', bold: true });
    return segs;
  }
  if (r.kind === 'typed') {
    segs.push({ text: '» ', color: 'magenta', bold: true }, { text: r.text, color: 'magenta' });
    return segs;
  }
  segs.push({ text: `${r.pid} `, dim: true });
  const status = processStatus(r, now);
  const statusText = status === null ? '' : `  ${status.text}`;
  let used = 0;
  for (const s of segs) used += cellWidth(s.text);
  const room = Math.max(4, width - used - cellWidth(statusText));
  const fitted = fitText(r.userEntered ? `▸ ${r.text}` : r.text, room, false);
  const style: Segment = r.userEntered
    ? { text: fitted, color: 'cyan', bold: true }
    : r.noise
      ? { text: fitted, dim: true, color: 'gray' }
      : r.exited
        ? { text: fitted, dim: true }
        : { text: fitted };
  if (r.match) {
    style.backgroundColor = 'yellow';
    style.color = 'black';
  }
  segs.push(style);
  if (status !== null) segs.push({ ...status, text: `  ${status.text}` });
  return segs;
}

export function TreePane({ pane, width, now, timestamps }: { pane: PaneView<TreeRowView> & { hidden: number; empty: string }; width: number; now: number; timestamps: boolean }) {
  const pos = pane.total === 0 ? '' : `  ${pane.cursor + 1}/${pane.total}`;
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <SegmentLine segments={[{ text: ` ${pane.title}${pos}`, bold: true }]} width={width} inverse={pane.focused} />
      {pane.rows.length === 0 ? <SegmentLine segments={[{ text: `  ${pane.empty}`, dim: true }]} width={width} /> : null}
      {pane.rows.map((r, i) => {
        const selected = pane.first + i === pane.cursor;
        return <SegmentLine key={r.key} segments={rowSegments(r, width, now, timestamps, selected && !pane.focused ? '›' : ' ')} width={width} inverse={selected && pane.focused} />;
      })}
    </Box>
  );
}
