/**
 * Acceptance: tmux inside an ssh login.
 *
 * 1. Live: `tmux new -d` started from the login shell; a command typed into the pane runs in the
 *    login's entry session, under the pane's own session leader (a sub-session).
 * 2. sessiontop restarts while the user is still logged in (tmux detached; its server re-parented to
 *    pid 1): the backfill puts the server and the pane in the login's entry session through the
 *    audit session id (the audit-session improvement of the entry-leader rules), and a new command sent to the pane joins it.
 * 3. The ssh client disconnects: the model that watched it keeps the pane in that (ended) login's
 *    entry session; and after another restart (backfill with the login gone), a new command in the
 *    detached pane must still belong to that login — the requirement.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessNode } from '../../src/model/types.js';
import { CliRecording, cliAvailability, type Doc, field, snapshotJson } from '../support/cli-harness.js';
import { describeNode, LiveModel } from '../support/live-model.js';
import { sensorSkipReason, settledParent } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';

const skip = sensorSkipReason() ?? sshdSkipReason() ?? (existsSync('/usr/bin/tmux') ? undefined : 'tmux is not installed');
if (skip) console.warn(`[skip] tmux acceptance: ${skip}`);
const cli = skip ? undefined : cliAvailability();

const exe = (n: ProcessNode | null | undefined) => n?.executable.split('/').pop() ?? '';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip)('acceptance: tmux inside an ssh login', () => {
  const sock = `st-acc-${process.pid}-${Date.now() % 100000}`;
  let sshd: SshdHarness;
  let model: LiveModel;
  let client: SshPty;
  let shellPid = 0;
  let loginAuditSid = 0;
  let serverPid = 0;
  let panePid = 0;
  /** The daemonized server's actual parent (a child subreaper, if any, would adopt it instead of pid 1). */
  let serverParent = 0;
  const models: LiveModel[] = [];
  const recs: CliRecording[] = [];
  let recDir = '';
  let rec1: CliRecording | undefined;
  let rec2: CliRecording | undefined;
  const byPid = (docs: Doc[], pid: number) => docs.find((d) => field(d, 'process.pid') === pid);

  /** Types a command into the tmux pane from outside (as the user, no new login). */
  const sendToPane = (cmd: string) => sshd.asUser(['tmux', '-L', sock, 'send-keys', '-t', 'acc', cmd, 'Enter']);

  beforeAll(async () => {
    recDir = mkdtempSync(join(tmpdir(), 'sessiontop-acc-tmux-'));
    sshd = await SshdHarness.start();
    model = await LiveModel.start({ typed: true });
    models.push(model);
    if (cli?.record) recs.push((rec1 = await CliRecording.start(join(recDir, 'live.ndjson'))));
    ({ client, shellPid } = await sshd.login());
    loginAuditSid = Number(readFileSync(`/proc/${shellPid}/sessionid`, 'utf8'));
    await client.run(`tmux -L ${sock} new -d -s acc -x 120 -y 40`);
    serverPid = Number(await client.value(`$(tmux -L ${sock} display -p -t acc '#{pid}')`));
    panePid = Number(await client.value(`$(tmux -L ${sock} display -p -t acc '#{pane_pid}')`));
    expect(serverPid).toBeGreaterThan(1);
    expect(panePid).toBeGreaterThan(1);
    serverParent = await settledParent(serverPid); // tmux daemonizes with daemon(3)
    if (serverParent !== 1) {
      console.warn(`[skip] tmux restart scenarios: the daemonized tmux server was adopted by ${serverParent}, not pid 1 (a subreaper); the pid-1 entry-leader rules do not apply`);
    }
    // the pane's shell prompt is up before anything is sent to it
    for (let i = 0; i < 100 && !sshd.asUser(['tmux', '-L', sock, 'capture-pane', '-p', '-t', 'acc']).includes('$'); i++) await sleep(50);
  }, 90_000);

  afterAll(async () => {
    try {
      sshd?.asUser(['tmux', '-L', sock, 'kill-server']);
    } catch {
      // already gone
    }
    if (sshd) rmSync(`/tmp/tmux-${sshd.uid}/${sock}`, { force: true });
    await client?.close().catch(() => undefined);
    for (const r of recs) await r.stop().catch(() => undefined);
    for (const m of models) await m.stop();
    await sshd?.stop();
    rmSync(recDir, { recursive: true, force: true });
  });

  it('the tmux server is daemonized: re-parented to pid 1, its own session, same audit session', (ctx) => {
    if (serverParent !== 1) ctx.skip();
    expect(serverParent).toBe(1);
    expect(Number(readFileSync(`/proc/${serverPid}/sessionid`, 'utf8'))).toBe(loginAuditSid);
    expect(Number(readFileSync(`/proc/${panePid}/sessionid`, 'utf8'))).toBe(loginAuditSid);
  });

  it('live: a command typed in a pane is in the login entry session, under the pane session leader', async () => {
    client.type(`tmux -L ${sock} send-keys -t acc 'ls /usr' Enter`);
    const [ls] = await model.waitFor((s) => s.action === 'exec' && s.ppid === panePid && exe(s.node) === 'ls', 1, 10_000, 'ls in the pane');
    const shell = model.table.get(shellPid)!;
    expect(shell.entryType).toBe('sshd');
    expect(ls!.entryLeaderPid, describeNode(ls!.node)).toBe(shellPid);
    expect(ls!.node!.entrySession).toBe(shell.entrySession);
    expect(ls!.sid).toBe(panePid);
    expect(ls!.node!.sessionLeader?.pid).toBe(panePid);
    expect(ls!.userEntered).toBe(true);
    expect(ls!.interactive).toBe(true);
    expect(ls!.loginUid).toBe(sshd.uid);
    expect(ls!.auditSessionId).toBe(loginAuditSid);
    const pane = model.table.get(panePid)!;
    expect(pane.pid).toBe(pane.sid);
    expect(pane.entryLeader, describeNode(pane)).toBe(shell);
    expect(model.table.get(serverPid)!.entryLeader, describeNode(model.table.get(serverPid))).toBe(shell);
    // the pane is a sub-session of the login, led by the pane's shell
    const subs = model.table.subSessions(shell.entrySession!);
    const paneSub = subs.find((s) => s.sid === panePid);
    expect(paneSub?.leader).toBe(pane);
    expect(subs.some((s) => s.sid === shellPid)).toBe(true);
    // and the line was typed at the pane's bash, in the same entry session
    const [typed] = await model.waitFor((s) => s.action === 'typed' && s.pid === panePid && s.line === 'ls /usr');
    expect(typed!.entryLeaderPid).toBe(shellPid);
  });

  it.skipIf(!cli?.record)('live, in the recording: the pane command is in the login entry session, under the pane', async () => {
    const { code } = await rec1!.stop('SIGINT');
    expect(code, rec1!.stderr).toBe(0);
    const { docs, bad } = rec1!.read();
    expect(bad).toBe(0);
    const ls = docs.find(
      (d) => field(d, 'event.action') === 'exec' && field(d, 'process.parent.pid') === panePid && field(d, 'process.name') === 'ls',
    );
    expect(ls).toBeDefined();
    expect(field(ls!, 'process.entry_leader.pid')).toBe(shellPid);
    expect(field(ls!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
    expect(field(ls!, 'process.entry_leader.entry_meta.source.ip')).toBe('127.0.0.1');
    expect(field(ls!, 'process.session_leader.pid')).toBe(panePid);
    expect(field(ls!, 'sessiontop.user_entered')).toBe(true);
    expect(field(ls!, 'process.interactive')).toBe(true);
    expect(field(ls!, 'sessiontop.audit.session_id')).toBe(loginAuditSid);
    const typed = docs.find((d) => field(d, 'event.action') === 'typed' && field(d, 'process.pid') === panePid);
    expect(field(typed!, 'sessiontop.typed.line')).toBe('ls /usr');
    expect(field(typed!, 'process.entry_leader.pid')).toBe(shellPid);
  });

  it.skipIf(!cli?.snapshot)('snapshot --json while logged in and detached: tmux is in the login entry session', async (ctx) => {
    if (serverParent !== 1) ctx.skip();
    const docs = await snapshotJson();
    for (const pid of [serverPid, panePid]) {
      const d = byPid(docs, pid);
      expect(d, `no snapshot line for ${pid}`).toBeDefined();
      expect(field(d!, 'process.entry_leader.pid')).toBe(shellPid);
      expect(field(d!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
    }
  });

  it('restart while logged in: the backfill attributes the detached tmux to the login by audit session id', async (ctx) => {
    if (serverParent !== 1) ctx.skip();
    const m2 = await LiveModel.start({ typed: true });
    models.push(m2);
    const shell = m2.table.get(shellPid)!;
    expect(shell.fromSnapshot).toBe(true);
    expect(shell.entryType).toBe('sshd');
    expect(shell.entrySourceIp).toBe('127.0.0.1');
    const server = m2.table.get(serverPid)!;
    expect(server.ppid).toBe(1);
    expect(server.pid).toBe(server.sid);
    expect(server.entryLeader, describeNode(server)).toBe(shell);
    expect(m2.table.get(panePid)!.entryLeader).toBe(shell);
    sendToPane('ls /var');
    const [ls] = await m2.waitFor((s) => s.action === 'exec' && s.ppid === panePid && s.args.includes('/var'), 1, 10_000, 'ls /var in the pane');
    expect(ls!.entryLeaderPid, describeNode(ls!.node)).toBe(shellPid);
    expect(ls!.entryType).toBe('sshd');
    expect(ls!.node!.sessionLeader?.pid).toBe(panePid);
    expect(ls!.userEntered).toBe(true);
  });

  it('the ssh client disconnects: the watching model keeps the pane in that login entry session', async () => {
    const m2 = models[1]!;
    await client.close();
    await m2.waitFor((s) => s.action === 'end' && s.pid === shellPid, 1, 10_000, 'the login shell to end');
    sendToPane('ls /etc/ssh');
    const [ls] = await m2.waitFor((s) => s.action === 'exec' && s.ppid === panePid && s.args.includes('/etc/ssh'), 1, 10_000, 'ls /etc/ssh');
    expect(ls!.entryLeaderPid, describeNode(ls!.node)).toBe(shellPid);
    expect(ls!.entryType).toBe('sshd');
    expect(ls!.node!.entryLeader!.exited).toBe(true);
  });

  it('restart after the disconnect: a new command in the detached pane still belongs to that login', async (ctx) => {
    if (serverParent !== 1) ctx.skip();
    if (cli?.record) recs.push((rec2 = await CliRecording.start(join(recDir, 'after-logout.ndjson'))));
    const m3 = await LiveModel.start({ typed: true });
    models.push(m3);
    expect(m3.table.get(shellPid)).toBeUndefined(); // the login is gone
    sendToPane('ls /opt');
    const [ls] = await m3.waitFor((s) => s.action === 'exec' && s.ppid === panePid && s.args.includes('/opt'), 1, 10_000, 'ls /opt');
    const node = ls!.node!;
    // the facts that tie it to the login are there: login uid and the login's audit session id
    expect(node.loginUid).toBe(sshd.uid);
    expect(node.auditSessionId).toBe(loginAuditSid);
    const session = node.entrySession!;
    expect(session, describeNode(node)).not.toBeNull();
    expect(session.leader.auditSessionId).toBe(loginAuditSid);
    // …and the model must say so: a login (sshd) session of the user, not an init service
    const server = m3.table.get(serverPid)!;
    expect(
      { type: session.type, user: session.user, leader: `${session.leader.pid}/${session.leader.name}` },
      `pane command ${describeNode(node)}; tmux server ${describeNode(server)}`,
    ).toEqual({ type: 'sshd', user: sshd.uid, leader: expect.any(String) });
    // the tmux server is that login's remnant: its own entry leader, typed from its SSH_CONNECTION
    expect(server.entryLeader, describeNode(server)).toBe(server);
    expect(session.leader).toBe(server);
    expect(session.loginRemnant).toBe(true);
    expect(session.service).toBe(false);
    expect(session.sourceIp).toBe('127.0.0.1');
    expect(m3.table.get(panePid)!.entrySession).toBe(session);
  });

  it.skipIf(!cli?.record || !cli?.snapshot)('restart after the disconnect, from the CLI: recording and snapshot --json put the pane in an sshd login', async (ctx) => {
    if (serverParent !== 1 || !rec2) ctx.skip();
    const { code } = await rec2!.stop('SIGINT');
    expect(code, rec2!.stderr).toBe(0);
    const { docs, bad } = rec2!.read();
    expect(bad).toBe(0);
    const ls = docs.find((d) => field(d, 'event.action') === 'exec' && field(d, 'process.parent.pid') === panePid && ((field(d, 'process.args') as string[] | undefined) ?? []).includes('/opt'));
    expect(ls).toBeDefined();
    expect(field(ls!, 'sessiontop.audit.session_id')).toBe(loginAuditSid);
    const snap = await snapshotJson();
    const pane = byPid(snap, panePid);
    expect(pane).toBeDefined();
    expect({
      recording: field(ls!, 'process.entry_leader.entry_meta.type'),
      snapshot: field(pane!, 'process.entry_leader.entry_meta.type'),
    }).toEqual({ recording: 'sshd', snapshot: 'sshd' });
  });
});
