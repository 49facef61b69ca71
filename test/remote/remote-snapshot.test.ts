/**
 * `snapshot --ssh` end to end through runSnapshot, with a stand-in ssh (no network, no root): the
 * reachable host's tree and JSON lines, an unreachable one as one stderr line, exit status 1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSnapshot } from '../../src/commands/snapshot.js';
import { parseSshSettings } from '../../src/remote/ssh-command.js';
import { fakeSsh, line } from './fake-ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-remote-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { text: string; write(t: string): void } {
  return {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
}

describe('snapshot of remote hosts', () => {
  it('prints each reachable host, names the unreachable one with its reason, exits 1', async () => {
    const d = mkdtempSync(join(dir, 's-'));
    mkdirSync(join(d, 'ops@web1'));
    mkdirSync(join(d, 'ops@web2'));
    writeFileSync(join(d, 'ops@web1', 'out.1'), line('snapshot', 100, { exe: '/usr/sbin/sshd' }) + line('snapshot', 200, { ppid: 100, exe: '/bin/bash' }));
    writeFileSync(join(d, 'ops@web1', 'code.1'), '0');
    writeFileSync(join(d, 'ops@web2', 'err.1'), 'ssh: connect to host web2 port 22: No route to host\n');
    const settings = parseSshSettings({ ssh: ['ops@web1', 'ops@web2'] });
    settings.sshBinary = fakeSsh(d);
    const out = sink();
    const err = sink();
    const code = await runSnapshot({ ssh: settings, local: false, json: false, stdout: out, stderr: err, names: { user: () => 'root', group: () => 'root' } });
    expect(code).toBe(1);
    expect(err.text).toBe('sessiontop snapshot: ops@web2: unreachable: ssh: connect to host web2 port 22: No route to host\n');
    expect(out.text).toMatch(/^host ops@web1 \(web1\) \(boot boot-1\)/);

    // --json: the host's lines with host.* and the destination; the remote's snapshot command was asked for
    writeFileSync(join(d, 'ops@web1', 'out.2'), line('snapshot', 100, { exe: '/usr/sbin/sshd' }));
    writeFileSync(join(d, 'ops@web1', 'code.2'), '0');
    writeFileSync(join(d, 'ops@web2', 'err.2'), 'sudo: sessiontop: command not found\n');
    writeFileSync(join(d, 'ops@web2', 'code.2'), '1');
    const j = sink();
    const e2 = sink();
    expect(await runSnapshot({ ssh: settings, local: false, json: true, stdout: j, stderr: e2 })).toBe(1);
    const doc = JSON.parse(j.text.trim()) as { host: { name: string }; sessiontop: { ssh_destination: string }; process: { pid: number } };
    expect(doc.host.name).toBe('web1');
    expect(doc.sessiontop.ssh_destination).toBe('ops@web1');
    expect(doc.process.pid).toBe(100);
    expect(e2.text).toContain('ops@web2: unreachable: the remote command was not found (sudo: sessiontop: command not found)');
  });
});
