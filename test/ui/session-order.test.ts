import { describe, expect, it } from 'vitest';
import { buildSessionList } from '../../src/ui/session-list.js';
import { parseSessionFilter, sessionPasses } from '../../src/ui/session-filter.js';
import { followTarget, humanRank, nextSortKey, SESSION_SORT_KEYS } from '../../src/ui/session-order.js';
import { buildScenario, FixtureFeed, FixtureHost } from './ui-fixture.js';

function host() {
  const f = new FixtureHost();
  const pids = buildScenario(f);
  // automation: a session of its own without a terminal (unknown type), very busy
  // (its parent was never seen: an `unknown` entry session)
  f.define({ pid: 3000, ppid: 9999, executable: '/usr/bin/bash', args: ['bash', '/dev/fd/3'] });
  f.exec(3000, '/usr/bin/bash', ['bash', '/dev/fd/3']);
  for (let i = 0; i < 20; i++) {
    f.fork(3000, 3100 + i);
    f.exec(3100 + i, '/usr/bin/curl', ['curl', 'http://x']);
    f.exit(3100 + i);
  }
  return { f, pids, hosts: new FixtureFeed(f).hosts() };
}

describe('session order', () => {
  it('human logins come before automation, whatever the automation does', () => {
    const { hosts } = host();
    const list = buildSessionList(hosts, { servicesExpanded: false, unattached: 0 }).filter((e) => e.kind === 'session');
    expect(list.map((e) => e.session!.type)).toEqual(['console', 'sshd', 'unknown']);
    expect(humanRank(list[0]!.session!)).toBe(0);
    expect(humanRank(list[2]!.session!)).toBe(1);
  });

  it('every key gives a total order; o / F6 cycles through them', () => {
    const { hosts } = host();
    const seen = new Set<string>();
    let key = SESSION_SORT_KEYS[0]!;
    for (let i = 0; i < SESSION_SORT_KEYS.length; i++) {
      seen.add(key);
      const order = buildSessionList(hosts, { servicesExpanded: false, unattached: 0, sort: key }).map((e) => e.key);
      expect(buildSessionList(hosts, { servicesExpanded: false, unattached: 0, sort: key }).map((e) => e.key)).toEqual(order);
      key = nextSortKey(key);
    }
    expect(key).toBe('login');
    expect(seen.size).toBe(SESSION_SORT_KEYS.length);
    const byUser = buildSessionList(hosts, { servicesExpanded: false, unattached: 0, sort: 'user' }).filter((e) => e.kind === 'session');
    expect(byUser.map((e) => e.session!.leader.pid)).toEqual([1001, 2000, 3000]); // alice, root (console), root (automation, later)
    const byProcs = buildSessionList(hosts, { servicesExpanded: false, unattached: 0, sort: 'procs' }).filter((e) => e.kind === 'session');
    expect(byProcs[0]!.session!.leader.pid).toBe(1001);
  });

  it('follow picks the session where a person acted last, not the busiest', () => {
    const { f, hosts } = host();
    const sessions = () => buildSessionList(hosts, { servicesExpanded: false, unattached: 0 }).filter((e) => e.session !== null).map((e) => ({ s: e.session!, e }));
    // alice's vim (entered after bob's top) is the latest act, although the automation is busier
    expect(followTarget(sessions())!.s.leader.pid).toBe(1001);
    f.typed(2001, 'uptime');
    expect(followTarget(sessions())!.s.leader.pid).toBe(2000);
    for (let i = 0; i < 5; i++) f.fork(3000, 3200 + i);
    expect(followTarget(sessions())!.s.leader.pid).toBe(2000);
  });
});

describe('session filter', () => {
  const facts = { user: 'alice', type: 'sshd', host: 'web-1', from: '203.0.113.7', tty: 'pts/3', state: 'active' };
  it('key:value terms, bare words, exclusions', () => {
    expect(sessionPasses(parseSessionFilter('user:alice'), facts)).toBe(true);
    expect(sessionPasses(parseSessionFilter('user:bob'), facts)).toBe(false);
    expect(sessionPasses(parseSessionFilter('type:SSHD host:web'), facts)).toBe(true);
    expect(sessionPasses(parseSessionFilter('203.0.113'), facts)).toBe(true);
    expect(sessionPasses(parseSessionFilter('-type:unknown'), facts)).toBe(true);
    expect(sessionPasses(parseSessionFilter('-alice'), facts)).toBe(false);
    expect(sessionPasses(parseSessionFilter('state:ended'), facts)).toBe(false);
    expect(() => parseSessionFilter('color:red')).toThrow('unknown filter field "color"');
  });

  it('filters the sessions list by user, type and host', () => {
    const { hosts } = host();
    const pids = (text: string) =>
      buildSessionList(hosts, { servicesExpanded: true, unattached: 0, filter: parseSessionFilter(text) })
        .filter((e) => e.kind === 'session')
        .map((e) => e.session!.leader.pid);
    expect(pids('user:alice')).toEqual([1001]);
    expect(pids('type:console')).toEqual([2000]);
    expect(pids('host:web-1 -type:init -type:unknown')).toEqual([2000, 1001]);
    expect(pids('host:db')).toEqual([]);
  });
});
