/** The two header lines: host, kernel, source and its state, events/s, lost, recording; counts. */

import { Box } from 'ink';
import { compactCount, byteSize, groupedCount } from '../number-format.js';
import { dateTimeMs, clockTime } from '../time-format.js';
import type { HeaderView } from '../ui-snapshot.js';
import { SegmentLine, type Segment } from './segment-line.js';
import { cellWidth } from '../../text/terminal-text.js';

function sourceSegment(h: HeaderView): Segment {
  switch (h.state) {
    case 'live':
      return { text: ` ${h.source} `, color: 'black', backgroundColor: 'green' };
    case 'degraded':
      return { text: ` ${h.source} (degraded) `, color: 'black', backgroundColor: 'yellow' };
    case 'starting':
      return { text: ` ${h.source} starting… `, color: 'black', backgroundColor: 'cyan' };
    case 'stopped':
      return { text: ` ${h.source} stopped `, color: 'white', backgroundColor: 'red' };
    default:
      return { text: ` replay `, color: 'black', backgroundColor: 'magenta' };
  }
}

function speedText(speed: number): string {
  return speed >= 1 ? `${speed}×` : `1/${Math.round(1 / speed)}×`;
}

export function HeaderBar({ header: h, width, now }: { header: HeaderView; width: number; now: number }) {
  const head: Segment[] = [{ text: 'sessiontop ', bold: true, color: 'cyan' }, { text: h.host, bold: true }];
  const rest: Segment[] = [{ text: '  ' }, sourceSegment(h)];
  const r = h.replay;
  if (r !== null) {
    const pct = Number.isFinite(r.start) && Number.isFinite(r.end) && r.end > r.start ? ` ${Math.round(((r.position - r.start) / (r.end - r.start)) * 100)}%` : '';
    rest.push({ text: ` ${r.busy !== '' ? r.busy : r.atEnd ? '■ end' : r.playing ? `▶ ${speedText(r.speed)}` : `❚❚ ${speedText(r.speed)}`} `, bold: true });
    rest.push({ text: `${dateTimeMs(r.position)}${pct}`, color: 'magenta' });
  }
  rest.push({ text: '  lost ' }, { text: String(h.lost), ...(h.lost > 0 ? { color: 'red', bold: true } : { dim: true }) });
  if (h.badLines > 0) rest.push({ text: '  bad lines ' }, { text: String(h.badLines), color: 'yellow', bold: true });
  rest.push({ text: `  ${compactCount(h.rate)} ev/s ` });
  // what is left goes to the kernel release (when it fits whole), then to the events/s sparkline
  let used = 0;
  for (const s of [...head, ...rest]) used += cellWidth(s.text);
  const kernel = h.kernel === '' ? '' : `  kernel ${h.kernel}`;
  const withKernel = kernel !== '' && used + cellWidth(kernel) + 4 <= width;
  if (withKernel) used += cellWidth(kernel);
  const first: Segment[] = withKernel ? [...head, { text: kernel, dim: true }, ...rest] : [...head, ...rest];
  const room = Math.max(0, Math.min(h.spark.length, width - used));
  if (room > 0) first.push({ text: h.spark.slice(h.spark.length - room), color: 'green' });

  const second: Segment[] = [
    { text: `sessions ${h.sessions}`, bold: true },
    { text: ` · services ${h.services} · live ${groupedCount(h.live)} · exited ${groupedCount(h.exited)}`, dim: true },
  ];
  if (r !== null) second.push({ text: ` · ${groupedCount(r.applied)} events replayed`, dim: true });
  else second.push({ text: ` · ${clockTime(now).slice(0, 5)}`, dim: true });
  if (h.recording !== null) second.push({ text: '  ● REC ', color: 'red', bold: true }, { text: `${h.recording.path} ${byteSize(h.recording.bytes)}`, color: 'red' });
  if (h.paused) second.push({ text: '  PAUSED ', color: 'black', backgroundColor: 'yellow' });
  if (h.follow) second.push({ text: '  FOLLOW ', color: 'black', backgroundColor: 'cyan' });
  return (
    <Box flexDirection="column">
      <SegmentLine segments={first} width={width} />
      <SegmentLine segments={second} width={width} />
    </Box>
  );
}
