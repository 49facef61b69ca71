/** Shown instead of the UI when the terminal is smaller than 80×24. */

import { Box, Text } from 'ink';
import { MIN_COLS, MIN_ROWS } from '../screen-layout.js';

/** The message, wrapped to `width` cells. */
export function tooSmallLines(cols: number, rows: number, width: number): string[] {
  const words = `terminal too small (need ${MIN_COLS}×${MIN_ROWS}, have ${cols}×${rows}): enlarge the window, or press q to quit`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line !== '' && line.length + 1 + w.length > width) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? w.slice(0, Math.max(1, width)) : `${line} ${w}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function TooSmall({ cols, rows }: { cols: number; rows: number }) {
  const lines = tooSmallLines(cols, rows, Math.max(1, cols)).slice(0, Math.max(1, rows - 1));
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <Text key={i} color="yellow" bold wrap="truncate">
          {l}
        </Text>
      ))}
    </Box>
  );
}
