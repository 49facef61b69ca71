import { describe, expect, it } from 'vitest';
import { AUDIT_UNSET, FdType } from '../../src/sensor/process-event.js';
import {
  EXCLUDED_SELF_PREFIXES,
  PARENT_ENTRY_RULES,
  isPty,
  matchParentRule,
  sshClientIp,
} from '../../src/model/entry-leader.js';
import type { ProcessNode } from '../../src/model/types.js';
import { HOST, SyntheticHost, TTY1, TTYS0, noTty, onTty, pts } from './synthetic-host.js';
import type { SimProcess } from './synthetic-host.js';

function booted(): SyntheticHost {
  const sim = new SyntheticHost();
  sim.boot();
  return sim;
}

const typeOf = (n: ProcessNode): string | null | undefined => n.entryLeader?.entryType;

describe('entry types', () => {
  it('init: a session leader whose parent is pid 1 is its own init entry leader', () => {
    const sim = booted();
    const cron = sim.spawnSession(1, 400, '/usr/sbin/cron');
    expect(cron.entryLeader).toBe(cron);
    expect(cron.entryType).toBe('init');
    expect(cron.entrySession?.service).toBe(true);
    // a job it forks inherits it
    const job = sim.fork(400, 401);
    expect(job.entryLeader).toBe(cron);
    const sh = sim.exec(401, '/bin/sh', ['/bin/sh', '-c', 'run-parts /etc/cron.hourly']);
    expect(sh.entryLeader).toBe(cron);
  });

  it('sshd: sshd → sshd → sshd → bash, with the client ip from SSH_CONNECTION', () => {
    const sim = booted();
    const bash = sim.sshLogin(602, { client: '203.0.113.7' });
    const listener = sim.table.get(500)!;
    const priv = sim.table.get(6021)!;
    const user = sim.table.get(6022)!;
    expect(listener.entryType).toBe('init');
    // the per-connection sshd is a session leader whose parent is sshd, but it is sshd itself
    expect(priv.sid).toBe(priv.pid);
    expect(priv.entryLeader).toBe(listener);
    expect(user.entryLeader).toBe(listener);
    expect(bash.entryLeader).toBe(bash);
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe('203.0.113.7');
    expect(bash.entrySession?.type).toBe('sshd');
    expect(bash.entrySession?.sourceIp).toBe('203.0.113.7');
    expect(bash.parent).toBe(user);
    expect(bash.parent?.parent).toBe(priv);
    expect(bash.parent?.parent?.parent).toBe(listener);
    // what the user runs stays in the sshd session
    const ls = sim.pipeline(602, [700], ['/usr/bin/ls'])[0]!;
    expect(ls.entryLeader).toBe(bash);
    expect(typeOf(ls)).toBe('sshd');
  });

  it('sshd: OpenSSH ≥ 9.8 sshd-session parents count as sshd, sshd-session itself does not', () => {
    const sim = booted();
    sim.spawnSession(1, 500, '/usr/sbin/sshd');
    sim.fork(500, 510);
    sim.setsid(510);
    const session = sim.exec(510, '/usr/lib/openssh/sshd-session', ['sshd-session: alice [priv]']);
    expect(session.entryLeader?.pid).toBe(500);
    sim.fork(510, 511);
    const shell = sim.fork(511, 512);
    expect(shell.entryLeader?.pid).toBe(500);
    sim.setsid(512, pts(4));
    const bash = sim.exec(512, '/bin/bash', ['-bash'], { ...onTty(pts(4)), sshConnection: '2001:db8::1 4000 2001:db8::2 22' });
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe('2001:db8::1');
  });

  it('ssm: a pty session under ssm-session-worker; without a pty it is not ssm', () => {
    const sim = booted();
    sim.spawnSession(1, 300, '/usr/bin/amazon-ssm-agent');
    sim.fork(300, 301);
    sim.exec(301, '/usr/bin/ssm-session-worker', ['ssm-session-worker', 'alice-0abc']);
    sim.fork(301, 302);
    sim.setsid(302, pts(2));
    const sh = sim.exec(302, '/usr/bin/sh', ['sh'], onTty(pts(2)));
    expect(sh.entryLeader).toBe(sh);
    expect(sh.entryType).toBe('ssm');
    expect(sh.entrySourceIp).toBe('');

    sim.fork(301, 303);
    sim.setsid(303, 0);
    const noPty = sim.exec(303, '/usr/bin/sh', ['sh', '-c', 'true'], noTty());
    expect(noPty.entryLeader?.pid).toBe(300); // inherited from ssm-session-worker (the agent's service)
    expect(typeOf(noPty)).toBe('init');
  });

  it('container: containerd-shim re-parented to init, with the container init and an exec shell under it', () => {
    const sim = booted();
    // containerd (service) starts the shim, which daemonizes: setsid, re-parented to pid 1
    sim.spawnSession(1, 800, '/usr/bin/containerd');
    sim.fork(800, 810);
    sim.exec(810, '/usr/bin/containerd-shim-runc-v2', ['containerd-shim-runc-v2', '-namespace', 'moby']);
    sim.proc(810).ppid = 1;
    sim.setsid(810);
    const shim = sim.exec(810, '/usr/bin/containerd-shim-runc-v2', ['containerd-shim-runc-v2', '-namespace', 'moby']);
    expect(shim.ppid).toBe(1);
    expect(shim.entryType).toBe('init');

    const cg = 'docker-' + 'ab'.repeat(32) + '.scope';
    sim.fork(810, 820);
    sim.setsid(820);
    const runc = sim.exec(820, '/usr/bin/runc', ['runc', 'init']);
    // runc is excluded from the parent rules: it inherits the shim's
    expect(runc.entryLeader).toBe(shim);
    const init = sim.exec(820, '/usr/sbin/nginx', ['nginx', '-g', 'daemon off;'], { cgroup: cg });
    expect(init.entryLeader).toBe(init);
    expect(init.entryType).toBe('container');
    expect(init.containerId).toBe('ab'.repeat(32));

    // docker exec -it: a new session with a pty, child of the shim
    sim.fork(810, 830);
    sim.setsid(830, pts(9));
    const sh = sim.exec(830, '/bin/sh', ['sh'], { ...onTty(pts(9)), cgroup: cg });
    expect(sh.entryType).toBe('container');
    expect(sh.entryLeader).toBe(sh);
    expect(sh.parent).toBe(shim);
    const cat = sim.pipeline(830, [831], ['/bin/cat'])[0]!;
    expect(cat.entryLeader).toBe(sh);
    expect(cat.containerId).toBe('ab'.repeat(32));
  });

  it('container: conmon and runc parents too', () => {
    const sim = booted();
    sim.spawnSession(1, 900, '/usr/bin/conmon');
    sim.fork(900, 901);
    sim.setsid(901);
    expect(sim.exec(901, '/bin/sleep', ['sleep', 'infinity']).entryType).toBe('container');
    sim.spawnSession(1, 950, '/usr/bin/runc');
    sim.fork(950, 951);
    sim.setsid(951);
    expect(sim.exec(951, '/bin/app', ['app']).entryType).toBe('container');
  });

  it('terminal: a serial line (tty major 4, minor ≥ 64), even with parent pid 1', () => {
    const sim = booted();
    sim.fork(1, 200);
    sim.setsid(200, TTYS0);
    const getty = sim.exec(200, '/sbin/agetty', ['agetty', 'ttyS0', '115200'], onTty(TTYS0));
    expect(getty.entryType).toBe('terminal');
    const login = sim.exec(200, '/bin/login', ['login', '--', 'root'], onTty(TTYS0));
    expect(login.entryType).toBe('terminal');
  });

  it('console: login on a virtual console; agetty before it is init; the shell inherits', () => {
    const sim = booted();
    sim.fork(1, 210);
    sim.setsid(210, TTY1);
    const getty = sim.exec(210, '/sbin/agetty', ['agetty', 'tty1'], onTty(TTY1));
    expect(getty.entryType).toBe('init');
    const login = sim.exec(210, '/usr/bin/login', ['login', '--', 'root'], onTty(TTY1));
    expect(login.entryLeader).toBe(login);
    expect(login.entryType).toBe('console');
    sim.fork(210, 211);
    sim.setsid(211, TTY1);
    const bash = sim.exec(211, '/bin/bash', ['-bash'], onTty(TTY1));
    expect(bash.entryLeader).toBe(login);
    expect(bash.entrySession?.type).toBe('console');
  });

  it('unknown: a session leader with no known relative is its own unknown entry leader', () => {
    const sim = booted();
    // parent 4000 never seen (e.g. lost events)
    sim.define({ pid: 4000, ppid: 3999 });
    const orphan = sim.fork(4000, 4001);
    expect(orphan.parent).toBeNull();
    expect(orphan.entryLeader).toBeNull(); // not a session leader yet
    sim.setsid(4001);
    const sh = sim.exec(4001, '/bin/sh', ['sh']);
    expect(sh.entryLeader).toBe(sh);
    expect(sh.entryType).toBe('unknown');
    expect(sh.entrySession?.type).toBe('unknown');
  });

  it('inherits from the session leader when only it is known, else from the group leader', () => {
    const sim = booted();
    const bash = sim.sshLogin(602);
    // session leader known, parent and group leader unknown
    sim.define({ pid: 7000, ppid: 6999, pgid: 6998, sid: 602, executable: '/bin/x' });
    const a = sim.exec(7000, '/bin/x');
    expect(a.parent).toBeNull();
    expect(a.groupLeader).toBeNull();
    expect(a.sessionLeader).toBe(bash);
    expect(a.entryLeader).toBe(bash);
    // only the group leader known
    sim.pipeline(602, [710], ['/usr/bin/make']);
    sim.define({ pid: 7100, ppid: 7099, pgid: 710, sid: 7098, executable: '/bin/y' });
    const b = sim.exec(7100, '/bin/y');
    expect(b.parent).toBeNull();
    expect(b.sessionLeader).toBeNull();
    expect(b.groupLeader?.pid).toBe(710);
    expect(b.entryLeader).toBe(bash);
  });

  it('pid 1 and kernel threads have no entry leader', () => {
    const sim = booted();
    sim.define({ pid: 25, ppid: 2, pgid: 0, sid: 0, executable: '', args: [], comm: 'kworker/0:1' });
    const kworker = sim.snapshot(25);
    sim.table.finishBackfill();
    const init = sim.table.get(1)!;
    const kthreadd = sim.table.get(2)!;
    for (const n of [init, kthreadd, kworker]) {
      expect(n.entryLeader).toBeNull();
      expect(n.entrySession).toBeNull();
    }
    expect(kthreadd.kernelThread).toBe(true);
    expect(kworker.kernelThread).toBe(true);
    expect(init.kernelThread).toBe(false);
    expect(kworker.name).toBe('kworker/0:1');
    expect(sim.table.unattached().map((n) => n.pid)).toEqual([1, 2, 25]);
  });

  it('fork copies the parent entry leader; setsid alone does not re-evaluate, the next exec does', () => {
    const sim = booted();
    const bash = sim.sshLogin(602);
    const child = sim.fork(602, 720);
    expect(child.entryLeader).toBe(bash);
    const s = sim.setsid(720);
    expect(s.sessionLeader).toBe(s);
    expect(s.entryLeader).toBe(bash); // not re-evaluated
    // still bash's child: exec keeps the inherited entry leader (no rule matches)
    const ex = sim.exec(720, '/usr/bin/sleep', ['sleep', '100']);
    expect(ex.entryLeader).toBe(bash);
    expect(ex.sessionLeader).toBe(ex);

    // a daemon: setsid, re-parented to pid 1, then exec → its own init entry
    sim.fork(602, 730);
    sim.setsid(730);
    sim.proc(730).ppid = 1;
    expect(sim.setsid(730).entryLeader).toBe(bash);
    const daemon = sim.exec(730, '/usr/bin/mydaemon');
    expect(daemon.entryLeader).toBe(daemon);
    expect(daemon.entryType).toBe('init');
    expect(bash.entrySession?.members.has(daemon)).toBe(false);
  });
});

