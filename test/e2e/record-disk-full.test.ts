/**
 * A full disk under `sessiontop record`, on a real filesystem: a tmpfs of 64 KiB mounted by this
 * test (and unmounted after), too small for the first snapshot lines. The recorder stops with one
 * line on stderr and exit status 1, and the file ends at its last whole line: every line in it is
 * a valid recording line, and it ends with a newline (a short write is cut back).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRecordLine } from '../../src/record/schema.js';
import { CLI } from '../support/cli-harness.js';

function mountSkipReason(): string {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  return '';
}
const skip = mountSkipReason();
if (skip) console.info(`[disk-full] skipped: ${skip}`);

describe.skipIf(skip !== '')('record on a full disk (real tmpfs)', () => {
  let dir = '';
  let mounted = false;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sessiontop-diskfull-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'sessiontop-test', dir]);
    mounted = true;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('one line, exit 1, and the file ends at its last whole line', async () => {
    const file = join(dir, 'rec.ndjson');
    const child = spawn(process.execPath, [CLI, 'record', '-o', file, '--source', 'procfs', '--duration', '30'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(1);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toEqual([`sessiontop record: stopped: ${file}: no space left on device (free space or use --rotate)`]);
    const text = readFileSync(file, 'utf8');
    expect(text.length).toBeGreaterThan(0); // the disk did take some lines
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.split('\n').slice(0, -1)) expect(validateRecordLine(JSON.parse(line)).ok).toBe(true);
  });
});
