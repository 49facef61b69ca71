import { describe, expect, it } from 'vitest';
import { detailLines } from '../../src/ui/detail-fields.js';
import { SyntheticHost, onTty, pts } from '../model/synthetic-host.js';
import { NAMES } from './ui-fixture.js';

describe('detail panel: a refused ssh login', () => {
  it('shows the SSH_CONNECTION address as claimed, never as the entry source ip', () => {
    const sim = new SyntheticHost();
    sim.boot();
    sim.spawnSession(1, 900, '/usr/bin/bash', { uid: 1001, euid: 1001 });
    sim.fork(900, 901);
    sim.exec(901, '/tmp/w/sshd', ['./sshd']);
    sim.fork(901, 902);
    sim.setsid(902, pts(9));
    const bash = sim.exec(902, '/usr/bin/bash', ['bash', '-i'], { ...onTty(pts(9)), sshConnection: '203.0.113.66 40000 198.51.100.5 22' });
    const text = detailLines(bash, NAMES, sim.time)
      .map((l) => JSON.stringify(l))
      .join('\n');
    expect(text).toContain('claimed 203.0.113.66');
    expect(text).not.toMatch(/"entry source ip"[^\n]*"203\.0\.113\.66"/);
    // a process in that session: its entry leader's section says the same
    const ls = sim.pipeline(902, [903], ['/usr/bin/ls'])[0]!;
    const lsText = detailLines(ls, NAMES, sim.time)
      .map((l) => JSON.stringify(l))
      .join('\n');
    expect(lsText).toContain('claimed 203.0.113.66');
    expect(lsText).toMatch(/claimed source ip 203\.0\.113\.66, untrusted/);
    expect(lsText).not.toMatch(/"entry source ip"[^\n]*"203\.0\.113\.66"/);
  });
});