describe('audit-session improvement (daemonized tmux found at backfill)', () => {
  function backfillTmux(serverAudit: number, loginAlive = true): SyntheticHost {
    const sim = new SyntheticHost();
    const AUDIT = 42;
    sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
    sim.define({ pid: 500, ppid: 1, executable: '/usr/sbin/sshd' });
    sim.define({ pid: 5001, ppid: 500, executable: '/usr/sbin/sshd', auditSessionId: AUDIT, loginUid: 1000 });
    sim.define({ pid: 5002, ppid: 5001, sid: 5001, pgid: 5001, executable: '/usr/sbin/sshd', auditSessionId: AUDIT, loginUid: 1000, uid: 1000, euid: 1000 });
    sim.define({
      pid: 602, ppid: 5002, executable: '/usr/bin/bash', ...onTty(pts(0)), auditSessionId: AUDIT, loginUid: 1000,
      uid: 1000, euid: 1000, sshConnection: '192.0.2.44 5555 192.0.2.1 22',
    });
    // tmux server: forked by the login shell, daemonized (setsid, re-parented to pid 1)
    sim.define({ pid: 900, ppid: 1, executable: '/usr/bin/tmux', args: ['tmux'], auditSessionId: serverAudit, loginUid: 1000, uid: 1000, euid: 1000 });
    sim.define({ pid: 901, ppid: 900, executable: '/usr/bin/bash', ...onTty(pts(3)), auditSessionId: serverAudit, loginUid: 1000, uid: 1000, euid: 1000 });
    sim.define({ pid: 902, ppid: 901, pgid: 902, sid: 901, executable: '/usr/bin/top', ...onTty(pts(3)), auditSessionId: serverAudit, loginUid: 1000, uid: 1000, euid: 1000 });
    // snapshots in any order: children first
    for (const pid of [902, 901, 900, 602, 5002, 5001, 500, 1]) {
      if (!loginAlive && pid === 602) continue;
      sim.snapshot(pid);
    }
    sim.table.finishBackfill();
    return sim;
  }

  it('a re-parented tmux server with the login audit session id joins that session', () => {
    const sim = backfillTmux(42);
    const bash = sim.table.get(602)!;
    const server = sim.table.get(900)!;
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe('192.0.2.44');
    expect(server.entryLeader).toBe(bash);
    expect(server.entryType).toBeNull();
    expect(sim.table.get(901)!.entryLeader).toBe(bash);
    expect(sim.table.get(902)!.entryLeader).toBe(bash);
    const session = bash.entrySession!;
    expect(session.liveCount).toBe(4);
    expect(sim.table.subSessions(session).map((s) => s.sid)).toEqual([602, 900, 901]);
    expect(session.user).toBe(1000);
  });

  it('a different audit session id, or no live login session: a login remnant, not init', () => {
    for (const sim of [backfillTmux(43), backfillTmux(42, false)]) {
      const server = sim.table.get(900)!;
      expect(server.entryLeader).toBe(server);
      expect(server.entryType).toBe('unknown'); // no SSH_CONNECTION in its environment
      expect(server.entrySession!.loginRemnant).toBe(true);
      expect(server.entrySession!.service).toBe(false);
      expect(sim.table.get(902)!.entryLeader).toBe(server);
    }
  });

  it('an unset audit session id keeps it in init', () => {
    const sim = backfillTmux(AUDIT_UNSET);
    const server = sim.table.get(900)!;
    expect(server.entryLeader).toBe(server);
    expect(server.entryType).toBe('init');
    expect(server.entrySession!.loginRemnant).toBe(false);
    expect(sim.table.get(902)!.entryLeader).toBe(server);
  });
});

