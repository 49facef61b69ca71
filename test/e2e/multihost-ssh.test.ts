/**
 * Several hosts over ssh, with real OpenSSH servers on loopback standing in for hosts (two sshd
 * harnesses, each with its own port, host key and client key). The remote command runs this
 * checkout's bin/sessiontop.js through `sudo -n` with an absolute node path, as an administrator's
 * `--remote-command` would; both "hosts" are this machine, which is also the case of two streams
 * from one machine that must stay two hosts.
 *
 * - the live view shows both hosts, one header row each, live; one host's sshd killed (with every
 *   connection under it) → that host is shown lost with ssh's reason and its sessions dimmed while
 *   the other stays live; sshd restarted → the host is live again;
 * - `snapshot --ssh` with one unreachable host prints the reachable one, names the other on
 *   stderr with the reason, exit status 1; `--json` lines carry host.* and the destination;
 * - a remote that does not run sessiontop (command not found) gives one clear line;
 * - `record --ssh` writes one file with both hosts' events, and replay keeps them apart;
 * - hostile destinations and options are refused before ssh runs.
 *
 * Needs root (sshd, the test user); skipped otherwise with the reason printed.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli-harness.js';
import { freeLoopbackPort, sshdSkipReason, SshdHarness } from '../support/sshd-harness.js';
import { ensureBuilt, PtyScreen } from './support/pty-screen.js';

const skip = sshdSkipReason();
if (skip !== undefined) console.log(`multihost-ssh: skipped: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-multihost-'));
let a: SshdHarness;
let b: SshdHarness;
let screens: PtyScreen[] = [];

const REMOTE = `sudo -n ${process.execPath} ${CLI}`;

function dest(h: SshdHarness): string {
  return `ssh://${h.user}@127.0.0.1:${h.port}`;
}

/** ssh options both harnesses accept: each one's client key, no known_hosts, quiet. */
function sshOptions(): string[] {
  return [
    '--ssh-option', `IdentityFile=${a.clientKey}`,
    '--ssh-option', `IdentityFile=${b.clientKey}`,
    '--ssh-option', 'IdentitiesOnly=yes',
    '--ssh-option', 'StrictHostKeyChecking=no',
    '--ssh-option', 'UserKnownHostsFile=/dev/null',
    '--ssh-option', 'LogLevel=ERROR',
  ];
}

