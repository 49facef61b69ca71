import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExitError } from '../../src/exit-error.js';
import { MergedRecordingReader, RecordingFileReader, type BadLine } from '../../src/record/recording-reader.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { runSnapshot } from '../../src/commands/snapshot.js';
import { buildRichSession, CONTAINER_ID, PTY, RICH_HOST } from './rich-session.js';
import { modelFingerprint } from './model-fingerprint.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Buffer): string {
  const p = join(dir, `r${n++}.ndjson`);
  writeFileSync(p, content);
  return p;
}

const rich = buildRichSession();
const richText = rich.lines.join('');

/** Runs `snapshot --from` capturing output; returns status, stdout, stderr lines. */
async function snapshot(from: string[], extra: { strict?: boolean; json?: boolean; at?: string } = {}): Promise<{ code: number; out: string; err: string[] }> {
  let out = '';
  let err = '';
  const code = await runSnapshot({
    from,
    json: extra.json ?? true,
    strict: extra.strict ?? false,
    ...(extra.at !== undefined ? { at: extra.at } : {}),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  return { code, out, err: err.split('\n').filter(Boolean) };
}

function expectNoStackTrace(lines: string[]): void {
  for (const l of lines) {
    expect(l.startsWith('sessiontop snapshot: ')).toBe(true);
    expect(l).not.toMatch(/^\s+at |\.ts:\d+|\.js:\d+/);
  }
}

describe('reading a valid recording', () => {
  it('yields one event per line with raw facts and hosts', () => {
    const r = RecordingFileReader.open(file(richText));
    const actions: string[] = [];
    for (let e = r.next(); e !== null; e = r.next()) {
      actions.push(e.event.action);
      expect(e.host.info.name).toBe('rich-host');
      if (e.event.action === 'end' && e.event.pid === 1003) {
        expect(e.event.signal).toBe(11);
        expect(e.event.coreDumped).toBe(true);
        expect(e.event.exitCode).toBe(0);
      }
      if (e.event.action === 'end' && e.event.pid === 1002) expect(e.event.exitCode).toBe(3);
      if (e.event.action === 'typed') expect(e.event.line).toBe('python3 job.py "\u001b[31mred\u001b[0m" | tee out');
      if (e.event.action === 'text_output') {
        // the raw terminal bytes come back exactly, with the io counters and the window size
        expect(e.event.text).toBe('alice@host:~$ \u001b[31mred\u001b[0m\r\n');
        expect([e.event.ioBytes, e.event.ioSkipped, e.event.ioSkips, e.event.ioCapped]).toEqual([29, 12, [14, 12], true]);
        expect([e.event.ttyRows, e.event.ttyColumns, e.event.tty]).toEqual([40, 120, PTY]);
      }
      if (e.event.action === 'setpgid') expect([e.event.pid, e.event.targetPid, e.event.targetPgid]).toEqual([1001, 1002, 1002]);
      if (e.event.action === 'exec' && e.event.pid === 1002) {
        expect(e.event.argsTruncated).toBe(true);
        expect(e.event.cgroup).toBe(`docker-${CONTAINER_ID}.scope`);
        expect(e.event.tty).toBe(PTY);
        expect(e.event.loginUid).toBe(1000);
        expect(e.event.auditSessionId).toBe(7);
        expect(e.event.startTicks).toBe(360_100);
        expect(e.event.start).toBe(RICH_HOST.bootTimeMs + 3_601_000);
      }
      if (e.event.action === 'lost') expect(e.event.lost).toBe(17);
    }
    expect(actions).toEqual(['snapshot', 'snapshot', 'fork', 'setsid', 'exec', 'typed', 'text_output', 'fork', 'setpgid', 'exec', 'fork', 'exec', 'id_change', 'end', 'end', 'lost']);
    expect(r.stats).toEqual({ lines: 16, events: 16, badLines: 0, truncatedTail: false });
    r.close();
  });

  it('replay recomputes the model exactly (leaders, entry type, source ip, user-entered, container, exits)', () => {
    const replay = RecordingReplay.open([file(richText)]);
    replay.replayAll();
    const table = [...replay.models.values()][0]!.table;
    expect(modelFingerprint(table)).toEqual(modelFingerprint(rich.table));
    const shell = table.get(1001)!;
    expect(shell.entryType).toBe('sshd');
    expect(shell.entrySourceIp).toBe('198.51.100.7');
    expect(shell.entryLeader).toBe(shell);
    const job = table.find(1002, 360_100)!;
    expect(job.userEntered).toBe(true);
    expect(job.containerId).toBe(CONTAINER_ID);
    expect(job.exitCode).toBe(3);
    expect(table.find(1003, 360_200)!.exitCause).toBe('coredumped');
    expect(table.find(1003, 360_200)!.lastUserEntered).toBe(job);
    expect(table.stats().lost).toBe(17);
    // the names the recording carried are learned per host
    expect([...replay.models.values()][0]!.host.names.user(1000)).toBe('alice');
    replay.close();
  });

  it('derived fields in the file are never trusted', () => {
    const forged = rich.lines
      .map((l) => {
        const o = JSON.parse(l);
        if (o.process?.entry_leader) o.process.entry_leader.entry_meta = { type: 'console', source: { ip: '6.6.6.6' } };
        if (o.process) {
          o.process.entity_id = 'forged';
          o.process.interactive = false;
        }
        if (o.sessiontop) o.sessiontop.user_entered = false;
        return `${JSON.stringify(o)}\n`;
      })
      .join('');
    const replay = RecordingReplay.open([file(forged)]);
    replay.replayAll();
    const table = [...replay.models.values()][0]!.table;
    expect(modelFingerprint(table)).toEqual(modelFingerprint(rich.table));
    replay.close();
  });

  it('tolerates a truncated last line (after a crash) with a warning, not an error', async () => {
    const cut = richText.slice(0, richText.length - 40); // the last line loses its end and newline
    const p = file(cut);
    const warnings: string[] = [];
    const bad: BadLine[] = [];
    const r = RecordingFileReader.open(p, { onWarning: (w) => warnings.push(w), onBadLine: (b) => bad.push(b) });
    let events = 0;
    while (r.next() !== null) events++;
    expect(events).toBe(15);
    expect(bad).toEqual([]);
    expect(warnings).toEqual([`${p}:16: last line is incomplete (no newline: the recorder stopped mid-line); ignored`]);
    expect(r.stats.truncatedTail).toBe(true);
    const s = await snapshot([p]);
    expect(s.code).toBe(0);
    expect(s.err).toEqual([`sessiontop snapshot: warning: ${p}:16: last line is incomplete (no newline: the recorder stopped mid-line); ignored`]);
  });

  it('accepts a last line without newline when it is complete, CRLF line ends, and blank lines', () => {
    const text = rich.lines.map((l) => l.replace('\n', '\r\n')).join('\n').replace(/\r\n$/, '');
    const r = RecordingFileReader.open(file(text));
    let events = 0;
    while (r.next() !== null) events++;
    expect(events).toBe(16);
    expect(r.stats.badLines).toBe(0);
  });
});

describe('bad input: one-line errors or counted skips, exit statuses 2/1, no stack trace, no hang', () => {
  it('an empty file → exit 2', async () => {
    const p = file('');
    const s = await snapshot([p]);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: empty recording (no lines)`]);
    expect(s.out).toBe('');
  });

  it('a file of blank lines → exit 2', async () => {
    const p = file('\n\n   \n');
    const s = await snapshot([p]);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: empty recording (no lines)`]);
  });

  it('binary garbage → one line saying so, exit 2', async () => {
    let seed = 1;
    const bytes = Buffer.alloc(256 * 1024);
    for (let i = 0; i < bytes.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const p = file(bytes);
    const t = Date.now();
    const s = await snapshot([p]);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(s.code).toBe(2);
    expectNoStackTrace(s.err);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`]);
    // nothing raw from the garbage reaches the terminal
    for (const l of s.err) expect(l).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('a JSON array → exit 2', async () => {
    const p = file(JSON.stringify(rich.lines.map((l) => JSON.parse(l)), null, 2));
    const s = await snapshot([p]);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: is a JSON array, not a recording (NDJSON: one JSON object per line)`]);
    const one = file(`${JSON.stringify(rich.lines.map((l) => JSON.parse(l)))}\n`);
    expect((await snapshot([one])).err).toEqual([`sessiontop snapshot: ${one}: is a JSON array, not a recording (NDJSON: one JSON object per line)`]);
  });

  it('a line with wrong types → counted skip, the rest is read, exit 0', async () => {
    const lines = [...rich.lines];
    const broken = JSON.parse(lines[4] as string);
    broken.process.pid = 'twelve';
    lines[4] = `${JSON.stringify(broken)}\n`;
    const p = file(lines.join(''));
    const s = await snapshot([p]);
    expect(s.code).toBe(0);
    expect(s.err).toEqual([
      `sessiontop snapshot: ${p}:5: process.pid: Invalid input: expected number, received string`,
      'sessiontop snapshot: 1 bad line skipped (--strict stops at the first)',
    ]);
    expect(s.out.split('\n').filter(Boolean).length).toBeGreaterThan(0);
  });

  it('--strict stops at the first bad line with exit 2', async () => {
    const p = file(`${rich.lines[0]}{"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"end"},"process":{"pid":-4}}\n${rich.lines.slice(1).join('')}`);
    const s = await snapshot([p], { strict: true });
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}:2: process.pid: Too small: expected number to be >=0`]);
    expect(s.out).toBe('');
  });

  it('a 10 MB single line → skipped quickly in bounded memory; alone it is exit 2', async () => {
    const huge = `{"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"exec"},"pad":"${'x'.repeat(10 * 1024 * 1024)}"}\n`;
    const alone = file(huge);
    const t = Date.now();
    const s = await snapshot([alone]);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([
      `sessiontop snapshot: ${alone}:1: line too long (${huge.length - 1} bytes, limit 1048576 bytes), skipped`,
      `sessiontop snapshot: ${alone}: no valid recording line (line 1: line too long (${huge.length - 1} bytes, limit 1048576 bytes), skipped)`,
    ]);
    const inside = file(rich.lines.slice(0, 3).join('') + huge + rich.lines.slice(3).join(''));
    const s2 = await snapshot([inside]);
    expect(s2.code).toBe(0);
    expect(s2.err[0]).toBe(`sessiontop snapshot: ${inside}:4: line too long (${huge.length - 1} bytes, limit 1048576 bytes), skipped`);
    // the line after the huge one is read normally
    const r = RecordingFileReader.open(inside, { onBadLine: () => undefined });
    const lines: number[] = [];
    for (let e = r.next(); e !== null; e = r.next()) lines.push(e.lineNo);
    expect(lines).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
  });

  it('a missing file → exit 2', async () => {
    const p = join(dir, 'does-not-exist.ndjson');
    const s = await snapshot([p]);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: no such file`]);
  });

  it('a directory → exit 2', async () => {
    const d = join(dir, 'a-directory');
    mkdirSync(d);
    const s = await snapshot([d]);
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${d}: is a directory, not a recording`]);
  });

  it('a device → exit 2', async () => {
    const s = await snapshot(['/dev/null']);
    expect(s.code).toBe(2);
    expect(s.err).toEqual(['sessiontop snapshot: /dev/null: not a regular file (a recording is an NDJSON file)']);
  });

  it('a bad --at → exit 2; --at before the recording → exit 2', async () => {
    const p = file(richText);
    const s = await snapshot([p], { at: 'tomorrow-ish' });
    expect(s.code).toBe(2);
    expect(s.err).toEqual(['sessiontop snapshot: --at "tomorrow-ish": expected an ISO date-time, @EPOCH_SECONDS, +DURATION or HH:MM[:SS]']);
    const early = await snapshot([p], { at: '2000-01-01T00:00:00Z' });
    expect(early.code).toBe(2);
    expect(early.err).toEqual(['sessiontop snapshot: nothing recorded at or before 2000-01-01T00:00:00Z']);
  });

  it('control characters in a bad line reason or file name are escaped', async () => {
    const p = join(dir, 'evil\u001b]0;pwned\u0007.ndjson');
    // a raw ESC inside a JSON string is not JSON; an escaped one is valid JSON but no valid action
    writeFileSync(p, `${rich.lines[0]}{"@timestamp":"2024-01-01T00:00:00Z","event":{"action":"\u001b[2J"},"process":{"pid":1}}\n{"event":{"action":"\\u001b[2J"}}\n`);
    const s = await snapshot([p]);
    expect(s.code).toBe(0);
    for (const l of s.err) expect(l).not.toMatch(/[\u001b\u0007]/);
    expect(s.err[0]).toContain('evil\\e]0;pwned\\x07.ndjson:2: not valid JSON');
    expect(s.err[1]).toContain('evil\\e]0;pwned\\x07.ndjson:3: @timestamp: ');
  });
});

