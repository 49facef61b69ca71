/**
 * Acceptance: a real ssh login (OpenSSH on 127.0.0.1, key auth, PAM) seen by the live model, the
 * recording and `snapshot --json`.
 *
 * - the login shell is an entry leader of type `sshd` with source ip 127.0.0.1, login uid = the user,
 *   a fresh audit session id;
 * - typed `ls`, `ls / | wc -l` and `cd /tmp`: three typed lines on the login shell (same entry
 *   leader), and ls, ls and wc are user-entered execs in that entry session;
 * - a non-interactive `ssh host 'sleep 0.2; ls /'`: its processes are in an sshd entry session of
 *   their own, neither user-entered nor interactive, and no typed line appears.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_UNSET } from '../../src/sensor/process-event.js';
import type { ProcessNode } from '../../src/model/types.js';
import { type CliRecording as Rec, CliRecording, cliAvailability, type Doc, field, snapshotJson } from '../support/cli-harness.js';
import { describeNode, LiveModel } from '../support/live-model.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';

const skip = sensorSkipReason() ?? sshdSkipReason();
if (skip) console.warn(`[skip] ssh acceptance: ${skip}`);
const cli = skip ? undefined : cliAvailability();

const exe = (n: ProcessNode | null | undefined) => n?.executable.split('/').pop() ?? '';

describe.skipIf(skip)('acceptance: an ssh login', () => {
  let sshd: SshdHarness;
  let model: LiveModel;
  let rec: Rec | undefined;
  let recDir: string;
  let client: SshPty;
  let shellPid = 0;
  let loginAuditSid = 0;
  let execStart = 0;
  let execDone = 0;
  let snapshotWhileLoggedIn: Doc[] | undefined;

  beforeAll(async () => {
    recDir = mkdtempSync(join(tmpdir(), 'sessiontop-acc-ssh-'));
    sshd = await SshdHarness.start();
    model = await LiveModel.start({ typed: true });
    if (cli?.record) rec = await CliRecording.start(join(recDir, 'ssh.ndjson'));
    ({ client, shellPid } = await sshd.login());
    loginAuditSid = Number(readFileSync(`/proc/${shellPid}/sessionid`, 'utf8'));
    // the scenario, typed the way a person would
    await client.run('ls');
    await client.run('ls / | wc -l');
    await client.run('cd /tmp');
    if (cli?.snapshot) snapshotWhileLoggedIn = await snapshotJson();
    execStart = Date.now();
    const r = await sshd.sshExec('sleep 0.2; ls /');
    execDone = Date.now();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\betc\b/);
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await rec?.stop().catch(() => undefined);
    await model?.stop();
    await sshd?.stop();
    rmSync(recDir, { recursive: true, force: true });
  });

  it('PAM gave the login its own audit login uid and session id (pam_loginuid works here)', () => {
    expect(Number(readFileSync(`/proc/${shellPid}/loginuid`, 'utf8'))).toBe(sshd.uid);
    expect(loginAuditSid).not.toBe(AUDIT_UNSET);
    expect(loginAuditSid).not.toBe(Number(readFileSync('/proc/self/sessionid', 'utf8')));
  });

  it('the login shell is an entry leader of type sshd, from 127.0.0.1', async () => {
    const shell = await model.waitNode(shellPid, (n) => n.executable !== '');
    expect(exe(shell), describeNode(shell)).toBe('bash');
    expect(shell.args[0]).toBe('-bash'); // a login shell
    expect(shell.pid).toBe(shell.sid);
    expect(exe(shell.parent)).toBe('sshd');
    expect(shell.entryLeader).toBe(shell);
    expect(shell.entryType).toBe('sshd');
    expect(shell.entrySourceIp).toBe('127.0.0.1');
    expect(shell.sshConnection).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}$`));
    expect(shell.uid).toBe(sshd.uid);
    expect(shell.loginUid).toBe(sshd.uid);
    expect(shell.auditSessionId).toBe(loginAuditSid);
    expect(shell.interactive).toBe(true);
    const session = model.table.entrySessions().find((s) => s.leader === shell);
    expect(session).toBeDefined();
    expect(session!.type).toBe('sshd');
    expect(session!.sourceIp).toBe('127.0.0.1');
    expect(session!.user).toBe(sshd.uid);
    expect(session!.tty).toBe(shell.tty);
  });

  it('typed ls, a pipeline and cd are typed lines of the login shell, in its entry session', async () => {
    const typed = await model.waitFor((s) => s.action === 'typed' && s.pid === shellPid && !s.line.startsWith('echo "'), 3);
    expect(typed.map((s) => s.line)).toEqual(['ls', 'ls / | wc -l', 'cd /tmp']);
    for (const t of typed) {
      expect(t.entryLeaderPid).toBe(shellPid);
      expect(t.entryType).toBe('sshd');
      expect(t.loginUid).toBe(sshd.uid);
    }
    const shell = model.table.get(shellPid)!;
    expect(shell.typed.map((t) => t.line)).toEqual(expect.arrayContaining(['ls', 'ls / | wc -l', 'cd /tmp']));
    const session = shell.entrySession!;
    expect(session.lastTypedBy).toBe(shell);
  });

  it('ls and both members of the pipeline are user-entered execs in the same entry session', async () => {
    const execs = await model.waitFor(
      (s) => s.action === 'exec' && s.ppid === shellPid && (exe(s.node) === 'ls' || exe(s.node) === 'wc'),
      3,
    );
    // Debian's ~/.bashrc aliases ls to `ls --color=auto`
    const lsAlone = execs.find((s) => exe(s.node) === 'ls' && !s.args.includes('/'));
    const lsPiped = execs.find((s) => exe(s.node) === 'ls' && s.args.includes('/'));
    const wc = execs.find((s) => exe(s.node) === 'wc');
    expect(lsAlone && lsPiped && wc, execs.map((s) => s.args.join(' ')).join(' | ')).toBeTruthy();
    for (const s of [lsAlone!, lsPiped!, wc!]) {
      expect(s.userEntered, describeNode(s.node)).toBe(true);
      expect(s.entryLeaderPid).toBe(shellPid);
      expect(s.entryType).toBe('sshd');
      expect(s.euid).toBe(sshd.uid);
      expect(s.loginUid).toBe(sshd.uid);
      expect(s.node!.lastUserEntered).toBeNull(); // the login shell itself was not typed
      expect(s.node!.sessionLeader?.pid).toBe(shellPid);
    }
    // ECS interactive: stdin and stderr on the tty. `ls` alone is; wc reads the pipe, so it is not.
    expect(lsAlone!.interactive).toBe(true);
    expect(lsPiped!.interactive).toBe(true);
    expect(wc!.interactive).toBe(false);
    // a pipeline is one job: one process group, not the shell's
    expect(lsPiped!.pgid).toBe(wc!.pgid);
    expect(lsPiped!.pgid).not.toBe(shellPid);
    expect(model.table.get(shellPid)!.entrySession!.lastUserEntered).not.toBeNull();
  });

  it('a non-interactive `ssh host cmd` runs in an sshd entry session, neither user-entered nor interactive', async () => {
    const inWindow = (s: { time: number }) => s.time >= execStart - 1000 && s.time <= execDone + 1000;
    const [sleep] = await model.waitFor(
      (s) => s.action === 'exec' && inWindow(s) && s.loginUid === sshd.uid && s.args.join(' ') === 'sleep 0.2',
    );
    const [ls] = await model.waitFor((s) => s.action === 'exec' && inWindow(s) && s.loginUid === sshd.uid && s.args.join(' ') === 'ls /');
    for (const s of [sleep!, ls!]) {
      const leader = s.node!.entryLeader!;
      expect(leader, describeNode(s.node)).not.toBeNull();
      expect(leader.entryType).toBe('sshd');
      expect(leader.entrySourceIp).toBe('127.0.0.1');
      // the session leader sshd started: `bash -c '…'`, which then exec'd its last command (ls)
      expect(leader.pid).toBe(leader.sid);
      expect(leader.previous.at(-1)?.args).toEqual(['bash', '-c', 'sleep 0.2; ls /']);
      expect(exe(leader.parent)).toBe('sshd');
      expect(leader.tty).toBe(0);
      expect(leader).not.toBe(model.table.get(shellPid)); // not the interactive login's session
      expect(s.userEntered, describeNode(s.node)).toBe(false);
      expect(s.interactive).toBe(false);
      expect(s.tty).toBe(0);
      expect(s.euid).toBe(sshd.uid);
    }
    expect(sleep!.entryLeaderPid).toBe(ls!.entryLeaderPid);
    // its own audit session (a second login), and nothing typed
    expect(sleep!.auditSessionId).not.toBe(loginAuditSid);
    expect(model.find((s) => s.action === 'typed' && s.pid === sleep!.entryLeaderPid)).toHaveLength(0);
  });

  describe('from the CLI', () => {
    it.skipIf(!cli?.snapshot)('snapshot --json (while logged in) shows the login shell as an sshd entry leader from 127.0.0.1', () => {
      const line = snapshotWhileLoggedIn!.find((d) => field(d, 'process.pid') === shellPid);
      expect(line).toBeDefined();
      expect(field(line!, 'event.action')).toBe('snapshot');
      expect(field(line!, 'process.entry_leader.pid')).toBe(shellPid);
      expect(field(line!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
      expect(field(line!, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
      expect(field(line!, 'process.interactive')).toBe(true);
      expect(field(line!, 'sessiontop.audit.login_uid')).toBe(sshd.uid);
    });

    it.skipIf(!cli?.record)('the recording holds the same facts', async () => {
      const stopped = await rec!.stop('SIGINT');
      expect(stopped.code, rec!.stderr).toBe(0);
      const { docs, bad, partialTail } = rec!.read();
      expect(bad).toBe(0);
      expect(partialTail).toBe(false);
      const login = docs.find((d) => field(d, 'event.action') === 'exec' && field(d, 'process.pid') === shellPid);
      expect(login).toBeDefined();
      expect(field(login!, 'process.entry_leader.pid')).toBe(shellPid);
      expect(field(login!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
      expect(field(login!, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
      const typed = docs
        .filter((d) => field(d, 'event.action') === 'typed' && field(d, 'process.pid') === shellPid)
        .map((d) => String(field(d, 'sessiontop.typed.line')))
        .filter((l) => !l.startsWith('echo "'));
      expect(typed).toEqual(['ls', 'ls / | wc -l', 'cd /tmp']);
      for (const d of docs.filter((d) => field(d, 'event.action') === 'typed' && field(d, 'process.pid') === shellPid)) {
        expect(field(d, 'process.entry_leader.pid')).toBe(shellPid);
        expect(field(d, 'process.entry_leader.entry_meta.type')).toBe('sshd');
      }
      const typedExecs = docs.filter(
        (d) =>
          field(d, 'event.action') === 'exec' &&
          field(d, 'process.parent.pid') === shellPid &&
          ['ls', 'wc'].includes(String(field(d, 'process.name'))),
      );
      expect(typedExecs.length).toBeGreaterThanOrEqual(3);
      for (const d of typedExecs) {
        expect(field(d, 'sessiontop.user_entered')).toBe(true);
        expect(field(d, 'process.entry_leader.pid')).toBe(shellPid);
      }
      const remote = docs.filter(
        (d) => field(d, 'event.action') === 'exec' && ['sleep 0.2', 'ls /'].includes(String(field(d, 'process.command_line'))) && field(d, 'sessiontop.audit.login_uid') === sshd.uid,
      );
      expect(remote).toHaveLength(2);
      for (const d of remote) {
        expect(field(d, 'process.entry_leader.entry_meta.type')).toBe('sshd');
        expect(field(d, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
        expect(field(d, 'sessiontop.user_entered')).toBe(false);
        expect(field(d, 'process.interactive')).toBe(false);
      }
      if (cli?.snapshotFrom) {
        // replay recomputes every derived field from the raw facts: the same answer for the login
        // shell, still logged in when the recording stopped
        const replayed = await snapshotJson(rec!.file);
        const again = replayed.find((d) => field(d, 'process.pid') === shellPid);
        expect(again).toBeDefined();
        expect(field(again!, 'process.entry_leader.pid')).toBe(shellPid);
        expect(field(again!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
        expect(field(again!, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
        expect(field(again!, 'process.entity_id')).toBe(field(login!, 'process.entity_id'));
      }
    });
  });
});
