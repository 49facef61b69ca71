import { describe, expect, it } from 'vitest';
import { ActivityHistory } from '../../src/ui/activity-history.js';
import { connectionText, groupsByHost, groupSessionsByHost, hostHeaderText } from '../../src/ui/host-groups.js';
import type { HostConnectionView, HostModelView } from '../../src/ui/model-feed.js';
import { buildSessionList, KERNEL_KEY, SERVICES_KEY } from '../../src/ui/session-list.js';
import { sessionRowView } from '../../src/ui/session-row-view.js';
import type { EntrySession } from '../../src/model/types.js';
import { buildScenario, FixtureFeed, FixtureHost } from './ui-fixture.js';

function conn(state: HostConnectionView['state'], extra: Partial<HostConnectionView> = {}): HostConnectionView {
  return { state, reason: '', retryAt: 0, notice: '', attempts: 1, ...extra };
}

/** Two hosts: this one (local) and one watched over ssh (its label: the destination). */
function twoHosts(remote: HostConnectionView): HostModelView[] {
  const local = new FixtureHost();
  buildScenario(local);
  const far = new FixtureHost();
  buildScenario(far);
  const l = new FixtureFeed(local).hosts()[0] as HostModelView;
  const r = new FixtureFeed(far).hosts()[0] as HostModelView;
  return [
    { ...l, connection: conn('local') },
    { ...r, host: { ...r.host, via: 'ops@web1\u001b[2J' }, connection: remote },
  ];
}

describe('sessions list grouped by host', () => {
  it('one header row per host, then its login sessions; folds stay at the end', () => {
    const hosts = twoHosts(conn('live'));
    expect(groupsByHost(hosts)).toBe(true);
    expect(groupsByHost(hosts.map(({ connection: _c, ...h }) => h))).toBe(false);
    const flat = buildSessionList(hosts, { servicesExpanded: false, unattached: 3 });
    const grouped = groupSessionsByHost(flat, hosts);
    expect(grouped.map((e) => (e.kind === 'session' ? `${e.hostIndex}:${e.session!.type}` : e.kind === 'host' ? `H${e.hostIndex}:${e.count}` : e.key))).toEqual([
      'H0:2',
      '0:console',
      '0:sshd',
      'H1:2',
      '1:console',
      '1:sshd',
      SERVICES_KEY,
      KERNEL_KEY,
    ]);
    // header text: escaped label, state, count
    expect(hostHeaderText(hosts[1]!, 2, 0)).toBe('ops@web1\\e[2J (' + hosts[1]!.host.name + ') · live · 2 sessions');
    expect(hostHeaderText(hosts[0]!, 1, 0)).toBe(`${hosts[0]!.host.name} (this host) · live · 1 session`);
  });

  it('a lost host says why and when it retries; its sessions are dimmed until it is back', () => {
    const now = 1_000_000;
    const hosts = twoHosts(conn('retrying', { reason: 'ssh: connect to host web1 port 22: Connection refused', retryAt: now + 7200 }));
    expect(connectionText(hosts[1]!, now)).toBe('lost: ssh: connect to host web1 port 22: Connection refused · retrying in 8 s');
    expect(connectionText({ ...hosts[1]!, connection: conn('connecting', { attempts: 3, reason: 'refused' }) }, now)).toBe('connecting (attempt 3; last: refused)');
    const grouped = groupSessionsByHost(buildSessionList(hosts, { servicesExpanded: false, unattached: 0 }), hosts);
    const history = new ActivityHistory<EntrySession>();
    const rows = grouped.map((e) => sessionRowView(e, hosts, history, now, 8, false, []));
    const header = rows.find((r) => r.kind === 'host' && r.hostState === 'retrying')!;
    expect(header.label).toContain('retrying in 8 s');
    const remoteRows = rows.filter((_, i) => grouped[i]!.kind === 'session' && grouped[i]!.hostIndex === 1);
    const localRows = rows.filter((_, i) => grouped[i]!.kind === 'session' && grouped[i]!.hostIndex === 0);
    expect(remoteRows.length).toBe(2);
    expect(remoteRows.every((r) => r.ended)).toBe(true);
    expect(localRows.some((r) => !r.ended)).toBe(true);
    // under its header a session needs no @host suffix
    expect(remoteRows.every((r) => !r.user.includes('@'))).toBe(true);
  });
});
