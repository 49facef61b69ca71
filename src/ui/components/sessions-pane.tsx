/** The sessions list: a column header, then one row per entry session (windowed by the store). */

import { Box } from 'ink';
import { fitText } from '../../text/terminal-text.js';
import { idleTime, shortStart } from '../time-format.js';
import type { PaneView, SessionRowView } from '../ui-snapshot.js';
import { SegmentLine, type Segment } from './segment-line.js';

interface Columns {
  type: number;
  user: number;
  from: number;
  tty: number;
  start: number;
  idle: number;
  live: number;
  command: number;
  spark: number;
}

export function sessionColumns(width: number, spark: number): Columns {
  const wide = width >= 100;
  const c: Columns = { type: 9, user: wide ? 12 : 8, from: 15, tty: 7, start: wide ? 5 : 0, idle: 4, live: 5, command: 0, spark };
  // marker + every column followed by one space; the command last, as long as it is
  const fixed = 1 + c.type + 1 + c.user + 1 + c.from + 1 + c.tty + 1 + (c.start > 0 ? c.start + 1 : 0) + c.idle + 1 + c.live + 1 + c.spark + 1;
  c.command = Math.max(8, width - fixed);
  return c;
}

function headerSegments(c: Columns): Segment[] {
  let t = ' ';
  t += fitText('TYPE', c.type) + ' ' + fitText('USER', c.user) + ' ' + fitText('FROM', c.from) + ' ' + fitText('TTY', c.tty) + ' ';
  if (c.start > 0) t += fitText('START', c.start) + ' ';
  t += fitText('IDLE', c.idle, true, true) + ' ' + fitText('PROCS', c.live, true, true) + ' ' + fitText('ACTIVITY', c.spark) + ' LAST COMMAND';
  return [{ text: t, bold: true }];
}

function rowSegments(r: SessionRowView, c: Columns, now: number, marker: string): Segment[] {
  if (r.kind !== 'session') {
    return [{ text: marker }, { text: `${r.expanded ? '▾' : '▸'} ${r.label}`, dim: true, bold: true }];
  }
  const dim = r.ended;
  const cells =
    fitText(r.service ? ` ${r.type}` : r.type, c.type) +
    ' ' +
    fitText(r.user, c.user) +
    ' ' +
    fitText(r.from, c.from) +
    ' ' +
    fitText(r.tty, c.tty) +
    ' ' +
    (c.start > 0 ? fitText(shortStart(r.start, now), c.start) + ' ' : '') +
    fitText(idleTime(now - r.idleSince), c.idle, true, true) +
    ' ' +
    fitText(String(r.live), c.live, true, true) +
    ' ';
  const cmdColor = r.commandKind === 'typed' ? 'magenta' : r.commandKind === 'entered' ? 'cyan' : undefined;
  return [
    { text: marker },
    { text: cells, dim },
    { text: fitText(r.activity, c.spark), color: 'green', dim },
    { text: ' ' },
    { text: fitText(r.commandKind === 'typed' ? `» ${r.command}` : r.command, c.command, false), dim, ...(cmdColor !== undefined ? { color: cmdColor } : {}) },
  ];
}

export function SessionsPane({ pane, width, now, sparkWidth }: { pane: PaneView<SessionRowView>; width: number; now: number; sparkWidth: number }) {
  const c = sessionColumns(width, sparkWidth);
  return (
    <Box flexDirection="column" height={pane.height + 1}>
      <SegmentLine segments={headerSegments(c)} width={width} inverse={pane.focused} />
      {pane.rows.map((r, i) => {
        const selected = pane.first + i === pane.cursor;
        return <SegmentLine key={r.key} segments={rowSegments(r, c, now, selected && !pane.focused ? '›' : ' ')} width={width} inverse={selected && pane.focused} />;
      })}
    </Box>
  );
}
