/**
 * `record -o -` read by another user's process: a reader that leaves ends the recording promptly
 * with status 0 even on an idle host (nothing to write), and a reader that stalls never blocks
 * a signal (SIGTERM ends it within a few seconds, saying how many lines were dropped).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, openSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI, ROOT } from '../support/cli-harness.js';
import { type ThrowawayUser, createThrowawayUser, unprivilegedUnavailable } from '../support/unprivileged-user.js';

const skip = unprivilegedUnavailable();
if (skip) console.log(`record-stdout-reader: skipped: ${skip}`);

interface Run {
  code: number | null;
  stderr: string;
  ms: number;
}

describe.skipIf(skip)('record -o - and its reader', () => {
  let user: ThrowawayUser;
  let fifos = 0;
  beforeAll(() => {
    user = createThrowawayUser('pipe');
  });
  afterAll(() => user?.remove());

  /** The recorder writes into a pipe whose only reader is `reader` (run as the user). */
  function recordInto(readerScript: string, recorderArgs: string[], afterStart: (rec: ReturnType<typeof spawn>) => void): Promise<Run> {
    // A real pipe (a FIFO), not the socketpair Node gives a child's stdin: its size can be set
    const fifo = join(user.own, `pipe-${++fifos}`);
    execFileSync('mkfifo', ['-m', '0600', fifo]);
    chownSync(fifo, user.uid, user.gid);
    const reader = spawn('/bin/sh', ['-c', `exec <"$1"; ${readerScript}`, 'reader', fifo], { uid: user.uid, gid: user.gid, cwd: user.own, stdio: ['ignore', 'ignore', 'ignore'] });
    const writeEnd = openSync(fifo, 'w'); // returns once the reader has opened its end
    const t0 = Date.now();
    const rec = spawn(process.execPath, recorderArgs, { stdio: ['ignore', writeEnd, 'pipe'] });
    closeSync(writeEnd); // only the reader holds the read end; only the recorder the write end
    let stderr = '';
    rec.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    afterStart(rec);
    return new Promise((resolve) => {
      const kill = setTimeout(() => rec.kill('SIGKILL'), 30_000);
      rec.on('close', (code) => {
        clearTimeout(kill);
        reader.kill();
        resolve({ code, stderr, ms: Date.now() - t0 });
      });
    });
  }

  it('exits 0 promptly, with no message, when the reader leaves, even with nothing to write', async () => {
    // an idle host: the recorder's source delivers nothing at all, so no write can fail
    const idle = `const { runRecord } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'commands', 'record.js')).href)});
      setInterval(() => {}, 1 << 30); // a live sensor keeps the process alive the same way
      process.exit(await runRecord({ output: '-', createSource: () => ({ name: 'procfs', degraded: true, start: async () => {}, stop: async () => {} }) }));`;
    const r = await recordInto('sleep 1', ['--input-type=module', '-e', idle], () => undefined);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('is not blocked by a reader that stops reading: SIGTERM ends it at once and the loss is said', async () => {
    // the reader shrinks the pipe to one page (F_SETPIPE_SZ), so the backfill alone (a snapshot
    // line per process) is more than the pipe holds, however few processes the host runs
    const stall = `exec /usr/bin/python3 -c 'import fcntl, time; fcntl.fcntl(0, 1031, 4096); time.sleep(60)'`;
    const r = await recordInto(stall, [CLI, 'record', '-o', '-', '--source', 'procfs'], (rec) => setTimeout(() => rec.kill('SIGTERM'), 4000));
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(12_000);
    expect(r.stderr).toMatch(/lines lost: the reader of stdout was too slow/);
  });
});
