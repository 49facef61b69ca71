/**
 * A throwaway unprivileged user for attack tests, and a workspace it can read.
 *
 * The suite may run from a clone under a 0700 directory (/root/x): such a user cannot read the
 * checkout, so whatever it must run or read is copied into `workspace` (a fresh 0755 directory
 * under the system temp dir) with share(). `own` is a directory the user owns inside it (what an
 * attacker controls); `sticky` is a root-owned 1777 directory like /tmp (shared by everyone).
 *
 * The user is created with useradd (no home, its own group) under a unique name and removed with
 * userdel by remove() (call it in afterAll). useradd and userdel are retried while another test
 * process holds the passwd lock.
 */
import { type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** Why throwaway users cannot be made here ('' when they can). */
export function unprivilegedUnavailable(): string {
  if (process.geteuid?.() !== 0) return 'attack tests need root (they create a throwaway user)';
  if (!existsSync('/usr/sbin/useradd') || !existsSync('/usr/sbin/userdel')) return 'useradd/userdel not installed (package passwd)';
  return '';
}

export interface ThrowawayUser {
  name: string;
  uid: number;
  gid: number;
  /** 0755 root-owned directory the user can read (and enter); removed by remove(). */
  workspace: string;
  /** A directory inside workspace owned by the user (0755). */
  own: string;
  /** A root-owned 1777 directory inside workspace, like /tmp. */
  sticky: string;
  /** Copies a file or directory into the workspace, readable by everyone; returns its new path. */
  share(path: string, as?: string): string;
  /** Runs a program as the user (synchronously). */
  run(file: string, args: string[], options?: Partial<SpawnSyncOptionsWithStringEncoding>): SpawnSyncReturns<string>;
  /** Runs `sh -c script` as the user; throws with its stderr when it fails. */
  sh(script: string): string;
  /** Starts a program as the user in the background. */
  spawn(file: string, args: string[]): ChildProcess;
  remove(): void;
}

let counter = 0;

export function createThrowawayUser(tag: string): ThrowawayUser {
  const name = `st-${tag}`.slice(0, 20) + `-${process.pid % 100000}${counter++}`;
  withPasswdLock(() => execFileSync('/usr/sbin/useradd', ['--no-create-home', '--user-group', '--shell', '/bin/sh', name], { stdio: 'pipe' }));
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  const workspace = mkdtempSync(join(tmpdir(), `sessiontop-${tag}-`));
  chmodSync(workspace, 0o755);
  const own = join(workspace, 'own');
  mkdirSync(own, { mode: 0o755 });
  chownSync(own, uid, gid);
  const sticky = join(workspace, 'sticky');
  mkdirSync(sticky);
  chmodSync(sticky, 0o1777);
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: own, LANG: 'C.UTF-8' };
  return {
    name,
    uid,
    gid,
    workspace,
    own,
    sticky,
    share(path, as) {
      const dest = join(workspace, as ?? basename(path));
      if (statSync(path).isDirectory()) cpSync(path, dest, { recursive: true });
      else copyFileSync(path, dest);
      execFileSync('chmod', ['-R', 'a+rX', dest]);
      return dest;
    },
    run(file, args, options = {}) {
      return spawnSync(file, args, { encoding: 'utf8', uid, gid, cwd: own, env, timeout: 30_000, ...options });
    },
    sh(script) {
      const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', uid, gid, cwd: own, env, timeout: 30_000 });
      if (r.status !== 0) throw new Error(`as ${name}: sh -c ${JSON.stringify(script)} failed (${r.status ?? r.signal}): ${r.stderr}`);
      return r.stdout;
    },
    spawn(file, args) {
      return spawn(file, args, { uid, gid, cwd: own, env, stdio: 'ignore' });
    },
    remove() {
      killProcessesOf(uid);
      rmSync(workspace, { recursive: true, force: true });
      withPasswdLock(() => execFileSync('/usr/sbin/userdel', [name], { stdio: 'pipe' }));
    },
  };
}

/** SIGKILLs, by pid, every process still running as `uid` (all of them were started by the test). */
function killProcessesOf(uid: number): void {
  for (let round = 0; round < 20; round++) {
    let found = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        if (statSync(`/proc/${name}`).uid !== uid) continue;
        found++;
        process.kill(Number(name), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (found === 0) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** useradd/userdel fail (status 10) while another process holds /etc/passwd's lock: retry. */
function withPasswdLock(step: () => unknown): void {
  for (let attempt = 0; ; attempt++) {
    try {
      step();
      return;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (attempt >= 50 || (status !== 10 && status !== 1)) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}
