/**
 * The replay feed over real recordings (written by src/record): the opening state, steps both ways,
 * seeks, start/end, playing with speed, bad lines and --strict — the model always rebuilt from the
 * raw facts of the lines.
 */

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ProcessNode } from '../../src/model/types.js';
import type { FeedListener } from '../../src/ui/model-feed.js';
import { recordingEndTime } from '../../src/record/recording-end-time.js';
import { ReplayModelFeed } from '../../src/ui/replay-model-feed.js';
import { parseSeekTime } from '../../src/text/time-size-grammar.js';
import { recordFixture } from './recording-fixture.js';
import { HOST } from './ui-fixture.js';
import { UiStore } from '../../src/ui/ui-store.js';

process.env.TZ = 'UTC';
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-ui-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const path = join(dir, 'scenario.ndjson');
const original = recordFixture(path);
const lines = readFileSync(path, 'utf8').trim().split('\n');
const snapshotLines = lines.filter((l) => l.includes('"action":"snapshot"')).length;

interface Heard {
  events: number;
  resets: number;
  failure: { message: string; code: number } | null;
}

function listen(): FeedListener & Heard {
  const l = {
    events: 0,
    resets: 0,
    failure: null as { message: string; code: number } | null,
    event(_n: ProcessNode | null, _t: number) {
      l.events++;
    },
    reset() {
      l.resets++;
    },
    changed() {},
    fatal(message: string, code: number) {
      l.failure = { message, code };
    },
  };
  return l;
}

let feeds: ReplayModelFeed[] = [];
afterEach(() => {
  for (const f of feeds) f.close();
  feeds = [];
});

async function openFeed(file = path, o: ConstructorParameters<typeof ReplayModelFeed>[1] = { paused: true }) {
  const feed = new ReplayModelFeed([file], o);
  feeds.push(feed);
  const l = listen();
  await feed.start(l);
  return { feed, l };
}

const table = (feed: ReplayModelFeed) => feed.hosts()[0]!.table;
const pos = (feed: ReplayModelFeed) => feed.header().replay!;

