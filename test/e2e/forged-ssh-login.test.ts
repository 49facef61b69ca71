/**
 * A local user forges an ssh login: copies python3 to a file named `sshd` and runs `bash -i` under
 * it on a pty (python's pty module) with SSH_CONNECTION=203.0.113.66…; variant: in a user namespace
 * (`unshare -Urm`) it bind-mounts that copy over /usr/sbin/sshd and runs it as
 * `exec -a "sshd: x@pts/7" /usr/sbin/sshd`, so even the executable path and argv look like
 * OpenSSH's. Root's `sessiontop snapshot --json` (the live model from /proc) must not show an sshd
 * login from that address: entry type `unknown`, no entry_meta.source.ip, the address kept only as
 * `sessiontop.entry_meta.claimed_source_ip`; `snapshot --from` that output (the replay path,
 * recomputing from the raw facts) agrees. A root-owned stand-in run the same way still counts as an
 * sshd login (root can forge anything).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli-harness.js';
import { type ThrowawayUser, createThrowawayUser, unprivilegedUnavailable } from '../support/unprivileged-user.js';

const FORGED_IP = '203.0.113.66';
const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));
const skip = unprivilegedUnavailable() || (python === undefined ? 'python3 not installed' : '') || (existsSync('/bin/bash') ? '' : 'bash not installed');
if (skip) console.log(`forged-ssh-login: skipped: ${skip}`);

/** python: bash -i on a new pty (pty.spawn: forkpty → setsid + controlling tty), held open. */
const PTY_BASH = 'import os, pty, time\npid, fd = pty.fork()\nif pid == 0:\n    os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "-i"])\ntime.sleep(120)';

type Doc = Record<string, any>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function snapshotJson(args: string[] = []): { docs: Doc[]; text: string } {
  const r = spawnSync(process.execPath, [CLI, 'snapshot', '--json', ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 << 20 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return { text: r.stdout, docs: r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc) };
}

/** The bash session leader whose parent is `fakePid` (it may take a moment to exec). */
async function bashUnder(fakePid: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const r = spawnSync('pgrep', ['-P', String(fakePid), '-x', 'bash'], { encoding: 'utf8' });
    const pid = Number(r.stdout.trim().split('\n')[0]);
    if (pid > 0) return pid;
    await sleep(50);
  }
  throw new Error(`no bash under ${fakePid}`);
}

function lineOf(docs: Doc[], pid: number): Doc {
  const d = docs.find((x) => x.process?.pid === pid);
  expect(d, `no snapshot line for pid ${pid}`).toBeDefined();
  return d as Doc;
}

function expectRefused(d: Doc, pid: number): void {
  expect(d.process.entry_leader.pid).toBe(pid);
  expect(d.process.entry_leader.entry_meta).toEqual({ type: 'unknown' });
  expect(d.sessiontop.entry_meta).toEqual({ claimed_source_ip: FORGED_IP });
}

describe.skipIf(skip)('a forged ssh login by an unprivileged user', () => {
  let user: ThrowawayUser;
  const children: ChildProcess[] = [];
  const rootDir = mkdtempSync(join(tmpdir(), 'sessiontop-forged-'));
  beforeAll(() => {
    user = createThrowawayUser('ssh');
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    user?.remove();
    rmSync(rootDir, { recursive: true, force: true });
  });

  function startAsUser(file: string, args: string[], argv0?: string): ChildProcess {
    const child = spawn(file, args, {
      uid: user.uid,
      gid: user.gid,
      cwd: user.own,
      argv0,
      env: { PATH: '/usr/bin:/bin', HOME: user.own, TERM: 'dumb', SSH_CONNECTION: `${FORGED_IP} 40000 198.51.100.5 22` },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  }

  it('a python copy named sshd: unknown entry, no source ip, the ip only claimed (live and replayed)', async () => {
    user.sh(`cp ${python} ./sshd && chmod 755 ./sshd`);
    const fake = startAsUser(join(user.own, 'sshd'), ['-c', PTY_BASH]);
    const bash = await bashUnder(fake.pid as number);
    const { docs, text } = snapshotJson();
    const d = lineOf(docs, bash);
    expect(d.process.parent.name).toBe('sshd');
    expect(d.process.tty).toBeDefined();
    expectRefused(d, bash);
    expect(text).not.toContain(`"source":{"ip":"${FORGED_IP}"}`);

    // replay recomputes the same from the raw facts (the uids of the ancestors are recorded)
    const file = join(rootDir, 'snap.ndjson');
    writeFileSync(file, text, { mode: 0o600 });
    const replayed = snapshotJson(['--from', file]);
    expectRefused(lineOf(replayed.docs, bash), bash);
    expect(replayed.text).not.toContain(`"source":{"ip":"${FORGED_IP}"}`);
  });

  it('user namespace: bind mount over /usr/sbin/sshd and exec -a "sshd: x@pts/7" is still the user', async (ctx) => {
    const probe = user.run('unshare', ['-Urm', 'true']);
    if (probe.status !== 0 || !existsSync('/usr/sbin/sshd')) {
      console.log(`forged-ssh-login: userns variant skipped: ${probe.status !== 0 ? `unshare -Urm refused: ${probe.stderr.trim()}` : 'no /usr/sbin/sshd'}`);
      ctx.skip();
      return;
    }
    user.sh(`test -x ./sshd || { cp ${python} ./sshd && chmod 755 ./sshd; }`);
    writeFileSync(join(user.own, 'forge.py'), PTY_BASH);
    chmodSync(join(user.own, 'forge.py'), 0o644);
    const script = `mount --bind "$PWD/sshd" /usr/sbin/sshd && exec -a "sshd: x@pts/7" /usr/sbin/sshd "$PWD/forge.py"`;
    const wrapper = startAsUser('/usr/bin/unshare', ['-Urm', '/bin/bash', '-c', script]);
    // unshare execs bash which execs the fake sshd: same pid
    const bash = await bashUnder(wrapper.pid as number);
    const { docs, text } = snapshotJson();
    const parent = lineOf(docs, wrapper.pid as number);
    expect(parent.process.executable).toBe('/usr/sbin/sshd');
    expect(parent.process.args[0]).toBe('sshd: x@pts/7');
    expect(parent.user.id).toBe(String(user.uid));
    expectRefused(lineOf(docs, bash), bash);
    expect(text).not.toContain(`"source":{"ip":"${FORGED_IP}"}`);
  });

  it('the same stand-in run by root still counts as an sshd login (root can forge anything)', async () => {
    const sshd = join(rootDir, 'sshd');
    copyFileSync(realpathSync(python as string), sshd);
    chmodSync(sshd, 0o755);
    const child = spawn(sshd, ['-c', PTY_BASH], {
      env: { PATH: '/usr/bin:/bin', TERM: 'dumb', SSH_CONNECTION: `${FORGED_IP} 40000 198.51.100.5 22` },
      stdio: 'ignore',
    });
    children.push(child);
    const bash = await bashUnder(child.pid as number);
    const d = lineOf(snapshotJson().docs, bash);
    expect(d.process.entry_leader.entry_meta).toEqual({ type: 'sshd', source: { ip: FORGED_IP } });
    expect(d.sessiontop.entry_meta).toBeUndefined();
  });
});