describe('several recordings', () => {
  /** The rich session re-hosted under another name, shifted in time. */
  function rehost(name: string, shiftMs: number): string {
    return rich.lines
      .map((l) => {
        const o = JSON.parse(l);
        o.host.name = name;
        o['@timestamp'] = new Date(Date.parse(o['@timestamp']) + shiftMs).toISOString();
        return `${JSON.stringify(o)}\n`;
      })
      .join('');
  }

  it('are merged in time order and kept apart by host', () => {
    const a = file(rehost('host-a', 0));
    const b = file(rehost('host-b', 1));
    const reader = MergedRecordingReader.open([a, b]);
    const seen: [string, number][] = [];
    let last = -Infinity;
    for (let e = reader.next(); e !== null; e = reader.next()) {
      expect(e.event.time).toBeGreaterThanOrEqual(last);
      last = e.event.time;
      seen.push([e.host.info.name, e.lineNo]);
    }
    reader.close();
    expect(seen.length).toBe(32);
    // interleaved, not one file after the other; each file's own order kept
    const firstB = seen.findIndex(([h]) => h === 'host-b');
    const lastA = seen.map(([h]) => h).lastIndexOf('host-a');
    expect(firstB).toBeLessThan(lastA);
    for (const h of ['host-a', 'host-b']) {
      const order = seen.filter(([x]) => x === h).map(([, l]) => l);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    const replay = RecordingReplay.open([a, b]);
    replay.replayAll();
    expect([...replay.models.keys()].sort()).toEqual([`host-a|${RICH_HOST.bootId}`, `host-b|${RICH_HOST.bootId}`]);
    for (const m of replay.models.values()) expect(modelFingerprint(m.table)).toEqual(modelFingerprint(rich.table));
    replay.close();
  });

  it('snapshot --from prints one block per host; --json lines carry their host', async () => {
    const a = file(rehost('host-a', 0));
    const b = file(rehost('host-b', 0));
    const s = await snapshot([b, a]);
    expect(s.code).toBe(0);
    const hosts = s.out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).host.name as string);
    expect(hosts.filter((h) => h === 'host-a').length).toBe(hosts.filter((h) => h === 'host-b').length);
    expect(hosts[0]).toBe('host-a');
    const text = await snapshot([a, b], { json: false });
    expect(text.out).toMatch(/^host host-a /);
    expect(text.out).toMatch(/\nhost host-b /);
  });

  it('one unreadable file fails the whole read with its own message', () => {
    expect(() => MergedRecordingReader.open([file(richText), join(dir, 'nope')])).toThrow(ExitError);
  });
});

