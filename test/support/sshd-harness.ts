/**
 * A real OpenSSH server for acceptance tests, on 127.0.0.1 only.
 *
 * `SshdHarness.start()` runs Debian's `/usr/sbin/sshd -D -e` with its own config, host key, pid file
 * and a free port, key-only auth and `UsePAM yes` (so pam_loginuid gives every login its own audit
 * login uid and audit session id, as on a real server). It creates (once, idempotently) the test user
 * `sessiontop-t` with /bin/bash and a home (or, with `user`, another user with its own login shell
 * and files, e.g. zsh with an empty `.zshrc`), authorizes a freshly generated client key, and grants the
 * user passwordless sudo through a file in /etc/sudoers.d (removed by stop()).
 *
 * Helpers: `sshPty()` — an interactive `ssh -tt` login in a real pseudo-terminal to type into, with
 * `waitFor(text)` on its output; `sshExec(cmd)` — a non-interactive `ssh host cmd`.
 *
 * `stop()` ends every process this harness caused (ssh clients, the per-connection sshd processes,
 * anything the test user still runs: tmux servers, daemons), by pid, then sshd, and removes the
 * temporary directory and the sudoers file. The user account is kept (creating it is slow and other
 * runs reuse it).
 *
 * Nothing here contacts any address but 127.0.0.1.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pty from 'node-pty';

const execFileAsync = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';
export const TEST_USER = 'sessiontop-t';
// One file per test process, so harnesses of concurrent runs never remove each other's grant.
const SUDOERS_FILE = `/etc/sudoers.d/${TEST_USER}-${process.pid}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why the sshd scenarios cannot run here, or undefined when they can. */
export function sshdSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (starting sshd and creating a test user need root)';
  for (const bin of [SSHD, '/usr/bin/ssh', '/usr/bin/ssh-keygen', '/usr/sbin/useradd']) {
    if (!existsSync(bin)) return `${bin} is missing (apt-get install openssh-server openssh-client)`;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (bound and released; a tiny race is acceptable in tests). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A test user other than the shared `sessiontop-t`: its own name and login shell (e.g. zsh). */
export interface TestUserSpec {
  name: string;
  shell: string;
  /** Files written in its home (owned by it), e.g. an empty `.zshrc` so zsh's new-user wizard stays away. */
  files?: Record<string, string>;
}

/** uid/gid/home of the test user, creating it (bash, or spec's shell; home directory) when missing. */
export function ensureTestUser(spec?: TestUserSpec): { uid: number; gid: number; home: string } {
  const name = spec?.name ?? TEST_USER;
  const shell = spec?.shell ?? '/bin/bash';
  const read = (): { uid: number; gid: number; home: string; shell: string } | undefined => {
    try {
      const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim();
      const f = line.split(':');
      return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! };
    } catch {
      return undefined;
    }
  };
  let u = read();
  if (!u) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', shell, name], { stdio: 'pipe' });
    } catch (err) {
      // another test run may have created it at the same moment
      if (!read()) throw err;
    }
    u = read()!;
  }
  if (u.shell !== shell) execFileSync('usermod', ['--shell', shell, name], { stdio: 'pipe' });
  if (!existsSync(u.home)) {
    mkdirSync(u.home, { recursive: true, mode: 0o755 });
    execFileSync('chown', [`${u.uid}:${u.gid}`, u.home]);
  }
  for (const [file, text] of Object.entries(spec?.files ?? {})) {
    const path = join(u.home, file);
    writeFileSync(path, text, { mode: 0o644 });
    execFileSync('chown', [`${u.uid}:${u.gid}`, path]);
  }
  return { uid: u.uid, gid: u.gid, home: u.home };
}

/** Output of a terminal, with a way to wait for text in it. */
export class TerminalOutput {
  text = '';
  private waiters: Array<() => void> = [];

