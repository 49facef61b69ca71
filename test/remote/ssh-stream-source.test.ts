/**
 * The ssh stream source and the remote host model, with a stand-in `ssh` (a shell script that
 * plays one scripted connection per run: its output, its stderr, its exit status) so connection
 * states, reasons, backoff, bounded lines and reconnections are checked without a network.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RemoteHostModel } from '../../src/remote/remote-host-model.js';
import { parseSshSettings } from '../../src/remote/ssh-command.js';
import { backoffDelay, lossReason, SshStreamSource, type ConnectionState } from '../../src/remote/ssh-stream-source.js';
import { fakeSsh, line, T0 } from './fake-ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-fake-ssh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (pred()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('ssh stream source', () => {
  it('goes connecting → live → retrying with ssh\'s reason, reconnects, and ends what vanished meanwhile', async () => {
    const d = mkdtempSync(join(dir, 'c-'));
    const settings = parseSshSettings({ ssh: ['ops@web1'] });
    settings.sshBinary = fakeSsh(d);
    writeFileSync(join(d, 'out.1'), line('snapshot', 100) + line('snapshot', 200, { ppid: 100, sid: 100 }) + line('exec', 300, { ppid: 200, sid: 100, exe: '/bin/ls', t: T0 + 1000 }));
    writeFileSync(join(d, 'err.1'), 'some warning\nConnection to web1 closed by remote host.\n');
    writeFileSync(join(d, 'code.1'), '255');
    // the second connection: pid 200 is gone, 100 still there
    writeFileSync(join(d, 'out.2'), line('snapshot', 100, { t: T0 + 5000 }));
    writeFileSync(join(d, 'sleep.2'), '1');
    writeFileSync(join(d, 'code.2'), '0');
    writeFileSync(join(d, 'err.3'), 'ssh: connect to host web1 port 22: Connection refused\n');

    const states: ConnectionState[] = [];
    const source = new SshStreamSource({ settings, destination: 'ops@web1', mode: 'record', retry: true, backoff: { initialMs: 50, maxMs: 200 } });
    const ended: number[] = [];
    const model = new RemoteHostModel(
      source,
      {
        onStatus: (m) => {
          if (states.at(-1) !== m.status.state) states.push(m.status.state);
        },
        onEvent: (e, node) => {
          if (e.action === 'end' && node !== null && node.exitCause === 'unknown') ended.push(node.pid);
        },
      },
      { quietMs: 20 },
    );
    model.start();
    await waitFor(() => states.filter((s) => s === 'retrying').length >= 1);
    expect(source.status.reason).toBe('Connection to web1 closed by remote host.');
    expect(model.host?.via).toBe('ops@web1');
    expect(model.host?.name).toBe('web1');
    expect(model.table?.get(300)?.executable).toBe('/bin/ls');
    await waitFor(() => ended.length > 0 && states.filter((s) => s === 'live').length >= 2);
    expect(ended.sort()).toEqual([200, 300]);
    expect(model.table?.get(100)?.exited).toBe(false);
    await waitFor(() => source.status.attempts >= 3 && source.status.state === 'retrying');
    expect(source.status.reason).toBe('ssh: connect to host web1 port 22: Connection refused');
    await model.stop();
    expect(states.slice(0, 4)).toEqual(['connecting', 'live', 'retrying', 'connecting']);
    expect(source.status.state).toBe('stopped');
    const args = readFileSync(join(d, 'args.1'), 'utf8').trim().split('\n');
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'ops@web1', 'sudo', '-n', 'sessiontop', 'record', '-o', '-']);
  });

  it('skips a line longer than the bound without buffering it, and counts bad lines', async () => {
    const d = mkdtempSync(join(dir, 'l-'));
    const settings = parseSshSettings({ ssh: ['h'] });
    settings.sshBinary = fakeSsh(d);
    writeFileSync(join(d, 'out.1'), `${'x'.repeat(200_000)}\nnot json\n${line('snapshot', 100)}{"event":{"action":"exec"}}\n`);
    writeFileSync(join(d, 'code.1'), '0');
    const reasons: string[] = [];
    const source = new SshStreamSource({ settings, destination: 'h', mode: 'snapshot', retry: false, maxLineBytes: 4096 });
    const model = new RemoteHostModel(source, { onBadLine: (r) => reasons.push(r) });
    model.start();
    const st = await source.ended;
    model.finishBatch();
    expect(st.state).toBe('lost');
    expect(st.cleanEnd).toBe(true);
    expect(reasons[0]).toMatch(/line too long/);
    expect(reasons[1]).toBe('not a JSON object');
    expect(reasons[2]).toMatch(/@timestamp/);
    expect(source.lines).toBe(1);
    expect(model.table?.get(100)?.executable).toBe('/bin/bash');
  });

  it('backoff doubles up to its cap; loss reasons say what to do', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(lossReason(1, null, 'sudo: sessiontop: command not found', false)).toBe(
      'the remote command was not found (sudo: sessiontop: command not found): install sessiontop there or give --remote-command',
    );
    expect(lossReason(127, null, 'bash: line 1: sessiontop: command not found', false)).toMatch(/^the remote command was not found/);
    expect(lossReason(1, null, 'sudo: a password is required', false)).toBe('sudo: a password is required: allow passwordless sudo for sessiontop there, or give --remote-command');
    expect(lossReason(255, null, 'Host key verification failed.', false)).toMatch(/accept the host key/);
    expect(lossReason(255, null, 'ops@web1: Permission denied (publickey).', false)).toMatch(/use a key or an agent/);
    expect(lossReason(255, null, 'evil \u001b]0;title\u0007 line', false)).toBe('evil \\e]0;title\\x07 line');
    expect(lossReason(0, null, '', true)).toBe('the remote sessiontop stopped');
    expect(lossReason(null, 'SIGKILL', '', true)).toBe('ssh ended by SIGKILL');
    expect(lossReason(3, null, '', false)).toBe('ssh exited with status 3');
  });

  it('an ssh binary that does not exist is a loss with its reason, not a crash', async () => {
    const settings = parseSshSettings({ ssh: ['h'] });
    settings.sshBinary = join(dir, 'no-such-ssh');
    const source = new SshStreamSource({ settings, destination: 'h', mode: 'snapshot', retry: false });
    source.start({ onEvent: () => undefined });
    const st = await source.ended;
    expect(st.state).toBe('lost');
    expect(st.reason).toMatch(/not found \(install the OpenSSH client\)/);
  });
});
