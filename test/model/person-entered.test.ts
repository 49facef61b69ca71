import { describe, expect, it } from 'vitest';
import { isLeavingLine } from '../../src/model/person-entered.js';
import { SyntheticHost, onTty, pts } from './synthetic-host.js';

function login(): SyntheticHost {
  const sim = new SyntheticHost();
  sim.boot();
  sim.sshLogin(602, { ptyN: 0, client: '192.0.2.1' });
  return sim;
}

describe('person-entered (a typed line introduced it)', () => {
  it('rc-file jobs before the first typed line stop being person-entered once capture shows up', () => {
    const sim = login();
    const [rc] = sim.pipeline(602, [700], ['/usr/bin/clear_console']); // from .bashrc, own group
    expect(rc!.userEntered).toBe(true);
    expect(rc!.personEntered).toBe(true); // capture not known yet: the Cmd rule stands
    sim.exit(700);
    sim.typed(602, 'ls -l');
    const [ls] = sim.pipeline(602, [701], ['/usr/bin/ls']);
    expect(ls!.personEntered).toBe(true);
    expect(rc!.personEntered).toBe(false);
    expect(rc!.userEntered).toBe(true); // ECS user_entered is still the Cmd rule
    expect(sim.table.get(602)!.entrySession!.lastUserEntered).toBe(ls);
  });

  it('once capture is known for the shell binary, a new login\'s rc-file jobs are not the person\'s', () => {
    const sim = login();
    sim.typed(602, 'true');
    sim.sshLogin(603, { ptyN: 1 });
    const [rc] = sim.pipeline(603, [710], ['/usr/bin/lesspipe']);
    expect(rc!.userEntered).toBe(true);
    expect(rc!.personEntered).toBe(false);
    expect(sim.table.get(603)!.entrySession!.lastUserEntered).toBeNull();
  });

  it('logout-file jobs after `exit` are not the person\'s', () => {
    const sim = login();
    sim.typed(602, 'vim x');
    const [vim] = sim.pipeline(602, [700], ['/usr/bin/vim']);
    sim.exit(700);
    sim.typed(602, 'exit');
    const [clear] = sim.pipeline(602, [701], ['/usr/bin/clear_console']);
    expect(vim!.personEntered).toBe(true);
    expect(clear!.personEntered).toBe(false);
    expect(sim.table.get(602)!.entrySession!.lastUserEntered).toBe(vim);
  });

  it('a program\'s own job-control children (sudo\'s monitor) are not the person\'s', () => {
    const sim = login();
    sim.typed(602, 'sudo -i');
    const [sudo] = sim.pipeline(602, [700], ['/usr/bin/sudo']);
    expect(sudo!.personEntered).toBe(true);
    // sudo forks its monitor into a new process group, on the same terminal
    sim.fork(700, 701);
    sim.setpgid(701, 701);
    const monitor = sim.table.get(701)!;
    expect(monitor.userEntered).toBe(true);
    expect(monitor.personEntered).toBe(false);
    // the root shell in sudo's pty session: what is typed there is the person's
    sim.fork(701, 702);
    sim.setsid(702, pts(7));
    sim.exec(702, '/usr/bin/bash', ['-bash'], onTty(pts(7)));
    sim.typed(702, 'id');
    const [id] = sim.pipeline(702, [703], ['/usr/bin/id']);
    expect(id!.personEntered).toBe(true);
  });

  it('recognizes leaving lines', () => {
    expect(isLeavingLine('exit')).toBe(true);
    expect(isLeavingLine('  logout ')).toBe(true);
    expect(isLeavingLine('exit 3')).toBe(true);
    expect(isLeavingLine('exit; ls')).toBe(false);
    expect(isLeavingLine('exiting')).toBe(false);
  });
});

describe('entry session state and logout time', () => {
  it('active, then detached while a tmux server outlives the login, then ended', () => {
    const sim = login();
    const s = sim.table.get(602)!.entrySession!;
    expect(s.state).toBe('active');
    expect(s.end).toBe(0);
    sim.typed(602, 'tmux');
    sim.pipeline(602, [700], ['/usr/bin/tmux']);
    sim.fork(700, 701);
    sim.setsid(701);
    sim.exec(701, '/usr/bin/tmux', ['tmux', 'new', '-d']);
    sim.exit(700);
    const leader = sim.exit(602);
    expect(s.state).toBe('detached');
    expect(s.end).toBe(leader.end);
    sim.exit(701);
    expect(s.state).toBe('ended');
  });
});
