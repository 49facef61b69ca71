/** Small shared pieces for the benchmarks: medians, a figure printer, "run when executed directly". */
import { pathToFileURL } from 'node:url';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && metaUrl === pathToFileURL(process.argv[1]).href;
}

export function printFigures(title: string, figures: Record<string, number | string>): void {
  console.log(`\n${title}`);
  for (const [k, v] of Object.entries(figures)) {
    console.log(`  ${k.padEnd(34)} ${typeof v === 'number' ? fmt(v) : v}`);
  }
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
