/**
 * The store between model and React: throttled publishing, cheap per-event work, windowing, and the
 * height budget.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/ui/screen-layout.js';
import { UiStore } from '../../src/ui/ui-store.js';
import { buildScenario, FixtureFeed, FixtureHost } from './ui-fixture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stores: UiStore[] = [];
afterEach(() => {
  for (const s of stores) s.stop();
  stores = [];
});

function setup(o: { cols?: number; rows?: number; clockIntervalMs?: number } = {}) {
  const f = new FixtureHost();
  const feed = new FixtureFeed(f);
  const store = new UiStore({ feed, cols: o.cols ?? 100, rows: o.rows ?? 30, clockIntervalMs: o.clockIntervalMs ?? 60_000 });
  stores.push(store);
  f.listener = store.feedListener;
  buildScenario(f);
  store.flush();
  return { f, feed, store };
}

describe('UiStore', () => {
  it('publishes model changes at most about ten times a second, however many events arrive', async () => {
    const { f, store } = setup();
    store.start();
    let published = 0;
    store.subscribe(() => published++);
    let events = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < 1000) {
      for (let i = 0; i < 100; i++, events++) f.typed(1001, `line ${events}`);
      await sleep(2);
    }
    await sleep(150);
    expect(events).toBeGreaterThan(5000);
    expect(published).toBeGreaterThanOrEqual(5);
    expect(published).toBeLessThanOrEqual(12);
    expect(store.getSnapshot().sessions.rows[1]!.command).toMatch(/^line \d+$/);
  });

  it('counts an event in O(1) and never blocks: 200 000 events take well under a second and one publish follows', async () => {
    const { store } = setup();
    store.start();
    let published = 0;
    store.subscribe(() => published++);
    const session = store.feed.hosts()[0]!.table.entrySessions()[0]!;
    const node = session.leader;
    const t0 = performance.now();
    const base = store.feed.now() - 1000;
    for (let i = 0; i < 200_000; i++) store.feedListener.event(node, base + (i % 1000) / 2);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(500);
    await sleep(250);
    expect(published).toBe(1);
    expect(store.getSnapshot().header.rate).toBeGreaterThan(0);
  });

  it('copies only the visible rows of a long tree into the snapshot', () => {
    const { f, store } = setup({ cols: 80, rows: 24 });
    for (let pid = 10_000; pid < 15_000; pid++) f.job(2001, pid, '/usr/bin/true', ['true', String(pid)]);
    store.flush();
    const snap = store.getSnapshot();
    expect(snap.tree.total).toBe(5004);
    expect(snap.tree.rows.length).toBe(snap.layout.tree);
    expect(snap.layout.tree).toBeLessThan(24);
    store.execute({ kind: 'focus', pane: 'tree' });
    store.execute({ kind: 'end' });
    const end = store.getSnapshot();
    expect(end.tree.first).toBe(5004 - end.layout.tree);
    expect(end.tree.rows.at(-1)!.pid).toBe(14_999);
  });

  it('shares the height so that the screen is rows − 1 lines, at 80×24 and larger', () => {
    for (const [cols, rows, notice] of [
      [80, 24, false],
      [80, 24, true],
      [120, 40, false],
      [200, 60, true],
    ] as const) {
      const l = computeLayout(cols, rows, 50, notice);
      expect(2 + l.notice + (1 + l.sessions) + (1 + l.tree) + 1).toBe(rows - 1);
      expect(2 + l.notice + 1 + l.overlay + 1).toBe(rows - 1);
      expect(l.tooSmall).toBe(false);
      expect(l.tree).toBeGreaterThanOrEqual(l.sessions);
    }
    expect(computeLayout(79, 24, 3, false).tooSmall).toBe(true);
    expect(computeLayout(80, 23, 3, false).tooSmall).toBe(true);
  });

  it('the default order stays put when sessions act; under the activity order the selection stays on its session', () => {
    const { f, store } = setup();
    store.execute({ kind: 'move', delta: 1 });
    expect(store.getSnapshot().tree.title).toContain('sshd session of alice');
    const users = () => store.getSnapshot().sessions.rows.filter((r) => r.kind === 'session').map((r) => r.user);
    expect(users()).toEqual(['root', 'alice']); // bob's console login came first
    f.typed(1001, 'ls');
    f.typed(2001, 'ls');
    f.typed(1001, 'ls');
    store.flush();
    expect(users()).toEqual(['root', 'alice']);
    expect(store.getSnapshot().sessions.cursor).toBe(1);
    for (let i = 0; i < 5; i++) store.execute({ kind: 'sort' }); // login → start → user → idle → procs → activity
    expect(store.getSnapshot().sessionsSort).toBe('activity');
    expect(users()).toEqual(['alice', 'root']);
    expect(store.getSnapshot().sessions.cursor).toBe(0);
    f.typed(2001, 'ls'); // bob becomes more recent: the rows swap
    store.flush();
    expect(users()).toEqual(['root', 'alice']);
    expect(store.getSnapshot().sessions.cursor).toBe(1);
    expect(store.getSnapshot().tree.title).toContain('sshd session of alice');
  });

  it('carries out the reducer\'s effects in order: a search into a session the filter hides clears it, then selects the typed line', () => {
    const { store } = setup();
    const type = (text: string) => {
      for (const ch of text) store.execute({ kind: 'promptInput', text: ch });
      store.execute({ kind: 'promptSubmit' });
    };
    store.execute({ kind: 'filter' });
    type('user:alice');
    let snap = store.getSnapshot();
    expect(snap.sessionsFilter).toBe('user:alice');
    expect(snap.sessions.rows.filter((r) => r.kind === 'session').map((r) => r.user)).toEqual(['alice']);
    expect(snap.status.message!.text).toBe('1 sessions match "user:alice" (\\ or F4 changes it)');
    store.execute({ kind: 'search' });
    type('top'); // typed by bob at the console: hidden by the filter
    snap = store.getSnapshot();
    expect(snap.sessionsFilter).toBe('');
    expect(snap.status.message!.text).toBe('filter cleared: the match is in a session it hid');
    expect(snap.tree.title).toContain('session of root');
    expect(snap.tree.focused).toBe(true);
    const at = snap.tree.rows[snap.tree.cursor - snap.tree.first]!;
    expect(at.kind).toBe('typed');
    expect(at.text).toBe('top');
    expect(at.match).toBe(true);
    expect(snap.status.search).toMatch(/^\/top 1\/\d+$/);
  });

  it('the clock refreshes idle times and durations once a second without events', async () => {
    const { f, store } = setup({ clockIntervalMs: 50 });
    store.start();
    const before = store.getSnapshot().seq;
    f.time += 5000; // the feed's clock moves, no event
    await sleep(130);
    const snap = store.getSnapshot();
    expect(snap.seq).toBeGreaterThan(before);
    expect(snap.now).toBe(f.time);
  });
});
