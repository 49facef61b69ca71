/**
 * The live feed of several hosts with a stand-in ssh: every host is a view (a host not reached yet
 * is an empty model labelled with its destination), with its connection state; events reach the
 * listener; a lost host keeps its model.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSshSettings } from '../../src/remote/ssh-command.js';
import type { FeedListener } from '../../src/ui/model-feed.js';
import { MultiHostFeed } from '../../src/ui/multi-host-feed.js';
import { fakeSsh, line } from '../remote/fake-ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-multi-feed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => (pred() ? resolve() : Date.now() > deadline ? reject(new Error('timed out')) : void setTimeout(tick, 10));
    tick();
  });
}

describe('MultiHostFeed', () => {
  it('one view per remote host with its connection; events counted; a lost host keeps its model', async () => {
    const d = mkdtempSync(join(dir, 'f-'));
    mkdirSync(join(d, 'web1'));
    mkdirSync(join(d, 'web2'));
    writeFileSync(join(d, 'web1', 'out.1'), line('snapshot', 100) + line('exec', 101, { ppid: 100, sid: 100, exe: '/bin/ls' }));
    writeFileSync(join(d, 'web1', 'sleep.1'), '1');
    writeFileSync(join(d, 'web1', 'err.1'), 'Connection to web1 closed by remote host.\n');
    writeFileSync(join(d, 'web1', 'sleep.2'), '30');
    writeFileSync(join(d, 'web2', 'err.1'), 'ssh: connect to host web2 port 22: Connection refused\n');
    writeFileSync(join(d, 'web2', 'sleep.2'), '30');
    const settings = parseSshSettings({ ssh: ['web1', 'web2'] });
    settings.sshBinary = fakeSsh(d);
    const feed = new MultiHostFeed(null, settings);
    let events = 0;
    const listener: FeedListener = { event: () => void events++, reset: () => undefined, changed: () => undefined, fatal: () => undefined };
    expect(feed.hosts().map((h) => h.host.via)).toEqual(['web1', 'web2']);
    await feed.start(listener);
    await waitFor(() => feed.hosts()[0]!.connection!.state === 'live' && feed.hosts()[1]!.connection!.state === 'retrying');
    const [web1, web2] = feed.hosts();
    expect(web1!.host.name).toBe('web1');
    expect(web1!.table.get(101)?.executable).toBe('/bin/ls');
    expect(events).toBe(1);
    expect(web2!.table.processes().next().done).toBe(true); // not reached: an empty model
    expect(web2!.connection!.reason).toBe('ssh: connect to host web2 port 22: Connection refused');
    expect(feed.header().notice).toContain('1 of 2 remote hosts live');
    expect(feed.live).toBeNull();
    await waitFor(() => feed.hosts()[0]!.connection!.state !== 'live');
    expect(feed.hosts()[0]!.connection!.reason).toBe('Connection to web1 closed by remote host.');
    expect(feed.hosts()[0]!.table.get(100)?.exited).toBe(false); // kept as last seen
    await feed.close();
    expect(feed.hosts().every((h) => h.connection!.state === 'stopped')).toBe(true);
  });
});
