/**
 * Lines typed at an interactive bash, captured by the readline uretprobe on the real kernel.
 */
import { spawn } from 'node:child_process';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector, sensorSkipReason } from '../support/sensor-harness.js';

const skip = sensorSkipReason();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('typed lines (readline uretprobe)', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await new Collector({ typed: true }).start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('attaches to the bash binary', () => {
    const probes = c.source.stats()!.probes;
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => p.attached)).toBe(true);
  });

  it('reports each line typed at an interactive bash, builtins included, in order, long lines cut', async () => {
    const shell = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], {
      cols: 200,
      rows: 50,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', HOME: '/tmp' },
    });
    const long = 'echo ' + 'z'.repeat(2043);
    for (const line of ['cd /tmp', 'export FOO=1', 'ls | wc -l', long, 'exit']) {
      await sleep(250);
      shell.write(line + '\r');
    }
    await new Promise((r) => shell.onExit(r));
    const typed = await c.waitFor((e) => e.action === 'typed' && e.pid === shell.pid, 5);
    expect(typed.map((e) => e.line)).toEqual(['cd /tmp', 'export FOO=1', 'ls | wc -l', long.slice(0, 1024), 'exit']);
    expect(typed.map((e) => e.lineTruncated)).toEqual([false, false, false, true, false]);
    expect(new Set(typed.map((e) => e.startTicks)).size).toBe(1);
    expect(typed[0]!.comm).toBe('bash');
    expect(typed[0]!.tty).not.toBe(0);
    // the pipeline's processes are children of that shell
    const execs = c.find((e) => e.action === 'exec' && e.ppid === shell.pid).map((e) => e.executable);
    expect(execs).toEqual(expect.arrayContaining(['/usr/bin/ls', '/usr/bin/wc']));
  });

  it('reports nothing for a non-interactive bash -c', async () => {
    const child = spawn('/bin/bash', ['-c', 'cd /; true']);
    await new Promise((r) => child.on('exit', r));
    await c.waitFor((e) => e.action === 'end' && e.pid === child.pid);
    expect(c.find((e) => e.action === 'typed' && e.pid === child.pid)).toHaveLength(0);
  });

  it('captures nothing with typed capture off', async () => {
    const off = await new Collector({ typed: false }).start();
    try {
      expect(off.source.stats()!.probes).toEqual([]);
      const shell = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-i'], { env: { PATH: process.env.PATH ?? '/bin', TERM: 'xterm' } });
      await sleep(250);
      shell.write('exit\r');
      await new Promise((r) => shell.onExit(r));
      await off.waitFor((e) => e.action === 'end' && e.pid === shell.pid);
      expect(off.find((e) => e.action === 'typed')).toHaveLength(0);
    } finally {
      await off.stop();
    }
  });
});
