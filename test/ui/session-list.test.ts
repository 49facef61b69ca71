import { describe, expect, it } from 'vitest';
import { buildSessionList, KERNEL_KEY, SERVICES_KEY } from '../../src/ui/session-list.js';
import { idleSince, sessionRowView } from '../../src/ui/session-row-view.js';
import { ActivityHistory } from '../../src/ui/activity-history.js';
import type { EntrySession } from '../../src/model/types.js';
import { buildScenario, FixtureFeed, FixtureHost } from './ui-fixture.js';

describe('sessions list', () => {
  it('lists human logins first, by login time (rows stay put when sessions act), then folds services and kernel threads', () => {
    const f = new FixtureHost();
    buildScenario(f);
    const hosts = new FixtureFeed(f).hosts();
    const list = buildSessionList(hosts, { servicesExpanded: false, unattached: 4 });
    expect(list.map((e) => (e.session ? `${e.session.type}:${e.session.leader.pid}` : e.key))).toEqual(['console:2000', 'sshd:1001', SERVICES_KEY, KERNEL_KEY]);
    expect(list[2]!.count).toBe(2);
    f.typed(1001, 'uptime'); // alice acts: the order stays
    const again = buildSessionList(hosts, { servicesExpanded: true, unattached: 4 });
    expect(again.map((e) => (e.session ? `${e.session.type}:${e.session.leader.pid}` : e.key))).toEqual([
      'console:2000',
      'sshd:1001',
      SERVICES_KEY,
      'init:400',
      'init:500',
      KERNEL_KEY,
    ]);
    expect(again[3]!.service).toBe(true);
    // the activity order puts her first
    const byActivity = buildSessionList(hosts, { servicesExpanded: false, unattached: 0, sort: 'activity' });
    expect(byActivity.map((e) => e.session?.leader.pid)).toEqual([1001, 2000, undefined]);
  });

  it('row view: user name, source ip, tty, last typed command, idle since the last input', () => {
    const f = new FixtureHost();
    buildScenario(f);
    const feed = new FixtureFeed(f);
    const hosts = feed.hosts();
    const history = new ActivityHistory<EntrySession>();
    const entry = buildSessionList(hosts, { servicesExpanded: false, unattached: 0 }).find((e) => e.session?.type === 'sshd')!;
    const s = entry.session!;
    history.note(s, f.time - 20_000);
    history.note(s, f.time);
    history.note(s, f.time);
    const row = sessionRowView(entry, hosts, history, f.time, 8, false, []);
    expect(row.type).toBe('sshd');
    expect(row.user).toBe('alice');
    expect(row.from).toBe('203.0.113.7');
    expect(row.tty).toBe('pts/3');
    expect(row.live).toBe(s.liveCount);
    expect(row.command).toBe('vim notes.txt');
    expect(row.commandKind).toBe('entered');
    expect(row.activity).toBe('   ▄   █'); // 5-second buckets: 1 event 20 s ago, 2 now
    expect(row.ended).toBe(false);
    expect(idleSince(s)).toBe(f.table.get(1013)!.start);
  });

  it('marks a session whose processes all ended', () => {
    const f = new FixtureHost();
    buildScenario(f);
    f.exit(2002);
    f.exit(2001);
    f.exit(2000);
    const hosts = new FixtureFeed(f).hosts();
    const entry = buildSessionList(hosts, { servicesExpanded: false, unattached: 0 }).find((e) => e.session?.type === 'console')!;
    const row = sessionRowView(entry, hosts, new ActivityHistory(), f.time, 8, false, []);
    expect(row.ended).toBe(true);
    expect(row.live).toBe(0);
  });
});