describe('gzip, binary input and many bad lines', () => {
  it('reads gzip by its magic bytes, whatever the name, from a file and the same as plain', async () => {
    const { gzipSync } = await import('node:zlib');
    const plain = await snapshot([file(richText)]);
    const named = file(gzipSync(Buffer.from(richText))); // called .ndjson, holds gzip
    const s = await snapshot([named]);
    expect(s.code).toBe(0);
    expect(s.err).toEqual([]);
    // the same lines, but for event.id (random per run: unique per line)
    const noIds = (t: string) => t.replace(/"event":\{"id":"[^"]*",/g, '"event":{');
    expect(noIds(s.out)).toBe(noIds(plain.out));
    // a replay of the gzip file rebuilds the same model as the plain one
    const a = RecordingReplay.open([named]);
    a.replayAll();
    const b = RecordingReplay.open([file(richText)]);
    b.replayAll();
    expect(modelFingerprint([...a.models.values()][0]!.table)).toEqual(modelFingerprint([...b.models.values()][0]!.table));
    a.close();
    b.close();
  });

  it('a truncated gzip: the events before the cut are read, with a warning, exit 0', async () => {
    const { gzipSync } = await import('node:zlib');
    const big = richText.repeat(40);
    const gz = gzipSync(Buffer.from(big));
    const cut = file(gz.subarray(0, Math.floor(gz.length * 0.6)));
    const warnings: string[] = [];
    const r = RecordingFileReader.open(cut, { onWarning: (m) => warnings.push(m) });
    let events = 0;
    while (r.next() !== null) events++;
    r.close();
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThan(rich.lines.length * 40);
    expect(warnings.some((w) => w === `${cut}: the gzip data ends early (truncated); the events before that point were read`)).toBe(true);
    expect(r.stats.badLines).toBe(0);
    const s = await snapshot([cut]);
    expect(s.code).toBe(0);
  });

  it('4 KiB of random bytes → one line, exit 2', async () => {
    const { randomBytes } = await import('node:crypto');
    const p = file(randomBytes(4096));
    const s = await snapshot([p], { json: false });
    expect(s.code).toBe(2);
    expect(s.err).toEqual([`sessiontop snapshot: ${p}: binary data, not a recording (a recording is NDJSON text, or gzip of it)`]);
  });

  it('many bad lines: the first 5 as file:line: reason, then one summary line', async () => {
    const garbage = Array.from({ length: 40 }, (_, i) => `not json ${i}\n`).join('');
    const p = file(`${richText}${garbage}`);
    const s = await snapshot([p]);
    expect(s.code).toBe(0);
    const first = rich.lines.length + 1;
    expect(s.err).toEqual([
      ...Array.from({ length: 5 }, (_, i) => `sessiontop snapshot: ${p}:${first + i}: not a JSON object`),
      'sessiontop snapshot: 40 bad lines skipped, the first 5 shown above (--strict stops at the first)',
    ]);
  });
});

describe('hosts watched over ssh', () => {
  it('a registry keys hosts by name, boot id and the ssh destination, so two streams of one machine stay two hosts', async () => {
    const { HostRegistry } = await import('../../src/record/line-to-event.js');
    const line = (via?: string) =>
      ({ '@timestamp': '2026-01-01T00:00:00Z', event: { action: 'lost' }, host: { name: 'web1', boot: { id: 'b' } }, sessiontop: { lost: 1, ...(via ? { ssh_destination: via } : {}) } }) as never;
    const files = new HostRegistry();
    const a = files.hostOf(line('ops@web1'));
    const b = files.hostOf(line('ssh://ops@web1:2222'));
    const plain = files.hostOf(line());
    expect(new Set([a.key, b.key, plain.key]).size).toBe(3);
    expect(a.info.via).toBe('ops@web1');
    expect(plain.key).toBe('web1|b');
    expect(plain.info.via).toBeUndefined();
    // a stream's registry labels every line with its destination, whatever the line says
    const stream = new HostRegistry('ops@web1');
    expect(stream.hostOf(line()).info.via).toBe('ops@web1');
    expect(stream.hostOf(line('other')).key).toBe(a.key);
  });
});
