/**
 * Recordings a local user hands to root's `snapshot --from`: a FIFO with no writer, endless binary
 * data on stdin, and timestamps no recording can hold. Each ends promptly with one clear line.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli-harness.js';
import { type ThrowawayUser, createThrowawayUser, unprivilegedUnavailable } from '../support/unprivileged-user.js';

const skip = unprivilegedUnavailable();
if (skip) console.log(`hostile-recordings: skipped: ${skip}`);

const snapshot = (args: string[], stdinFd?: number) =>
  spawnSync(process.execPath, [CLI, 'snapshot', ...args], { encoding: 'utf8', timeout: 20_000, stdio: [stdinFd ?? 'ignore', 'pipe', 'pipe'] });

describe.skipIf(skip)('hostile recordings', () => {
  let user: ThrowawayUser;
  beforeAll(() => {
    user = createThrowawayUser('rec');
  });
  afterAll(() => user?.remove());

  it('a FIFO with no writer is refused at once, not waited on', () => {
    const fifo = join(user.own, 'evil.ndjson');
    user.sh(`mkfifo ${fifo}`);
    const t0 = Date.now();
    const r = snapshot(['--from', fifo]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`sessiontop snapshot: ${fifo}: not a regular file (a FIFO; pipe it in with --from - instead)\n`);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('--from - < /dev/zero ends with one line and exit 2', () => {
    const fd = openSync('/dev/zero', 'r');
    try {
      const r = snapshot(['--from', '-'], fd);
      expect(r.signal).toBeNull();
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('sessiontop snapshot: -: binary data, not a recording (a recording is NDJSON text, or gzip of it)\n');
    } finally {
      closeSync(fd);
    }
  });

  it('timestamps in year 1 or 9999 are bad lines with a reason', () => {
    // a valid recording of the live host, then the user's lines with impossible times
    const good = snapshot(['--json']).stdout.split('\n').filter(Boolean).slice(0, 5);
    expect(good.length).toBe(5);
    const evil = [good[3]!.replace(/"@timestamp":"[^"]+"/, '"@timestamp":"0001-01-01T00:00:00.000000Z"'), good[4]!.replace(/"@timestamp":"[^"]+"/, '"@timestamp":"9999-12-31T23:59:59.000000Z"')];
    const file = join(user.own, 'times.ndjson');
    const shared = user.share(writeTemp([...good.slice(0, 3), ...evil].join('\n') + '\n'), 'times-src.ndjson');
    user.sh(`cp ${shared} ${file}`);
    const r = snapshot(['--from', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`${file}:4: @timestamp: 0001-01-01T00:00:00.000000Z is outside 1970–2099, not a time a recording can hold`);
    expect(r.stderr).toContain(`${file}:5: @timestamp: 9999-12-31T23:59:59.000000Z is outside 1970–2099`);
    expect(r.stderr).toContain('2 bad lines skipped');
  });
});

function writeTemp(text: string): string {
  const path = join(tmpdir(), `sessiontop-times-${process.pid}.ndjson`);
  writeFileSync(path, text);
  return path;
}