describe('login remnants (a logged-out user\'s detached tmux/screen, found at backfill)', () => {
  const AUDIT = 77;
  const user = { uid: 1001, euid: 1001, loginUid: 1001, auditSessionId: AUDIT };
  const SSH = '127.0.0.1 40022 127.0.0.1 22';

  /** After logout, sessiontop (re)starts: pid 1, sshd, a tmux server with its pane; no login shell. */
  function backfillAfterLogout(serverOver: Partial<SimProcess> = {}): SyntheticHost {
    const sim = new SyntheticHost();
    sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
    sim.define({ pid: 500, ppid: 1, executable: '/usr/sbin/sshd', args: ['sshd', '-D'] });
    sim.define({ pid: 900, ppid: 1, executable: '/usr/bin/tmux', args: ['tmux', 'new', '-d'], ...user, sshConnection: SSH, ...serverOver });
    sim.define({ pid: 901, ppid: 900, executable: '/usr/bin/bash', args: ['-bash'], ...onTty(pts(3)), ...user });
    for (const pid of [901, 900, 500, 1]) sim.snapshot(pid);
    sim.table.finishBackfill();
    return sim;
  }

  it('is its own entry leader, typed sshd from its SSH_CONNECTION; new pane commands join it', () => {
    const sim = backfillAfterLogout();
    const server = sim.table.get(900)!;
    expect(server.entryLeader).toBe(server);
    expect(server.entryType).toBe('sshd');
    expect(server.entrySourceIp).toBe('127.0.0.1');
    const session = server.entrySession!;
    expect(session.type).toBe('sshd');
    expect(session.sourceIp).toBe('127.0.0.1');
    expect(session.user).toBe(1001);
    expect(session.loginRemnant).toBe(true);
    expect(session.service).toBe(false);
    expect(sim.table.get(901)!.entryLeader).toBe(server);
    // a command typed in the detached pane afterwards
    sim.fork(901, 950, { pgid: 950 });
    const ls = sim.exec(950, '/usr/bin/ls', ['ls', '/opt']);
    expect(ls.entryLeader).toBe(server);
    expect(ls.entrySession).toBe(session);
    expect(ls.userEntered).toBe(true);
    expect(session.liveCount).toBe(3);
    // sshd's own listener stays a service
    expect(sim.table.get(500)!.entryType).toBe('init');
    expect(sim.table.entrySessions().map((s) => s.leader.pid)).toEqual([900]);
  });

  it('without SSH_CONNECTION it is unknown', () => {
    const server = backfillAfterLogout({ sshConnection: '' }).table.get(900)!;
    expect(server.entryLeader).toBe(server);
    expect(server.entryType).toBe('unknown');
    expect(server.entrySourceIp).toBe('');
    expect(server.entrySession!.loginRemnant).toBe(true);
  });

  it('needs both audit ids: a login uid or an audit session id alone stays init', () => {
    for (const over of [{ loginUid: AUDIT_UNSET }, { auditSessionId: AUDIT_UNSET }]) {
      const server = backfillAfterLogout(over).table.get(900)!;
      expect(server.entryType).toBe('init');
      expect(server.entrySession!.service).toBe(true);
      expect(server.entrySession!.loginRemnant).toBe(false);
    }
  });

  it('remnants of one login (tmux and screen) form one entry session led by the earliest; other logins apart', () => {
    const sim = new SyntheticHost();
    sim.define({ pid: 1, ppid: 0, executable: '/sbin/init' });
    sim.define({ pid: 900, ppid: 1, executable: '/usr/bin/tmux', ...user, sshConnection: SSH });
    sim.define({ pid: 901, ppid: 900, executable: '/usr/bin/bash', ...onTty(pts(3)), ...user });
    sim.define({ pid: 910, ppid: 1, executable: '/usr/bin/screen', ...user });
    sim.define({ pid: 911, ppid: 910, executable: '/usr/bin/bash', ...onTty(pts(4)), ...user });
    sim.define({ pid: 920, ppid: 1, executable: '/usr/bin/tmux', ...user, auditSessionId: AUDIT + 1 });
    for (const pid of [920, 911, 910, 901, 900, 1]) sim.snapshot(pid); // any order
    sim.table.finishBackfill();
    const tmux = sim.table.get(900)!;
    const screen = sim.table.get(910)!;
    expect(screen.entryLeader).toBe(tmux);
    expect(screen.entryType).toBeNull();
    expect(sim.table.get(911)!.entryLeader).toBe(tmux);
    expect(tmux.entrySession!.liveCount).toBe(4);
    expect(sim.table.subSessions(tmux.entrySession!).map((s) => s.sid)).toEqual([900, 901, 910, 911]);
    const other = sim.table.get(920)!;
    expect(other.entryLeader).toBe(other);
    expect(other.entrySession).not.toBe(tmux.entrySession);
    // once the first remnant and its pane are gone, a later one leads on its own
    sim.exit(901);
    sim.exit(900);
    sim.exit(911);
    sim.exit(910);
    sim.define({ pid: 930, ppid: 1, executable: '/usr/bin/tmux', ...user });
    const late = sim.exec(930, '/usr/bin/tmux');
    expect(late.entryLeader).toBe(late);
    expect(late.entrySession!.loginRemnant).toBe(true);
  });

  it('live: a login whose shell ended still claims its audit session while members run', () => {
    const sim = booted();
    const bash = sim.sshLogin(602, { audit: AUDIT, loginUid: 1001 });
    // tmux server: forked by the shell, daemonized
    sim.fork(602, 800);
    sim.setsid(800);
    sim.proc(800).ppid = 1;
    sim.exit(602); // the user logs out; tmux keeps running in the login entry session
    expect(sim.table.get(800)!.entryLeader).toBe(bash);
    // a new session leader under pid 1 with the login's audit ids (`setsid -f job` in the pane)
    sim.fork(800, 810);
    sim.setsid(810);
    sim.proc(810).ppid = 1;
    const job = sim.exec(810, '/usr/local/bin/job');
    expect(job.entryLeader).toBe(bash);
    expect(bash.entrySession!.liveCount).toBe(2);
  });
});