  push(data: string): void {
    this.text += data;
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Resolves with the first match of `pattern` in the output written after character `from`
   * (default 0). Rejects after `timeoutMs` with the tail of the output, for diagnosis.
   */
  async waitFor(pattern: string | RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpExecArray> {
    const re = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m) return m;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(re)}; output tail: ${JSON.stringify(this.text.slice(-600))}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An interactive ssh login in a pseudo-terminal. */
export class SshPty {
  readonly out = new TerminalOutput();
  readonly exited: Promise<number>;
  private done = false;
  private counter = 0;

  constructor(readonly term: pty.IPty) {
    term.onData((d) => this.out.push(d));
    this.exited = new Promise((resolve) =>
      term.onExit(({ exitCode }) => {
        this.done = true;
        resolve(exitCode);
      }),
    );
  }

  /** pid of the local ssh client. */
  get pid(): number {
    return this.term.pid;
  }

  get alive(): boolean {
    return !this.done;
  }

  /** Types one line (and Enter). */
  type(line: string): void {
    this.term.write(line + '\r');
  }

  waitFor(pattern: string | RegExp, timeoutMs = 10_000, from = 0): Promise<RegExpExecArray> {
    return this.out.waitFor(pattern, timeoutMs, from);
  }

  /**
   * Types `line`, then a marker command, and waits until the marker's OUTPUT appears (the marker is
   * computed by the shell, so the echo of what was typed never matches). `line` then has finished.
   */
  async run(line: string, timeoutMs = 15_000): Promise<string> {
    const from = this.out.text.length;
    if (line !== '') this.type(line);
    const n = ++this.counter;
    this.type(`echo "DONE-$((${n}*7))-${n}"`);
    await this.out.waitFor(`DONE-${n * 7}-${n}`, timeoutMs, from);
    return this.out.text.slice(from);
  }

  /** Reads a shell expression's value, e.g. `$$` or `$(id -u)`, through a computed marker. */
  async value(expr: string, timeoutMs = 15_000): Promise<string> {
    const from = this.out.text.length;
    const n = ++this.counter;
    this.type(`echo "VAL$((${n}+1000))=[${expr}]"`);
    const m = await this.out.waitFor(new RegExp(`VAL${n + 1000}=\\[([^\\]\\r\\n]*)\\]`), timeoutMs, from);
    return m[1]!;
  }

  /**
   * Types `line` — one that changes which shell reads the terminal (`sudo -i`, `su -`, `exit`) — and
   * returns the pid of the shell that answers afterwards, once it differs from `previousPid`. Input
   * typed ahead across such a change can be swallowed (a pty that closes discards it), so the
   * question is asked again until the new shell answers.
   */
  async switchShell(line: string, previousPid: number, timeoutMs = 20_000): Promise<number> {
    this.type(line);
    const deadline = Date.now() + timeoutMs;
    let lastAnswer = '';
    while (Date.now() < deadline) {
      try {
        lastAnswer = await this.value('$$', 1500);
        const pid = Number(lastAnswer);
        if (pid > 1 && pid !== previousPid) return pid;
        await sleep(100);
      } catch {
        // not answered yet: ask again
      }
    }
    throw new Error(`no new shell after typing ${JSON.stringify(line)} (last answer ${lastAnswer}): ${JSON.stringify(this.out.text.slice(-400))}`);
  }

  /** Ends the client: `exit` typed when asked, then SIGHUP/SIGKILL if it lingers. */
  async close(typeExit = true, timeoutMs = 5000): Promise<void> {
    if (this.done) return;
    if (typeExit) {
      try {
        this.type('exit');
      } catch {
        // the pty may already be gone
      }
      if (await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)])) return;
    }
    killQuietly(this.term.pid, 'SIGHUP');
    if (await Promise.race([this.exited.then(() => true), sleep(2000).then(() => false)])) return;
    killQuietly(this.term.pid, 'SIGKILL');
    await Promise.race([this.exited, sleep(2000)]);
  }
}

