/**
 * Acceptance: `sudo -i` and `su -` inside an ssh login.
 *
 * - the user change is visible as `id_change` events (sudo becoming root, su becoming the user
 *   again) and as the effective user of the next exec;
 * - the entry session stays the login's (sshd, 127.0.0.1) throughout;
 * - the audit login uid (and session id) of the login is preserved in the root and su shells.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessNode } from '../../src/model/types.js';
import { CliRecording, cliAvailability, type Doc, field, snapshotJson } from '../support/cli-harness.js';
import { type Seen, describeNode, LiveModel } from '../support/live-model.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';

const skip = sensorSkipReason() ?? sshdSkipReason();
if (skip) console.warn(`[skip] sudo/su acceptance: ${skip}`);
const cli = skip ? undefined : cliAvailability();

const exe = (n: ProcessNode | null | undefined) => n?.executable.split('/').pop() ?? '';

describe.skipIf(skip)('acceptance: sudo -i and su - inside an ssh login', () => {
  let sshd: SshdHarness;
  let model: LiveModel;
  let client: SshPty;
  let shellPid = 0;
  let rootShellPid = 0;
  let suShellPid = 0;
  let loginAuditSid = 0;
  let rootShellLoginUid = 0;
  let rootShellAuditSid = 0;
  let suShellLoginUid = 0;
  let recDir = '';
  let rec: CliRecording | undefined;
  let snapshotAsRoot: Doc[] | undefined;

  beforeAll(async () => {
    recDir = mkdtempSync(join(tmpdir(), 'sessiontop-acc-sudo-'));
    sshd = await SshdHarness.start({ sudo: true });
    model = await LiveModel.start({ typed: true });
    if (cli?.record) rec = await CliRecording.start(join(recDir, 'sudo.ndjson'));
    ({ client, shellPid } = await sshd.login());
    loginAuditSid = Number(readFileSync(`/proc/${shellPid}/sessionid`, 'utf8'));
    rootShellPid = await client.switchShell('sudo -i', shellPid);
    rootShellLoginUid = Number(readFileSync(`/proc/${rootShellPid}/loginuid`, 'utf8'));
    rootShellAuditSid = Number(readFileSync(`/proc/${rootShellPid}/sessionid`, 'utf8'));
    expect(await client.value('$(id -u)')).toBe('0');
    await client.run('ls /root');
    if (cli?.snapshot) snapshotAsRoot = await snapshotJson();
    suShellPid = await client.switchShell(`su - ${sshd.user}`, rootShellPid);
    suShellLoginUid = Number(readFileSync(`/proc/${suShellPid}/loginuid`, 'utf8'));
    expect(await client.value('$(id -u)')).toBe(String(sshd.uid));
    await client.run('ls /home');
    expect(await client.switchShell('exit', suShellPid)).toBe(rootShellPid);
    expect(await client.switchShell('exit', rootShellPid)).toBe(shellPid);
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await rec?.stop().catch(() => undefined);
    await model?.stop();
    await sshd?.stop();
    rmSync(recDir, { recursive: true, force: true });
  });

  const shellNode = () => model.table.get(shellPid)!;

  it('the kernel keeps the login uid and audit session across sudo and su (pam_loginuid is only in sshd)', () => {
    expect(rootShellLoginUid).toBe(sshd.uid);
    expect(rootShellAuditSid).toBe(loginAuditSid);
    expect(suShellLoginUid).toBe(sshd.uid);
  });

  it('sudo -i: id_change to root, then a root login shell in the same entry session with the login uid kept', async () => {
    const shell = shellNode();
    expect(shell.entryType).toBe('sshd');
    const [sudoExec] = await model.waitFor((s) => s.action === 'exec' && s.ppid === shellPid && exe(s.node) === 'sudo');
    const sudoPid = sudoExec!.pid;
    expect(sudoExec!.args).toEqual(['sudo', '-i']);
    expect(sudoExec!.uid).toBe(sshd.uid); // setuid binary: the real user is still the login's
    expect(sudoExec!.euid).toBe(0);
    expect(sudoExec!.entryLeaderPid).toBe(shellPid);
    expect(sudoExec!.userEntered).toBe(true);
    // sudo switches credentials many times (PAM, sudoers, timestamp as euid 1…); the real uid
    // goes from the user's to root's, and every change stays in the login's entry session
    await model.waitFor((s) => s.action === 'id_change' && s.pid === sudoPid && s.uid === 0 && s.euid === 0);
    const changes = model.find((s) => s.action === 'id_change' && s.pid === sudoPid);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(c.loginUid).toBe(sshd.uid);
      expect(c.auditSessionId).toBe(loginAuditSid);
      expect(c.entryLeaderPid, describeNode(c.node)).toBe(shellPid);
    }
    // the root shell sudo started: root, login uid and audit session of the ssh login, same entry session
    const root = await model.waitNode(rootShellPid, (n) => exe(n) === 'bash');
    expect(root.args[0]).toBe('-bash');
    expect([root.uid, root.euid]).toEqual([0, 0]);
    expect(root.loginUid).toBe(sshd.uid);
    expect(root.auditSessionId).toBe(loginAuditSid);
    expect(root.entryLeader, describeNode(root)).toBe(shell);
    expect(root.entrySession).toBe(shell.entrySession);
    // with Defaults use_pty, sudo runs the shell on a pty of its own, in a session of its own
    expect(root.tty).not.toBe(shell.tty);
    expect(root.sid).not.toBe(shellPid);
    // the next exec typed there is root's, still in the login's entry session
    const [ls] = await model.waitFor((s) => s.action === 'exec' && s.ppid === rootShellPid && exe(s.node) === 'ls' && s.args.includes('/root'));
    expect([ls!.uid, ls!.euid]).toEqual([0, 0]);
    expect(ls!.loginUid).toBe(sshd.uid);
    expect(ls!.entryLeaderPid).toBe(shellPid);
    expect(ls!.entryType).toBe('sshd');
    expect(ls!.userEntered).toBe(true);
    expect(ls!.interactive).toBe(true);
    // and the line typed at the root shell is attributed to the same entry session
    const [typed] = await model.waitFor((s) => s.action === 'typed' && s.pid === rootShellPid && s.line === 'ls /root');
    expect(typed!.euid).toBe(0);
    expect(typed!.entryLeaderPid).toBe(shellPid);
  });

  it('su -: id_change back to the user, the user on the next exec, same entry session, login uid kept', async () => {
    const shell = shellNode();
    const [suExec] = await model.waitFor((s) => s.action === 'exec' && s.ppid === rootShellPid && exe(s.node) === 'su');
    expect(suExec!.args).toEqual(['su', '-', sshd.user]);
    expect(suExec!.euid).toBe(0);
    expect(suExec!.entryLeaderPid).toBe(shellPid);
    // su (or the child it forks for the shell) switches to the target user
    const isSu = (s: Seen) => s.pid === suExec!.pid || s.ppid === suExec!.pid;
    const changes = await model.waitFor((s) => s.action === 'id_change' && isSu(s) && s.uid === sshd.uid && s.euid === sshd.uid);
    for (const c of changes) {
      expect(c.loginUid).toBe(sshd.uid);
      expect(c.entryLeaderPid, describeNode(c.node)).toBe(shellPid);
    }
    const user = await model.waitNode(suShellPid, (n) => exe(n) === 'bash');
    expect([user.uid, user.euid]).toEqual([sshd.uid, sshd.uid]);
    expect(user.args[0]).toBe('-bash');
    expect(user.loginUid).toBe(sshd.uid);
    expect(user.auditSessionId).toBe(loginAuditSid);
    expect(user.entryLeader, describeNode(user)).toBe(shell);
    const [ls] = await model.waitFor((s) => s.action === 'exec' && s.ppid === suShellPid && exe(s.node) === 'ls' && s.args.includes('/home'));
    expect([ls!.uid, ls!.euid]).toEqual([sshd.uid, sshd.uid]);
    expect(ls!.loginUid).toBe(sshd.uid);
    expect(ls!.entryLeaderPid).toBe(shellPid);
    expect(ls!.userEntered).toBe(true);
  });

  it('the entry session is one and the same throughout, and no other session was opened for it', () => {
    const shell = shellNode();
    const s = shell.entrySession!;
    expect(s.type).toBe('sshd');
    expect(s.sourceIp).toBe('127.0.0.1');
    expect(s.user).toBe(sshd.uid);
    for (const pid of [rootShellPid, suShellPid]) expect(model.table.get(pid)!.entrySession).toBe(s);
    // no entry session was led by a process of this login other than the login shell
    const ours = model.table.entrySessions({ includeServices: true }).filter((x) => x.leader.auditSessionId === loginAuditSid);
    expect(ours.map((x) => describeNode(x.leader))).toEqual([describeNode(shell)]);
  });

  describe('from the CLI', () => {
    // a line carries process.real_user only when it differs from process.user (readers default it)
    const realUid = (d: Doc): unknown => field(d, 'process.real_user.id') ?? field(d, 'process.user.id');
    it.skipIf(!cli?.snapshot)('snapshot --json in the root shell: user root, login uid kept, the ssh login entry leader', () => {
      const root = snapshotAsRoot!.find((d) => field(d, 'process.pid') === rootShellPid);
      expect(root).toBeDefined();
      expect(field(root!, 'user.id')).toBe('0');
      expect(realUid(root!)).toBe('0');
      expect(field(root!, 'sessiontop.audit.login_uid')).toBe(sshd.uid);
      expect(field(root!, 'sessiontop.audit.session_id')).toBe(loginAuditSid);
      expect(field(root!, 'process.entry_leader.pid')).toBe(shellPid);
      expect(field(root!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
      expect(field(root!, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
    });

    it.skipIf(!cli?.record)('the recording: id_change lines, the user on the next execs, one entry session, login uid kept', async () => {
      const { code } = await rec!.stop('SIGINT');
      expect(code, rec!.stderr).toBe(0);
      const { docs, bad } = rec!.read();
      expect(bad).toBe(0);
      const action = (d: Doc) => field(d, 'event.action');
      const sudoExec = docs.find((d) => action(d) === 'exec' && field(d, 'process.parent.pid') === shellPid && field(d, 'process.name') === 'sudo');
      expect(sudoExec).toBeDefined();
      const sudoPid = field(sudoExec!, 'process.pid');
      const sudoChanges = docs.filter((d) => action(d) === 'id_change' && field(d, 'process.pid') === sudoPid);
      expect(sudoChanges.some((d) => realUid(d) === '0' && field(d, 'user.id') === '0')).toBe(true);
      const suExec = docs.find((d) => action(d) === 'exec' && field(d, 'process.parent.pid') === rootShellPid && field(d, 'process.name') === 'su');
      expect(suExec).toBeDefined();
      const suPid = field(suExec!, 'process.pid');
      const suChanges = docs.filter(
        (d) => action(d) === 'id_change' && (field(d, 'process.pid') === suPid || field(d, 'process.parent.pid') === suPid),
      );
      expect(suChanges.some((d) => realUid(d) === String(sshd.uid) && field(d, 'user.id') === String(sshd.uid))).toBe(true);
      for (const d of [...sudoChanges, ...suChanges]) {
        expect(field(d, 'sessiontop.audit.login_uid')).toBe(sshd.uid);
        expect(field(d, 'process.entry_leader.pid')).toBe(shellPid);
      }
      const execOf = (ppid: number, arg: string) =>
        docs.find((d) => action(d) === 'exec' && field(d, 'process.parent.pid') === ppid && ((field(d, 'process.args') as string[] | undefined) ?? []).includes(arg));
      const lsRoot = execOf(rootShellPid, '/root');
      const lsHome = execOf(suShellPid, '/home');
      expect(field(lsRoot!, 'user.id')).toBe('0');
      expect(field(lsHome!, 'user.id')).toBe(String(sshd.uid));
      for (const d of [lsRoot!, lsHome!]) {
        expect(field(d, 'sessiontop.audit.login_uid')).toBe(sshd.uid);
        expect(field(d, 'process.entry_leader.pid')).toBe(shellPid);
        expect(field(d, 'process.entry_leader.entry_meta.type')).toBe('sshd');
        expect(field(d, 'sessiontop.user_entered')).toBe(true);
      }
    });
  });
});
