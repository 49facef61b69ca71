/**
 * Small shared pieces for the benchmarks: medians, a figure printer, "run when executed directly",
 * and the node options the systemd unit starts the recorder with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/sensor/native-addon.js';

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

/**
 * The node options in systemd/sessiontop-record.service's ExecStart (the words between the node
 * binary and the script), so benchmarks run `sessiontop record` as a server runs it.
 */
export function recorderNodeOptions(): string[] {
  const unit = readFileSync(join(packageRoot(), 'systemd', 'sessiontop-record.service'), 'utf8');
  const words = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  const script = words.findIndex((w) => w.endsWith('/bin/sessiontop.js'));
  return script > 0 ? words.slice(1, script) : [];
}
