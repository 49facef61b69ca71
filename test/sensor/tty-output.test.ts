/**
 * Terminal output capture on the real kernel (BpfSource with ttyOutput): what a process in a
 * pseudo-terminal writes arrives as text_output events with the window size; writes of processes
 * without a controlling terminal, and writes to anything but the controlling terminal, are never
 * captured; the per-second rate limit and the per-process total bound count every byte they skip
 * (captured + skipped = written), and the cap is flagged.
 */
import { execFileSync } from 'node:child_process';
import pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { type Captured, Collector, sensorSkipReason } from '../support/sensor-harness.js';

const skip = sensorSkipReason();
const PY = execFileSync('sh', ['-c', 'command -v python3 || true'], { encoding: 'utf8' }).trim();

/** Runs `code` with python3 in a fresh pty (its own session, the pty as controlling terminal). */
function inPty(code: string, size = { cols: 100, rows: 30 }): Promise<{ pid: number; output: string }> {
  return new Promise((resolve) => {
    const term = pty.spawn(PY, ['-c', code], { name: 'xterm', cols: size.cols, rows: size.rows, cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    let output = '';
    term.onData((d) => {
      output += d;
    });
    term.onExit(() => resolve({ pid: term.pid, output }));
  });
}

const outputOf = (events: Captured[], pid: number) => events.filter((e) => e.action === 'text_output' && e.pid === pid);
const sum = (events: Captured[], f: (e: Captured) => number) => events.reduce((n, e) => n + f(e), 0);

describe.skipIf(skip || PY === '')('terminal output capture (real kernel)', () => {
  let c: Collector | undefined;
  afterEach(async () => {
    await c?.stop();
    c = undefined;
  });

  it("captures a pty writer's output in order as the terminal showed it (\\n as \\r\\n), with the window size, coalesced", async () => {
    c = await new Collector({ ttyOutput: true }).start();
    const { pid } = await inPty("import os\nfor i in range(50): os.write(1, b'line-%d\\n' % i)\nos.writev(1, [b'vec-', b'tor\\n'])", { cols: 132, rows: 43 });
    const events = await c.waitFor((e) => e.action === 'text_output' && e.pid === pid && e.text.includes('tor\r\n'), 1, 5000);
    const all = outputOf(c.events, pid);
    const text = all.map((e) => e.text).join('');
    expect(text).toBe(Array.from({ length: 50 }, (_, i) => `line-${i}\r\n`).join('') + 'vec-tor\r\n');
    expect(all.length).toBeLessThan(10); // 51 writes, a handful of events
    expect([events[0]!.ttyRows, events[0]!.ttyColumns]).toEqual([43, 132]);
    expect(sum(all, (e) => e.ioSkipped)).toBe(0);
  });

  it('never captures writes of a process without a controlling terminal, nor writes to other files', async () => {
    c = await new Collector({ ttyOutput: true }).start();
    const marker = `no-tty-${process.pid}`;
    // no controlling terminal: a child of this test process (setsid'd runner or not) writing to a pipe
    const piped = execFileSync(PY, ['-c', `import os\nos.write(1, b'${marker}-pipe')\nprint(os.getpid())`], { encoding: 'utf8' });
    // setsid: a new session with no terminal, writing to /dev/null
    execFileSync('setsid', ['-w', PY, '-c', `open('/dev/null','w').write('${marker}-devnull')`]);
    // a pty process writing to a file and to /dev/null (not its terminal), then one line to it
    const { pid } = await inPty(`import os\nopen('/dev/null','w').write('${marker}-file')\nos.write(1, b'terminal-only\\n')`);
    await c.waitFor((e) => e.action === 'text_output' && e.pid === pid, 1, 5000);
    const leaked = c.find((e) => e.action === 'text_output' && e.text.includes(marker));
    expect(leaked.map((e) => `${e.pid} ${e.comm}: ${e.text.slice(0, 60)}`)).toEqual([]);
    expect(piped).toContain(marker);
    expect(outputOf(c.events, pid).map((e) => e.text).join('')).toBe('terminal-only\r\n');
  });

  it('the rate limit counts what it skips: captured + skipped = written', async () => {
    c = await new Collector({ ttyOutput: true, ttyRate: 4096, ttyMaxBytes: 0 }).start();
    // 40 000 bytes in 100-byte writes, well within a second
    const { pid } = await inPty("import os\nfor i in range(400): os.write(1, b'r' * 99 + b'\\n')");
    await c.waitFor((e) => e.action === 'end' && e.pid === pid, 1, 5000);
    const out = outputOf(c.events, pid);
    const captured = sum(out, (e) => e.ioBytes);
    const skipped = sum(out, (e) => e.ioSkipped);
    expect(captured).toBeGreaterThan(0);
    expect(captured).toBeLessThanOrEqual(4096 * 3); // at most a few one-second windows
    expect(skipped).toBeGreaterThan(0);
    expect(captured + skipped).toBe(40_000);
    expect(out.some((e) => e.ioCapped)).toBe(false);
  });

  it('the per-process bound keeps the first bytes, then counts the rest and flags it', async () => {
    c = await new Collector({ ttyOutput: true, ttyRate: 0, ttyMaxBytes: 5000 }).start();
    const { pid } = await inPty("import os\nfor i in range(200): os.write(1, b'c' * 99 + b'\\n')");
    await c.waitFor((e) => e.action === 'end' && e.pid === pid, 1, 5000);
    const out = outputOf(c.events, pid);
    expect(sum(out, (e) => e.ioBytes)).toBe(5000);
    expect(sum(out, (e) => e.ioSkipped)).toBe(15_000);
    expect(out.some((e) => e.ioCapped)).toBe(true);
    // the output comes before the writer's exit
    const actions = c.events.filter((e) => e.pid === pid).map((e) => e.action);
    expect(actions.lastIndexOf('text_output')).toBeLessThan(actions.indexOf('end'));
  });
});
