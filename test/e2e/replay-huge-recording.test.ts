/**
 * `replay` of a recording whose opening snapshot is huge (200 000 processes, several seconds to
 * load): `q` quits within ~2 s while it loads, the terminal is given back (normal buffer, cursor
 * shown), exit status 0.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PtyScreen } from './support/pty-screen.js';

const PROCESSES = 200_000;
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-huge-'));
const file = join(dir, 'huge.ndjson');

/** A valid recording: PROCESSES snapshot lines (session leaders under pid 1), then one exec. */
function writeHugeRecording(): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    const t = '2026-01-01T00:00:00.000000Z';
    const host = '"host":{"name":"huge","boot":{"id":"0b0b0b0b-0000-4000-8000-000000000000"}}';
    const line = (action: string, time: string, pid: number, exe: string): string =>
      `{"@timestamp":"${time}","event":{"action":"${action}"},${host},"process":{"pid":${pid},"start":"${t}","executable":"${exe}",` +
      `"args":["sleep","1"],"parent":{"pid":1},"group_leader":{"pid":${pid}},"session_leader":{"pid":${pid}}},"sessiontop":{"start_ticks":${100 + pid}}}\n`;
    let chunk = line('snapshot', t, 1, '/usr/lib/systemd/systemd');
    for (let pid = 2; pid <= PROCESSES; pid++) {
      chunk += line('snapshot', t, pid, '/usr/bin/sleep');
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    chunk += line('exec', '2026-01-01T00:00:10.000000Z', 2, '/usr/bin/true');
    writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

describe('replay of a huge recording', () => {
  let s: PtyScreen | null = null;
  beforeAll(writeHugeRecording, 60_000);
  afterEach(() => s?.kill());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('q quits within ~2 s while the opening snapshot loads, and the terminal is restored', async () => {
    s = new PtyScreen('replay', [file]);
    const screen = s;
    await screen.waitForText('loading the opening snapshot', 30_000);
    expect(screen.bufferType).toBe('alternate');
    const t0 = Date.now();
    screen.write('q');
    const exit = await screen.exited;
    const took = Date.now() - t0;
    console.log(`replay-huge-recording: q to exit took ${took} ms while loading ${PROCESSES} processes`);
    expect(exit.exitCode).toBe(0);
    expect(took).toBeLessThan(2500);
    expect(screen.bufferType).toBe('normal');
    expect(screen.cursorHidden).toBe(false);
  }, 90_000);
});
