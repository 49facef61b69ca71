import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { DEGRADED_WARNING, runSnapshot } from '../../src/commands/snapshot.js';
import { validateRecordLine } from '../../src/record/schema.js';
import { buildRichSession, RICH_HOST, RICH_NAMES } from '../record/rich-session.js';
import { modelFingerprint } from '../record/model-fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rich = buildRichSession();

async function run(opts: Parameters<typeof runSnapshot>[0]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSnapshot({ ...opts, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const liveEvents = () =>
  rich.events
    .filter((e) => e.action === 'snapshot' || e.action === 'fork' || e.action === 'exec' || e.action === 'setsid')
    .map((e) => ({ ...e, action: 'snapshot' as const, args: e.pid === 1001 ? ['-bash', '\u001b]0;owned\u0007'] : e.args }));

describe('snapshot', () => {
  it('--json prints one valid snapshot line per live process, itself a recording that replays to the same live state', async () => {
    const src = join(dir, 'rich.ndjson');
    writeFileSync(src, rich.lines.join(''));
    const { code, out, err } = await run({ from: [src], json: true });
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.split('\n').filter(Boolean);
    const live = [...rich.table.processes()].filter((n) => !n.exited);
    expect(lines.length).toBe(live.length);
    for (const l of lines) {
      const d = JSON.parse(l);
      expect(validateRecordLine(d).ok).toBe(true);
      expect(d.event.action).toBe('snapshot');
    }
    // and it is a recording: replaying it gives the same live processes, leaders and entry sessions
    const again = join(dir, 'snapshot.ndjson');
    writeFileSync(again, out);
    const replay = RecordingReplay.open([again]);
    replay.replayAll();
    const table = [...replay.models.values()][0]!.table;
    table.finishBackfill();
    const pick = (m: Map<string, ReturnType<typeof modelFingerprint> extends Map<string, infer F> ? F : never>) =>
      new Map([...m].filter(([, f]) => !f.exited).map(([id, f]) => [id, [f.parent, f.sessionLeader, f.entryLeader, f.entryType, f.entrySourceIp, f.interactive, f.executable]]));
    expect(pick(modelFingerprint(table))).toEqual(pick(modelFingerprint(rich.table)));
    replay.close();
  });

  it('text --all: service trees, and the processes in no entry session as a tree (nothing leaderless hides)', async () => {
    const plain = await run({ liveHost: RICH_HOST, liveEvents, names: RICH_NAMES, euid: 0, lastInput: () => Number.NaN });
    expect(plain.out).toContain('1 process in no entry session (0 kernel threads, pid 1); --all lists them');
    expect(plain.out).not.toContain('/sbin/init splash');
    const { code, out } = await run({ liveHost: RICH_HOST, liveEvents, names: RICH_NAMES, euid: 0, lastInput: () => Number.NaN, all: true });
    expect(code).toBe(0);
    expect(out).toContain('── init session of root — leader 700 sshd, 1 live');
    expect(out).toMatch(/1 process in no entry session \(0 kernel threads, pid 1\):\n {2}PID .*\n {2}1 +0 +root +\? .*\/sbin\/init splash\n/);
  });

  it('text: sessions like w, trees like ps f, every process string escaped', async () => {
    const { code, out } = await run({ liveHost: RICH_HOST, liveEvents, names: RICH_NAMES, euid: 0, lastInput: () => Number.NaN });
    expect(code).toBe(0);
    expect(out).not.toMatch(/[\u001b\u0007]/);
    expect(out).toContain('-bash \\e]0;owned\\x07');
    expect(out).toMatch(/^host rich-host \(boot 0d5b6c1e\) {2}at /);
    expect(out).toMatch(/\nTYPE +USER +FROM +TTY +LOGIN@ +IDLE +PROCS +WHAT +LAST TYPED\n/);
    expect(out).toMatch(/\nsshd +alice +198\.51\.100\.7 +pts\/4 /);
    expect(out).toContain('── sshd session of alice — leader 1001 bash');
    expect(out).toMatch(/\n {2}1002 +1001 +alice +pts\/4 .* \\_ python3 job\.py x+ …\n/);
  });

  it('--at without --from is a usage error', async () => {
    const { code, err } = await run({ at: '+5s', liveHost: RICH_HOST, liveEvents: () => [] });
    expect(code).toBe(2);
    expect(err).toBe('sessiontop snapshot: --at needs --from FILE (a live snapshot is always now)\n');
  });

  it('--at shows the moment asked for', async () => {
    const src = join(dir, 'rich-at.ndjson');
    writeFileSync(src, rich.lines.join(''));
    const execOf1002 = JSON.parse(rich.lines.find((l) => l.includes('"action":"exec"') && l.includes('"pid":1002'))!);
    const before = await run({ from: [src], json: true, at: execOf1002['@timestamp'] });
    const pids = before.out.split('\n').filter(Boolean).map((l) => JSON.parse(l).process.pid);
    expect(pids).toContain(1002);
    const atEnd = await run({ from: [src], json: true });
    expect(atEnd.out.split('\n').filter(Boolean).map((l) => JSON.parse(l).process.pid)).not.toContain(1002);
  });

  it('live: IDLE from the terminal\'s last input (as w), WHAT runs now; typed lines need a recording, said once', async () => {
    const at = Math.max(...liveEvents().map((e) => e.time));
    const { code, out, err } = await run({ liveHost: RICH_HOST, liveEvents, names: RICH_NAMES, euid: 0, lastInput: () => at - 4 * 60_000 });
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/\nsshd +alice +198\.51\.100\.7 +pts\/4 +\d\d:\d\d:\d\d +4m +\d+ +python3 job\.py x+… +\?\n/);
    expect(out).toContain('(typed lines are known from a recording: snapshot --history FILE, or --from FILE)');
  });

  it('live with --history: the recording\'s typed lines, and what it left alive that is gone has ended', async () => {
    const src = join(dir, 'rich-history.ndjson');
    writeFileSync(src, rich.lines.join(''));
    const { code, out, err } = await run({ liveHost: RICH_HOST, liveEvents: () => liveEvents().filter((e) => e.pid !== 1002), names: RICH_NAMES, euid: 0, history: [src], lastInput: () => Number.NaN });
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/\nsshd +alice .* -bash +python3 job\.py "\\e\[31mred\\e\[0m" \| tee out\n/);
    expect(out).not.toContain('typed lines are known from a recording');
    expect(out).not.toMatch(/\n {2}1002 /); // ended in the recording, not in /proc: not shown live
  });

  it('run as a non-root user, says in one line that it is degraded', async () => {
    const { code, err } = await run({ liveHost: RICH_HOST, liveEvents, names: RICH_NAMES, euid: 1000 });
    expect(code).toBe(0);
    expect(err.split('\n').filter(Boolean)).toEqual([`sessiontop snapshot: ${DEGRADED_WARNING}`]);
  });
});