export interface SshExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class SshdHarness {
  private sshd: ChildProcess | undefined;
  private log = '';
  private readonly clients = new Set<SshPty>();
  private sudoersWritten = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly user: string,
    readonly uid: number,
    readonly gid: number,
    readonly home: string,
    readonly clientKey: string,
  ) {}

  /** Starts sshd on 127.0.0.1 (a free port) and waits until it accepts a login. */
  static async start(options: { sudo?: boolean; user?: TestUserSpec } = {}): Promise<SshdHarness> {
    const u = ensureTestUser(options.user);
    const userName = options.user?.name ?? TEST_USER;
    const dir = mkdtempSync(join(tmpdir(), 'sessiontop-sshd-'));
    // The test user reads authorized_keys itself (sshd drops to the user to read it).
    chmodSync(dir, 0o755);
    const hostKey = join(dir, 'host_ed25519');
    const clientKey = join(dir, 'client_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sessiontop-test-host', '-f', hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sessiontop-test-client', '-f', clientKey]);
    const authorized = join(dir, 'authorized_keys');
    writeFileSync(authorized, readFileSync(clientKey + '.pub'), { mode: 0o644 });
    chmodSync(authorized, 0o644);
    if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
    const port = await freeLoopbackPort();
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'AuthenticationMethods publickey',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        'PermitRootLogin no',
        `AllowUsers ${userName}`,
        // the key lives in a temp dir under the world-writable /tmp
        'StrictModes no',
        'PrintMotd no',
        'PrintLastLog no',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'AllowAgentForwarding no',
        'PermitUserEnvironment no',
        'MaxStartups 50',
        'LogLevel INFO',
        '',
      ].join('\n'),
    );
    const h = new SshdHarness(dir, port, userName, u.uid, u.gid, u.home, clientKey);
    try {
      execFileSync(SSHD, ['-t', '-f', config], { stdio: 'pipe' });
      if (options.sudo ?? true) h.grantSudo();
      // detached: sshd leads its own session, as under systemd (its per-connection children inherit its
      // entry leader). Without it, under a runner whose ancestors never called setsid (sid 0, some CI
      // agents), each per-connection sshd would become an entry leader of its own (entry-leader rule 4).
      h.sshd = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      h.sshd.stderr!.setEncoding('utf8');
      h.sshd.stderr!.on('data', (d: string) => {
        h.log += d;
        if (h.log.length > 200_000) h.log = h.log.slice(-100_000);
      });
      await h.waitListening(10_000);
      const r = await h.sshExec('echo ready', 15_000);
      if (r.stdout.trim() !== 'ready') throw new Error(`ssh login failed (code ${r.code}): ${r.stderr.trim()}; sshd: ${h.log.trim()}`);
    } catch (err) {
      await h.stop();
      throw err;
    }
    return h;
  }

  /** sshd's log (-e: on stderr), for diagnostics. */
  get sshdLog(): string {
    return this.log;
  }

  get sshdPid(): number {
    return this.sshd?.pid ?? 0;
  }

  private async waitListening(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.log.includes('Server listening on 127.0.0.1')) {
      if (this.sshd?.exitCode !== null) throw new Error(`sshd exited: ${this.log.trim()}`);
      if (Date.now() > deadline) throw new Error(`sshd did not start listening: ${this.log.trim()}`);
      await sleep(20);
    }
  }

  private grantSudo(): void {
    const tmp = join(this.dir, 'sudoers');
    writeFileSync(tmp, `# sessiontop acceptance tests (removed when the test's sshd stops)\n${this.user} ALL=(ALL:ALL) NOPASSWD: ALL\n`, {
      mode: 0o440,
    });
    execFileSync('visudo', ['-c', '-q', '-f', tmp], { stdio: 'pipe' });
    writeFileSync(SUDOERS_FILE, readFileSync(tmp), { mode: 0o440 });
    chmodSync(SUDOERS_FILE, 0o440);
    this.sudoersWritten = true;
  }

  private sshArgs(tty: boolean): string[] {
    return [
      ...(tty ? ['-tt'] : ['-T']),
      '-F',
      '/dev/null',
      '-i',
      this.clientKey,
      '-p',
      String(this.port),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'ConnectTimeout=10',
      `${this.user}@127.0.0.1`,
    ];
  }

  /** An interactive login in a pty (`ssh -tt`); with `cmdline`, that remote command instead of a shell. */
  sshPty(cmdline?: string, options: { cols?: number; rows?: number } = {}): SshPty {
    const args = this.sshArgs(true);
    if (cmdline !== undefined) args.push(cmdline);
    const term = pty.spawn('/usr/bin/ssh', args, {
      name: 'xterm',
      cols: options.cols ?? 200,
      rows: options.rows ?? 50,
      cwd: '/',
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', TERM: 'xterm', LANG: 'C.UTF-8', HOME: '/root' },
    });
    const client = new SshPty(term);
    this.clients.add(client);
    void client.exited.then(() => this.clients.delete(client));
    return client;
  }

  /** A login shell in a pty, ready for typing (its prompt answered a marker). Returns it and the shell's pid. */
  async login(): Promise<{ client: SshPty; shellPid: number }> {
    const client = this.sshPty();
    const pid = Number(await client.value('$$', 20_000));
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`could not read the login shell's pid: ${client.out.text.slice(-300)}`);
    return { client, shellPid: pid };
  }

  /** A non-interactive `ssh host cmd`. Never rejects: look at `code`. */
  async sshExec(cmd: string, timeoutMs = 20_000): Promise<SshExecResult> {
    try {
      const { stdout, stderr } = await execFileAsync('/usr/bin/ssh', [...this.sshArgs(false), cmd], {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        encoding: 'utf8',
        env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/root' },
      });
      return { stdout, stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number | string };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? String(err), code: typeof e.code === 'number' ? e.code : -1 };
    }
  }

  /** Runs a command as the test user on this host, without a login (runuser: no new audit session). */
  asUser(args: string[], timeoutMs = 10_000): string {
    return execFileSync('runuser', ['-u', this.user, '--', ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * Processes this harness caused: descendants of sshd, and whatever runs as the test user or with
   * its audit login uid (daemonized tmux servers, sudo'ed shells of its logins).
   */
  ownedPids(): number[] {
    const procs = listProcs();
    const ours = new Set<number>();
    const root = this.sshdPid;
    let grew = true;
    if (root > 0) ours.add(root);
    while (grew) {
      grew = false;
      for (const p of procs) {
        if (!ours.has(p.pid) && (ours.has(p.ppid) || p.uid === this.uid || p.loginUid === this.uid)) {
          ours.add(p.pid);
          grew = true;
        }
      }
    }
    ours.delete(root);
    ours.delete(process.pid);
    return [...ours];
  }

  /** Ends the test user's processes and the ssh connections, keeping sshd itself running. */
  async endSessions(): Promise<void> {
    await Promise.all([...this.clients].map((c) => c.close(false, 0)));
    for (let round = 0; round < 20; round++) {
      const pids = this.ownedPids();
      if (pids.length === 0) return;
      for (const pid of pids) killQuietly(pid, round < 2 ? 'SIGHUP' : 'SIGKILL');
      await sleep(round < 2 ? 200 : 50);
    }
  }

  async stop(): Promise<void> {
    try {
      await this.endSessions();
    } finally {
      const d = this.sshd;
      if (d && d.exitCode === null && d.signalCode === null) {
        const gone = new Promise((r) => d.once('exit', r));
        d.kill('SIGTERM');
        await Promise.race([gone, sleep(3000)]);
        if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
      }
      // Per-connection sshd processes outlive the listener: end any left.
      for (const pid of this.ownedPids()) killQuietly(pid, 'SIGKILL');
      if (this.sudoersWritten) rmSync(SUDOERS_FILE, { force: true });
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

interface ProcBrief {
  pid: number;
  ppid: number;
  uid: number;
  loginUid: number;
}

function listProcs(): ProcBrief[] {
  const out: ProcBrief[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '';
      if (state === 'Z') continue;
      const loginUid = Number(readFileSync(`/proc/${name}/loginuid`, 'utf8'));
      out.push({ pid: Number(name), ppid, uid, loginUid });
    } catch {
      // gone
    }
  }
  return out;
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
