/** The bottom line: a prompt being typed (with why its last submission was refused), else the latest message, else the key hints. */

import type { StatusView } from '../ui-snapshot.js';
import { toneStyle } from './detail-pane.js';
import { fitSegments, SegmentLine, type Segment } from './segment-line.js';
import { cellWidth } from '../../text/terminal-text.js';

export function StatusLine({ status, width, flags }: { status: StatusView; width: number; flags: string }) {
  const right = `${status.search}${status.search !== '' && flags !== '' ? '  ' : ''}${flags}`;
  const left: Segment[] = [];
  if (status.prompt !== null) {
    left.push({ text: status.prompt.label, bold: true, color: 'yellow' }, { text: status.prompt.text }, { text: ' ', inverse: true });
    // a refused submission: why, beside what was typed (the next edit clears it)
    if (status.prompt.error !== '') left.push({ text: `  ${status.prompt.error}`, ...toneStyle('bad') });
  } else if (status.message !== null) {
    left.push({ text: status.message.text, ...toneStyle(status.message.tone) });
  } else {
    left.push({ text: status.hints, dim: true });
  }
  const rightWidth = right === '' ? 0 : cellWidth(right) + 1;
  // the right-hand state (search position, toggles) wins over the end of the hints
  const leftRoom = Math.max(0, width - rightWidth);
  const segs: Segment[] = fitSegments(left, leftRoom);
  let used = 0;
  for (const s of segs) used += cellWidth(s.text);
  if (right !== '') segs.push({ text: ' '.repeat(leftRoom - used) }, { text: ` ${right}`, color: 'yellow' });
  return <SegmentLine segments={segs} width={width} />;
}