function run(args: string[], timeoutMs = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, input: '' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe.skipIf(skip !== undefined)('several hosts over ssh', () => {
  beforeAll(async () => {
    ensureBuilt();
    [a, b] = await Promise.all([SshdHarness.start(), SshdHarness.start()]);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  afterEach(() => {
    for (const s of screens) s.kill();
    screens = [];
  });

  it('live view: two hosts, one lost when its sshd dies, back after a restart', async () => {
    const s = new PtyScreen('live', ['--no-local', '--ssh', dest(a), '--ssh', dest(b), ...sshOptions(), '--remote-command', REMOTE], { cols: 200, rows: 50, cwd: dir });
    screens.push(s);
    const headerOf = (h: SshdHarness) => (x: PtyScreen) => x.lines().find((l) => l.includes(`${dest(h)} (`)) ?? '';
    await s.waitFor((x) => headerOf(a)(x).includes('· live ·') && headerOf(b)(x).includes('· live ·'), 60_000, 'both hosts live');
    // each host lists the sshd session its own remote sessiontop runs in, under its header
    await s.waitFor((x) => {
      const lines = x.lines();
      const ia = lines.findIndex((l) => l.includes(`${dest(a)} (`));
      const ib = lines.findIndex((l) => l.includes(`${dest(b)} (`));
      return ia >= 0 && ib > ia && lines.slice(ia + 1, ib).some((l) => /^\s*\S?\s*sshd\s/.test(l));
    }, 20_000, 'sessions under the first host');

    await a.crash();
    await s.waitFor((x) => /lost: .*(Connection refused|closed|reset|Broken pipe|ended|stopped|exited)/.test(headerOf(a)(x)), 30_000, 'host a lost');
    expect(headerOf(b)(s)).toContain('· live ·');
    // a's sessions are still listed, dimmed
    const lines = s.lines();
    const ia = lines.findIndex((l) => l.includes(`${dest(a)} (`));
    const ib = lines.findIndex((l) => l.includes(`${dest(b)} (`));
    const row = lines.slice(ia + 1, ib).findIndex((l) => /^\s*\S?\s*sshd\s/.test(l));
    expect(row).toBeGreaterThanOrEqual(0);
    const y = ia + 1 + row;
    expect(s.dim(3, y)).toBe(true);
    await s.waitFor((x) => headerOf(a)(x).includes('retrying in'), 20_000, 'host a retrying');

    await a.restart();
    await s.waitFor((x) => headerOf(a)(x).includes('· live ·'), 60_000, 'host a live again');
    s.write('q');
  }, 180_000);

  it('snapshot: the reachable host is printed, the unreachable one is one stderr line, exit 1', async () => {
    const closed = `ssh://${a.user}@127.0.0.1:${await freeLoopbackPort()}`;
    const r = run(['snapshot', '--no-local', '--ssh', dest(b), '--ssh', closed, ...sshOptions(), '--remote-command', REMOTE]);
    expect(r.status).toBe(1);
    const errLines = r.stderr.trim().split('\n');
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(new RegExp(`^sessiontop snapshot: ${closed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: unreachable: .*Connection refused`));
    expect(r.stdout).toMatch(new RegExp(`^host ${dest(b).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(`, 'm'));
    expect(r.stdout).toContain('TYPE');

    const j = run(['snapshot', '--json', '--no-local', '--ssh', dest(a), '--ssh', dest(b), ...sshOptions(), '--remote-command', REMOTE]);
    expect(j.status, j.stderr).toBe(0);
    const docs = j.stdout.trim().split('\n').map((l) => JSON.parse(l) as { host: { name: string; boot: { id: string } }; sessiontop: { ssh_destination?: string } });
    const via = new Set(docs.map((d) => d.sessiontop.ssh_destination));
    expect(via).toEqual(new Set([dest(a), dest(b)]));
    expect(docs.every((d) => d.host.name !== '' && d.host.boot.id !== '')).toBe(true);
  }, 120_000);

  it('a remote without sessiontop gives one clear line', () => {
    const r = run(['snapshot', '--no-local', '--ssh', dest(a), ...sshOptions(), '--remote-command', 'sudo -n sessiontop-not-installed']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${dest(a)}: unreachable: the remote command was not found (sudo: sessiontop-not-installed: command not found): install sessiontop there or give --remote-command`);
  }, 60_000);

  it('record: one file with both hosts, kept apart on replay', async () => {
    const out = join(dir, 'fleet.ndjson');
    const child = spawn(process.execPath, [CLI, 'record', '-o', out, '--no-local', '--ssh', dest(a), '--ssh', dest(b), ...sshOptions(), '--remote-command', REMOTE, '--duration', '8'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`${dest(a)}: live`);
    expect(stderr).toContain(`${dest(b)}: live`);
    const docs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: { action: string }; sessiontop: { ssh_destination?: string } });
    for (const d of [dest(a), dest(b)]) {
      expect(docs.some((x) => x.sessiontop.ssh_destination === d && x.event.action === 'snapshot')).toBe(true);
    }
    const snap = run(['snapshot', '--from', out]);
    expect(snap.status, snap.stderr).toBe(0);
    const heads = snap.stdout.split('\n').filter((l) => l.startsWith('host '));
    expect(heads).toHaveLength(2);
  }, 120_000);

  it('hostile destinations and options are refused before ssh runs', () => {
    const marker = join(dir, 'pwned');
    const cases: string[][] = [
      ['--ssh', `-oProxyCommand=touch ${marker}`],
      ['--ssh', dest(a), '--ssh-option', `ProxyCommand=touch ${marker}\nHost *`],
      ['--ssh', dest(a), '--ssh-option', `LocalCommand=touch ${marker}`],
      ['--ssh', dest(a), '--remote-command', `sessiontop; touch ${marker}`],
      ['--ssh', dest(a), '--remote-command', `$(touch ${marker})`],
      ['--ssh', `host;touch ${marker}`],
    ];
    for (const c of cases) {
      const r = run(['snapshot', '--no-local', ...c, ...sshOptions()]);
      expect(r.status, c.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^sessiontop snapshot: /);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
