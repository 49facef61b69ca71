/**
 * Recording from the live view (the same LiveRecorder as `sessiontop record`): a recording started mid-run begins with a snapshot of every live
 * process, every line is valid against the recording schema, and the file replays into the same
 * sessions; files are created 0600 and never over an existing one.
 */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveRecorder } from '../../src/record/live-recorder.js';
import { validateRecordLine } from '../../src/record/schema.js';
import { ReplayModelFeed } from '../../src/ui/replay-model-feed.js';
import { buildScenario, FixtureHost, HOST, NAMES } from '../ui/ui-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-ui-rec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('live recording', () => {
  it('starts mid-run with a snapshot of the live processes, then every event; replays into the same sessions', async () => {
    const f = new FixtureHost();
    buildScenario(f);
    const path = join(dir, 'mid.ndjson');
    const rec = LiveRecorder.open({ output: path, host: HOST, table: f.table, names: NAMES });
    rec.writeLiveSnapshot(f.table, f.time);
    f.onApplied = (e, node) => rec.handlers.onEvent(e, node);
    f.typed(1001, 'id');
    f.job(1001, 1300, '/usr/bin/id', ['id']);
    f.exit(1300, 0);
    f.setpgid(1013, 1013);
    const done = rec.close();
    expect(done.path).toBe(path);
    expect(done.bytes).toBe(statSync(path).size);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const live = f.table.stats().live;
    expect(lines.slice(0, live - 1).every((l) => l.includes('"action":"snapshot"'))).toBe(true);
    for (const l of lines) expect(validateRecordLine(JSON.parse(l)).ok).toBe(true);
    expect(lines.at(-1)).toContain('"action":"setpgid"');

    const feed = new ReplayModelFeed([path], { paused: true });
    await feed.start({ event() {}, reset() {}, changed() {}, fatal() {} });
    feed.replay.toEnd();
    const t = feed.hosts()[0]!.table;
    const alice = t.entrySessions().find((s) => s.type === 'sshd')!;
    expect(alice.leader.pid).toBe(1001);
    expect(t.get(1300)!.userEntered).toBe(true);
    expect(t.get(1300)!.exited).toBe(true);
    expect(t.get(1001)!.typed.map((x) => x.line)).toEqual(['id']);
    feed.close();
  });

  it('refuses an existing file unless forced, and a symlink always', () => {
    const path = join(dir, 'exists.ndjson');
    writeFileSync(path, 'x\n');
    const f = new FixtureHost();
    expect(() => LiveRecorder.open({ output: path, host: HOST, table: f.table, names: NAMES })).toThrow(/already exists; use --force/);
    const r = LiveRecorder.open({ output: path, host: HOST, table: f.table, names: NAMES, force: true });
    r.close();
    expect(statSync(path).size).toBe(0);
  });
});
