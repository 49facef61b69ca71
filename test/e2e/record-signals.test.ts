/**
 * Signals during `sessiontop record -o FILE --source procfs`:
 * - SIGINT, SIGTERM, SIGHUP: exit 0 and leave a complete, valid file (every line whole and valid,
 *   ending in a newline; the summary's event count equals the lines written — nothing lost);
 * - SIGKILL: every line but possibly the last is valid, and the reader accepts the file (a cut
 *   last line is a warning, not an error).
 *
 * Runs the real CLI (`node bin/sessiontop.js record …`); it needs the compiled dist/ (built here
 * when it is older than the sources).
 */

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingFileReader } from '../../src/record/recording-reader.js';
import { validateRecordLine } from '../../src/record/schema.js';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-signals-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `sessiontop record -o FILE --source procfs`, through the launcher as an administrator runs it. */
function commandFor(file: string): { cmd: string; args: string[] } {
  return { cmd: process.execPath, args: [join(root, 'bin/sessiontop.js'), 'record', '-o', file, '--source', 'procfs'] };
}

const canRun = process.platform === 'linux' && existsSync('/proc/self/stat');

beforeAll(() => {
  const compiled = join(root, 'dist/src/commands/record.js');
  const sources = ['src/commands/record.ts', 'src/record/recording-writer.ts', 'src/record/ecs-document.ts', 'src/record/schema.ts'].map((f) => statSync(join(root, f)).mtimeMs);
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < Math.max(...sources)) {
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: 'pipe' });
    } catch {
      // type errors elsewhere in the tree still emit JavaScript; the existence check below decides
    }
  }
  expect(existsSync(compiled)).toBe(true);
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  file: string;
}

/** Starts a recording, makes some process activity, sends `sig` once lines are on disk. */
async function recordThenSignal(sig: NodeJS.Signals, name: string): Promise<Run> {
  const file = join(dir, `${name}.ndjson`);
  const { cmd, args } = commandFor(file);
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  // wait for the backfill to reach the disk (flushed within a second)
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('\n')) break;
    await sleep(100);
  }
  // some live activity for the poller to see
  const busy = spawn('/bin/sh', ['-c', 'for i in 1 2 3 4 5 6; do sleep 0.3 & sleep 0.2; done; wait'], { stdio: 'ignore' });
  await new Promise((r) => busy.once('exit', r));
  await sleep(1200);
  child.kill(sig);
  const end = await Promise.race([exited, sleep(20_000).then(() => ({ code: -1, signal: null }))]);
  if (end.code === -1) child.kill('SIGKILL');
  return { ...end, stderr, file };
}

function readLines(file: string): { lines: string[]; endsWithNewline: boolean } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop();
  return { lines: last === '' ? lines : [...lines, last as string], endsWithNewline: last === '' };
}

describe.skipIf(!canRun)('signals during record', () => {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${sig}: exit 0, complete valid file, nothing lost`, async () => {
      const run = await recordThenSignal(sig, sig.toLowerCase());
      expect(run.signal).toBe(null);
      expect(run.code).toBe(0);
      const { lines, endsWithNewline } = readLines(run.file);
      expect(endsWithNewline).toBe(true);
      expect(lines.length).toBeGreaterThan(10);
      for (const l of lines) expect(validateRecordLine(JSON.parse(l)).ok).toBe(true);
      expect(JSON.parse(lines[0] as string).event.action).toBe('snapshot');
      expect(lines.some((l) => !l.includes('"action":"snapshot"'))).toBe(true); // live events too
      const m = /(\d+) events \(\d+ lost by the kernel\) written to /.exec(run.stderr);
      expect(m, run.stderr).not.toBeNull();
      expect(Number(m![1])).toBe(lines.length);
      const reader = RecordingFileReader.open(run.file);
      while (reader.next() !== null);
      expect(reader.stats).toEqual({ lines: lines.length, events: lines.length, badLines: 0, truncatedTail: false });
      reader.close();
      expect(statSync(run.file).mode & 0o777).toBe(0o600);
    }, 60_000);
  }

  it('SIGKILL: every line but possibly the last is valid; the reader accepts the file', async () => {
    const run = await recordThenSignal('SIGKILL', 'sigkill');
    expect(run.signal).toBe('SIGKILL');
    const { lines, endsWithNewline } = readLines(run.file);
    expect(lines.length).toBeGreaterThan(10);
    const complete = endsWithNewline ? lines : lines.slice(0, -1);
    for (const l of complete) expect(validateRecordLine(JSON.parse(l)).ok).toBe(true);
    const warnings: string[] = [];
    const reader = RecordingFileReader.open(run.file, { onWarning: (w) => warnings.push(w) });
    let events = 0;
    while (reader.next() !== null) events++;
    reader.close();
    expect(reader.stats.badLines).toBe(0);
    expect(events).toBeGreaterThanOrEqual(complete.length);
    expect(warnings.length).toBe(reader.stats.truncatedTail ? 1 : 0);
  }, 60_000);
});