describe('rule table', () => {
  it('keeps every parent rule in one table', () => {
    expect(PARENT_ENTRY_RULES.map((r) => [r.parent, r.type])).toEqual([
      ['ssm-session-worker', 'ssm'],
      ['sshd', 'sshd'],
      ['sshd-session', 'sshd'],
      ['containerd-shim', 'container'],
      ['runc', 'container'],
      ['conmon', 'container'],
    ]);
    expect(EXCLUDED_SELF_PREFIXES).toEqual(['runc', 'containerd-shim', 'calico-node', 'check-status', 'conmon']);
  });

  it('matches parents by name, prefix, pty and self exclusions', () => {
    const self = (name: string, tty = 0): ProcessNode => ({ name, tty }) as ProcessNode;
    expect(matchParentRule('sshd', self('bash'))?.type).toBe('sshd');
    expect(matchParentRule('sshd', self('sshd'))).toBeNull();
    expect(matchParentRule('sshd2', self('bash'))).toBeNull();
    expect(matchParentRule('containerd-shim-runc-v2', self('sh'))?.type).toBe('container');
    expect(matchParentRule('ssm-session-worker', self('sh'))).toBeNull();
    expect(matchParentRule('ssm-session-worker', self('sh', pts(1)))?.type).toBe('ssm');
  });

  it('excludes self-named calico-node/check-status session leaders from parent rules', () => {
    const sim = booted();
    sim.spawnSession(1, 800, '/usr/bin/containerd-shim-runc-v2');
    sim.fork(800, 801);
    sim.setsid(801);
    const calico = sim.exec(801, '/usr/bin/calico-node', ['calico-node']);
    expect(calico.entryLeader?.pid).toBe(800);
    sim.fork(800, 802);
    sim.setsid(802);
    expect(sim.exec(802, '/usr/bin/check-status').entryLeader?.pid).toBe(800);
  });

  it('sshClientIp and isPty', () => {
    expect(sshClientIp('10.0.0.1 5000 10.0.0.2 22')).toBe('10.0.0.1');
    expect(sshClientIp('')).toBe('');
    expect(isPty(pts(0))).toBe(true);
    expect(isPty(TTY1)).toBe(false);
    expect(isPty(0)).toBe(false);
    expect(HOST.bootId.length).toBeGreaterThan(0);
    expect(FdType.char).toBe(1);
  });
});

