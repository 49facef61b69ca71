/** Small string charts: a sparkline of counts with the eight block characters ▁▂▃▄▅▆▇█. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The last `width` values as a sparkline scaled to their maximum (a zero is a space, any non-zero
 * value at least ▁). Fewer values than `width` are padded with spaces on the left.
 */
export function sparkline(values: ArrayLike<number>, width: number): string {
  if (width <= 0) return '';
  const n = Math.min(width, values.length);
  const from = values.length - n;
  let max = 0;
  for (let i = from; i < values.length; i++) if ((values[i] as number) > max) max = values[i] as number;
  let out = n < width ? ' '.repeat(width - n) : '';
  for (let i = from; i < values.length; i++) {
    const v = values[i] as number;
    if (v <= 0 || max === 0) {
      out += ' ';
      continue;
    }
    const level = Math.min(7, Math.max(0, Math.ceil((v / max) * 8) - 1));
    out += BLOCKS[level];
  }
  return out;
}