describe('replay feed', () => {
  it('opens at the state the recording starts from (its snapshot lines)', async () => {
    const { feed, l } = await openFeed();
    expect(snapshotLines).toBe(6);
    expect(pos(feed).applied).toBe(6);
    expect(l.events).toBe(6);
    expect(table(feed).stats().live).toBe(6);
    expect(pos(feed).playing).toBe(false);
    expect(pos(feed).start).toBe(Date.parse(JSON.parse(lines[0]!)['@timestamp']));
    expect(pos(feed).end).toBe(Date.parse(JSON.parse(lines.at(-1)!)['@timestamp']));
    expect(feed.header().source).toBe('replay');
  });

  it('steps one event forward and back (back rebuilds the models from the start)', async () => {
    const { feed, l } = await openFeed();
    feed.replay.stepForward();
    feed.replay.stepForward();
    expect(pos(feed).applied).toBe(8);
    expect(table(feed).get(1000)).toBeDefined(); // the fork, then the exec of sshd for alice
    expect(pos(feed).position).toBe(Date.parse(JSON.parse(lines[7]!)['@timestamp']));
    feed.replay.stepBack();
    expect(l.resets).toBe(1);
    expect(pos(feed).applied).toBe(7);
    expect(table(feed).get(1000)!.executable).toBe('/usr/sbin/sshd'); // forked, runs its parent's image
    expect(table(feed).get(1000)!.args).toEqual(['sshd: /usr/sbin/sshd -D [listener]']);
    feed.replay.stepBack();
    feed.replay.stepBack(); // cannot go before the opening state
    expect(pos(feed).applied).toBe(6);
    expect(table(feed).get(1000)).toBeUndefined();
  });

  it('G goes to the end, g back to the start; the end rebuilds exactly the recorded model', async () => {
    const { feed } = await openFeed();
    feed.replay.toEnd();
    expect(pos(feed).atEnd).toBe(true);
    expect(pos(feed).applied).toBe(lines.length);
    const t = table(feed);
    const sessions = (x: typeof t) =>
      x
        .entrySessions({ includeServices: true })
        .map((s) => `${s.type} ${s.leader.pid} ${s.liveCount}/${s.members.size} ${[...s.members].filter((n) => n.userEntered).length}`)
        .sort();
    expect(sessions(t)).toEqual(sessions(original.table));
    expect(t.get(1013)!.lastUserEntered!.pid).toBe(original.table.get(1013)!.lastUserEntered!.pid);
    expect(t.get(1001)!.typed.map((x) => x.line)).toEqual(['ls -la /etc', 'cd /tmp', 'make build', 'sleep 600', 'tmux']);
    feed.replay.toStart();
    expect(pos(feed).applied).toBe(6);
    expect(pos(feed).atEnd).toBe(false);
  });

  it('seeks to a typed time: relative, share, clock time; bad input says what it accepts', async () => {
    const { feed } = await openFeed();
    const start = pos(feed).start;
    feed.replay.seekTo('+10s');
    expect(pos(feed).position).toBe(start + 10_000);
    const applied10 = pos(feed).applied;
    const t10 = start + 10_000;
    expect(lines.slice(0, applied10).every((l) => Date.parse(JSON.parse(l)['@timestamp']) <= t10 + 1e-6)).toBe(true);
    expect(Date.parse(JSON.parse(lines[applied10]!)['@timestamp'])).toBeGreaterThan(t10);
    feed.replay.seekTo('-5s');
    expect(pos(feed).position).toBe(t10 - 5000);
    feed.replay.seekTo('100%');
    expect(pos(feed).atEnd).toBe(true);
    feed.replay.seekTo('10:00:30');
    expect(pos(feed).position).toBe(Date.UTC(2024, 4, 1, 10, 0, 30));
    expect(() => feed.replay.seekTo('soon')).toThrow(/cannot read "soon" as a time \(examples: 12:03:04, \+30s/);
  });

  it('plays with the wall clock × speed, and stops at the end', async () => {
    let wall = 1_000_000;
    const { feed } = await openFeed(path, { speed: 4, wallClock: () => wall });
    expect(pos(feed).playing).toBe(true);
    expect(pos(feed).speed).toBe(4);
    const p0 = pos(feed).position;
    wall += 1000;
    feed.tick();
    expect(pos(feed).position).toBe(p0 + 4000);
    feed.replay.faster();
    expect(pos(feed).speed).toBe(8);
    feed.replay.slower();
    feed.replay.slower();
    expect(pos(feed).speed).toBe(2);
    feed.replay.togglePlay();
    wall += 1000;
    feed.tick();
    expect(pos(feed).position).toBe(p0 + 4000);
    feed.replay.togglePlay();
    feed.tick(); // the clock restarts from the resume
    wall += 600_000;
    feed.tick();
    expect(pos(feed).atEnd).toBe(true);
    expect(pos(feed).playing).toBe(false);
    expect(pos(feed).applied).toBe(lines.length);
  });

  it('counts bad lines and says where the last one was; --strict ends the replay with status 2', async () => {
    const bad = join(dir, 'bad.ndjson');
    writeFileSync(bad, `${lines.slice(0, 8).join('\n')}\nnot json\n{"@timestamp":"x"}\n${lines.slice(8).join('\n')}\n`);
    const { feed } = await openFeed(bad);
    feed.replay.toEnd();
    expect(feed.header().badLines).toBe(2);
    expect(feed.header().notice).toMatch(/2 bad lines skipped; last: .*bad\.ndjson:10: /);
    expect(pos(feed).applied).toBe(lines.length);

    const strict = await openFeed(bad, { strict: true, paused: true });
    strict.feed.replay.toEnd();
    expect(strict.l.failure).toEqual({ message: expect.stringMatching(/bad\.ndjson:9: not a JSON object/), code: 2 });
  });

  it('refuses what is not a recording before anything is shown (exit status 2)', () => {
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(() => new ReplayModelFeed([empty])).toThrow(/empty recording/);
    expect(() => new ReplayModelFeed([join(dir, 'missing.ndjson')])).toThrow(/no such file/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'hello\nworld\n');
    let err: unknown;
    try {
      new ReplayModelFeed([garbage]);
    } catch (e) {
      err = e;
    }
    expect((err as { exitCode: number }).exitCode).toBe(2);
  });

  it('reads the end time from the tail, skipping a cut last line', () => {
    const cut = join(dir, 'cut.ndjson');
    writeFileSync(cut, `${lines.join('\n')}\n`);
    appendFileSync(cut, '{"@timestamp":"2030-01-01T00:00:00Z","event":{"act');
    expect(recordingEndTime(cut)).toBe(Date.parse(JSON.parse(lines.at(-1)!)['@timestamp']));
    expect(recordingEndTime(join(dir, 'nope'))).toBeNaN();
  });

  it('replays several hosts side by side: one model per host, sessions labelled user@host', async () => {
    const other = join(dir, 'db-1.ndjson');
    recordFixture(other, undefined, { ...HOST, name: 'db-1', bootId: '11111111-2222-4333-8444-555555555555' });
    const feed = new ReplayModelFeed([path, other], { paused: true });
    feeds.push(feed);
    await feed.start(listen());
    feed.replay.toEnd();
    expect(feed.hosts().map((h) => h.host.name).sort()).toEqual(['db-1', 'web-1']);
    const store = new UiStore({ feed, cols: 120, rows: 40 });
    store.flush();
    const snap = store.getSnapshot();
    expect(snap.header.host).toBe('2 hosts');
    expect(snap.sessions.rows.filter((r) => r.type === 'sshd').map((r) => r.user).sort()).toEqual(['alice@db-1', 'alice@web-1']);
    store.stop();
  });

  it('parses seek times', () => {
    const ctx = { position: Date.UTC(2024, 4, 1, 10, 0, 30), start: Date.UTC(2024, 4, 1, 10, 0, 0), end: Date.UTC(2024, 4, 1, 10, 1, 40) };
    expect(parseSeekTime('+30s', ctx)).toBe(ctx.position + 30_000);
    expect(parseSeekTime('-1m', ctx)).toBe(ctx.position - 60_000);
    expect(parseSeekTime('+500ms', ctx)).toBe(ctx.position + 500);
    expect(parseSeekTime('50%', ctx)).toBe(ctx.start + 50_000);
    expect(parseSeekTime('10:01', ctx)).toBe(Date.UTC(2024, 4, 1, 10, 1, 0));
    expect(parseSeekTime('2024-05-01T10:00:05Z', ctx)).toBe(Date.UTC(2024, 4, 1, 10, 0, 5));
    expect(parseSeekTime('@1714557605', ctx)).toBe(Date.UTC(2024, 4, 1, 10, 0, 5));
    expect(() => parseSeekTime('yesterday', ctx)).toThrow(/cannot read "yesterday"/);
  });
});

describe('replay feed, seeking back in a long recording', () => {
  it('resumes from the nearest checkpoint instead of re-reading from the start, and lands on the same state', async () => {
    const { writeSyntheticRecording } = await import('../../bench/record-workload.js');
    const long = join(dir, 'long.ndjson');
    const total = writeSyntheticRecording(long, 70_000).lines;
    const waitIdle = async (feed: ReplayModelFeed): Promise<void> => {
      for (let i = 0; i < 2000 && pos(feed).busy !== ''; i++) await new Promise((r) => setImmediate(r));
      expect(pos(feed).busy).toBe('');
    };
    const { feed, l } = await openFeed(long);
    feed.replay.toEnd();
    await waitIdle(feed);
    expect(pos(feed).applied).toBe(total);
    const end = pos(feed).position;
    const start = pos(feed).start;
    const target = Math.floor(start + (end - start) * 0.6); // ISO times carry milliseconds

    const before = l.events;
    feed.replay.seekTo(new Date(target).toISOString());
    await waitIdle(feed);
    const replayed = l.events - before;
    // from the start it would be ~60% of the file; from a checkpoint (every 20 000 events) at most that many
    expect(replayed).toBeLessThanOrEqual(20_000);
    expect(pos(feed).position).toBe(target);

    // the same moment reached going forward only: the same live processes, leaders and entry types
    const { feed: fresh } = await openFeed(long);
    fresh.replay.seekTo(new Date(target).toISOString());
    await waitIdle(fresh);
    expect(pos(fresh).applied).toBe(pos(feed).applied);
    const view = (t: ReturnType<typeof table>) =>
      [...t.processes()]
        .filter((n) => !n.exited)
        .map((n) => `${n.entityId} ${n.entryLeader?.entityId ?? '-'} ${n.entryLeader?.entryType ?? '-'} ${n.sessionLeader?.entityId ?? '-'}`)
        .sort();
    expect(view(table(feed))).toEqual(view(table(fresh)));
  }, 120_000);
});