describe('forged ssh logins: an sshd parent must be vouched for by a root-owned sshd', () => {
  const USER = 1001;
  const FORGED = '203.0.113.66 40000 198.51.100.5 22';

  /** OpenSSH ≥ 9.8: sshd (root) → sshd-session (root monitor) → sshd-session (user) → bash (user). */
  function realLogin(sim: SyntheticHost, shell: number): ProcessNode {
    if (!sim.procs.has(500)) sim.spawnSession(1, 500, '/usr/sbin/sshd', { args: ['sshd', '-D'] });
    const base = shell * 10;
    sim.fork(500, base + 1);
    sim.setsid(base + 1);
    sim.exec(base + 1, '/usr/lib/openssh/sshd-session', ['sshd-session: alice [priv]']);
    sim.fork(base + 1, base + 2);
    sim.idChange(base + 2, USER);
    sim.fork(base + 2, shell);
    sim.setsid(shell, pts(3));
    return sim.exec(shell, '/usr/bin/bash', ['-bash'], { ...onTty(pts(3)), sshConnection: '192.0.2.10 51234 198.51.100.5 22' });
  }

  /** `parent` forks `pid`, which starts a new session on a pty and execs bash with a forged SSH_CONNECTION. */
  function forgedShell(sim: SyntheticHost, parent: number, pid: number): ProcessNode {
    sim.fork(parent, pid);
    sim.setsid(pid, pts(9));
    return sim.exec(pid, '/usr/bin/bash', ['bash', '-i'], { ...onTty(pts(9)), sshConnection: FORGED });
  }

  function expectRefused(bash: ProcessNode): void {
    expect(bash.entryLeader).toBe(bash);
    expect(bash.entryType).toBe('unknown');
    expect(bash.entrySourceIp).toBe('');
    expect(bash.entryClaimedSourceIp).toBe('203.0.113.66');
    expect(bash.entrySession?.type).toBe('unknown');
    expect(bash.entrySession?.sourceIp).toBe('');
  }

  it('a user-owned copy of python named sshd is refused: unknown, the ip only claimed', () => {
    const sim = booted();
    sim.spawnSession(1, 900, '/usr/bin/bash', { uid: USER, euid: USER });
    sim.fork(900, 901);
    sim.exec(901, '/tmp/w/sshd', ['./sshd', '-c', 'pty.spawn(...)']);
    const bash = forgedShell(sim, 901, 902);
    expect(bash.parent?.name).toBe('sshd');
    expectRefused(bash);
    // what runs in it stays in the refused session
    const ls = sim.pipeline(902, [903], ['/usr/bin/ls'])[0]!;
    expect(ls.entryLeader).toBe(bash);
    expect(typeOf(ls)).toBe('unknown');
  });

  it('a user namespace "root" bind-mounting over /usr/sbin/sshd is still the user', () => {
    const sim = booted();
    sim.spawnSession(1, 900, '/usr/bin/bash', { uid: USER, euid: USER });
    sim.fork(900, 901);
    // unshare -Ur: root inside, the sensor reports the global uid; exec -a "sshd: x@pts/7"
    sim.exec(901, '/usr/sbin/sshd', ['sshd: x@pts/7']);
    expectRefused(forgedShell(sim, 901, 902));
  });

  it('root sshd → sshd-session (root) → sshd-session (user) → bash is an sshd login', () => {
    const sim = booted();
    const bash = realLogin(sim, 602);
    expect(bash.parent?.euid).toBe(USER);
    expect(bash.parent?.parent?.euid).toBe(0);
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe('192.0.2.10');
    expect(bash.entryClaimedSourceIp).toBe('');
    expect(bash.entrySession?.sourceIp).toBe('192.0.2.10');
  });

  it('a root-owned sshd parent vouches for itself (no privilege separation, or root’s stand-in)', () => {
    const sim = booted();
    sim.spawnSession(1, 900, '/usr/bin/bash');
    sim.fork(900, 901);
    sim.exec(901, '/tmp/w/sshd', ['./sshd']);
    const bash = forgedShell(sim, 901, 902);
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe('203.0.113.66');
  });

  it('real sshd → bash → fake sshd (user) → bash is refused', () => {
    const sim = booted();
    const login = realLogin(sim, 602);
    sim.fork(602, 603);
    sim.exec(603, '/home/alice/sshd', ['./sshd']);
    const bash = forgedShell(sim, 603, 604);
    expect(bash.parent?.parent).toBe(login);
    expectRefused(bash);
  });

  it('the login shell exec’d into a fake sshd is refused (two user-owned sshd in a row)', () => {
    const sim = booted();
    realLogin(sim, 602);
    sim.exec(602, '/home/alice/sshd', ['./sshd']);
    const bash = forgedShell(sim, 602, 605);
    expect(bash.parent?.parent?.name).toBe('sshd-session');
    expect(bash.parent?.parent?.euid).toBe(USER);
    expectRefused(bash);
  });

  it('an sshd parent whose own parent the model never saw cannot be vouched for (fail closed)', () => {
    const sim = new SyntheticHost();
    sim.define({ pid: 1, ppid: 0, pgid: 1, sid: 1, executable: '/usr/lib/systemd/systemd', comm: 'systemd' });
    sim.define({ pid: 2, ppid: 0, pgid: 0, sid: 0, executable: '', args: [], comm: 'kthreadd' });
    sim.define({ pid: 800, ppid: 799, pgid: 799, sid: 799, uid: USER, euid: USER, executable: '/usr/lib/openssh/sshd-session' });
    sim.define({ pid: 801, ppid: 800, ...onTty(pts(4)), uid: USER, euid: USER, executable: '/usr/bin/bash', sshConnection: FORGED });
    for (const pid of [1, 2, 800, 801]) sim.snapshot(pid);
    sim.table.finishBackfill();
    expectRefused(sim.table.get(801)!);
  });

  it('the decision does not depend on event order: backfill of the same forged chain agrees', () => {
    const sim = new SyntheticHost();
    sim.define({ pid: 1, ppid: 0, pgid: 1, sid: 1, executable: '/usr/lib/systemd/systemd', comm: 'systemd' });
    sim.define({ pid: 2, ppid: 0, pgid: 0, sid: 0, executable: '', args: [], comm: 'kthreadd' });
    // snapshot order: child before its parents (which started first)
    sim.define({ pid: 902, ppid: 901, startTicks: 103, ...onTty(pts(9)), uid: USER, euid: USER, executable: '/usr/bin/bash', sshConnection: FORGED });
    sim.define({ pid: 901, ppid: 900, startTicks: 102, pgid: 900, sid: 900, uid: USER, euid: USER, executable: '/tmp/w/sshd' });
    sim.define({ pid: 900, ppid: 1, startTicks: 101, uid: USER, euid: USER, executable: '/usr/bin/bash' });
    for (const pid of [1, 2, 902, 901, 900]) sim.snapshot(pid);
    sim.table.finishBackfill();
    expectRefused(sim.table.get(902)!);
  });
});
