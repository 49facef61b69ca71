/**
 * Round trip on a real session: record (eBPF when it loads, else /proc polling) while a scripted
 * login types at a real pty — a pipeline, a setsid child, a command exiting 3, background jobs —
 * then replay the file. The replayed model equals the live one, and `snapshot --from` equals a
 * live `snapshot` (from /proc) taken at the same moment, for that login's session.
 *
 * The login: a copy of python named `sshd` runs `pty.spawn(bash -i)` with SSH_CONNECTION set, so
 * bash is a session leader on a pty whose parent is "sshd": an entry leader of type sshd with a
 * source ip, exactly as a real ssh login looks to the model.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHostInfo } from '../../src/model/host-info.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { runRecord } from '../../src/commands/record.js';
import { RecordingReplay } from '../../src/record/recording-replay.js';
import { runSnapshot } from '../../src/commands/snapshot.js';
import type { EventSource } from '../../src/sensor/process-event.js';
import { modelFingerprint, sessionFingerprint } from '../record/model-fingerprint.js';

const SOURCE_IP = '203.0.113.7';
const dir = mkdtempSync(join(tmpdir(), 'sessiontop-e2e-rt-'));
const file = join(dir, 'session.ndjson');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pythonBinary(): string | null {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(p)) return realpathSync(p);
  try {
    return realpathSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim());
  } catch {
    return null;
  }
}

const python = pythonBinary();
const canRun = process.platform === 'linux' && process.getuid?.() === 0 && python !== null && existsSync('/bin/bash');

interface Recorded {
  live: ProcessTable;
  source: EventSource;
  code: number;
  stderr: string;
  liveSnapshot: string;
  bashPid: number;
}
let rec: Recorded;

async function snapshotJson(from?: string[]): Promise<Record<string, any>[]> {
  let out = '';
  let err = '';
  const code = await runSnapshot({
    ...(from ? { from } : {}),
    json: true,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
  });
  expect(err).toBe('');
  expect(code).toBe(0);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe.skipIf(!canRun)('record → replay of a real pty login', () => {
  beforeAll(async () => {
    const sshd = join(dir, 'sshd');
    copyFileSync(python as string, sshd);
    execFileSync('chmod', ['755', sshd]);
    const host = readHostInfo();
    const live = new ProcessTable({ host });
    const ac = new AbortController();
    let stderr = '';
    let source!: EventSource;
    const recording = runRecord({
      output: file,
      source: 'auto',
      host,
      model: live,
      handleSignals: false,
      stopSignal: ac.signal,
      procfsIntervalMs: 50,
      flushIntervalMs: 100,
      stderr: { write: (s: string) => (stderr += s) },
      onSourceReady: (s) => (source = s),
    });
    await sleep(1500); // backfill written, sensor running

    const login: ChildProcessWithoutNullStreams = spawn(
      sshd,
      ['-c', 'import os, pty, sys\nstatus = pty.spawn(["/bin/bash", "--norc", "--noprofile", "-i"])\nsys.exit(os.waitstatus_to_exitcode(status))'],
      { env: { PATH: '/usr/bin:/bin', HOME: dir, TERM: 'dumb', SSH_CONNECTION: `${SOURCE_IP} 50123 10.0.0.1 22`, PS1: '$ ' } },
    );
    let transcript = '';
    login.stdout.on('data', (d: Buffer) => (transcript += d.toString()));
    const type = async (line: string, wait: number) => {
      login.stdin.write(`${line}\n`);
      await sleep(wait);
    };
    await sleep(700);
    await type('echo bash-pid=$$', 300);
    await type('sleep 0.8 | cat', 1300);
    await type('setsid sleep 0.8', 1300);
    await type("sh -c 'sleep 0.8; exit 3'", 1300);
    await type('sleep 60 & sleep 61 | cat &', 1200);
    const m = /bash-pid=(\d+)/.exec(transcript);
    const bashPid = m ? Number(m[1]) : -1;

    // stop the recorder and take a live snapshot at the same moment (the session is idle now)
    ac.abort();
    const code = await recording;
    let liveSnapshot = '';
    await runSnapshot({ json: true, stdout: { write: (s: string) => (liveSnapshot += s) }, stderr: { write: () => undefined } });

    login.stdin.write('kill %1 %2; exit 5\n');
    login.stdin.end();
    await new Promise((r) => login.once('exit', r));
    rec = { live, source, code, stderr, liveSnapshot, bashPid };
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records without error', () => {
    expect(rec.code).toBe(0);
    expect(rec.stderr).toMatch(/events \(\d+ lost by the kernel\) written to /);
    expect(rec.bashPid).toBeGreaterThan(1);
  });

  it('the replayed model equals the live one (all processes, leaders, sessions, user-entered, exit codes)', () => {
    const replay = RecordingReplay.open([file]);
    replay.replayAll();
    expect(replay.stats().badLines).toBe(0);
    expect(replay.models.size).toBe(1);
    const table = [...replay.models.values()][0]!.table;
    const live = modelFingerprint(rec.live);
    const replayed = modelFingerprint(table);
    expect(replayed.size).toBe(live.size);
    for (const [id, f] of live) expect(replayed.get(id), `${f.pid} ${f.executable}`).toEqual(f);
    expect(sessionFingerprint(table)).toEqual(sessionFingerprint(rec.live));

    // and it is the session we typed in
    const bash = table.get(rec.bashPid)!;
    expect(bash.executable).toBe(realpathSync('/bin/bash'));
    expect(bash.entryLeader).toBe(bash);
    expect(bash.entryType).toBe('sshd');
    expect(bash.entrySourceIp).toBe(SOURCE_IP);
    expect(bash.interactive).toBe(true);
    const kids = [...table.processes()].filter((n) => n.parent === bash);
    const sleepers = kids.filter((n) => n.args.join(' ') === 'sleep 60' || n.args.join(' ') === 'sleep 61');
    expect(sleepers.length).toBe(2);
    for (const s of sleepers) {
      expect(s.userEntered).toBe(true);
      expect(s.entryLeader).toBe(bash);
      expect(s.lastUserEntered).toBe(null);
    }
    replay.close();
  });

  it('with eBPF: the short pipeline, the setsid child and the exit code 3 are all there', () => {
    if (rec.source.name !== 'bpf') return; // /proc polling can miss sub-second processes
    const replay = RecordingReplay.open([file]);
    replay.replayAll();
    const table = [...replay.models.values()][0]!.table;
    const all = [...table.processes()];
    const pipeline = all.filter((n) => n.ppid === rec.bashPid && (n.args.join(' ') === 'sleep 0.8' || n.executable.endsWith('/cat')));
    expect(pipeline.length).toBeGreaterThanOrEqual(2);
    expect(pipeline.every((n) => n.userEntered)).toBe(true);
    const exit3 = all.find((n) => n.args.join(' ') === "sh -c sleep 0.8; exit 3");
    expect(exit3?.exitCode).toBe(3);
    expect(exit3?.exitCause).toBe('exited');
    const setsidChild = all.find((n) => n.args.join(' ') === 'sleep 0.8' && n.sid === n.pid);
    expect(setsidChild).toBeDefined();
    replay.close();
  });

  it('snapshot --from equals a live snapshot taken at the same moment, for the login session', async () => {
    const fromFile = await snapshotJson([file]);
    const live = rec.liveSnapshot
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
    const bashLine = fromFile.find((d) => d.process.pid === rec.bashPid)!;
    const entry = bashLine.process.entry_leader.entity_id as string;
    expect(bashLine.process.entry_leader.entry_meta).toEqual({ type: 'sshd', source: { ip: SOURCE_IP } });
    const view = (docs: Record<string, any>[]) =>
      docs
        .filter((d) => d.process.entry_leader?.entity_id === entry)
        .map((d) => ({
          entity_id: d.process.entity_id,
          pid: d.process.pid,
          // eBPF and /proc both report the file actually run (/usr/bin/bash on merged-/usr)
          executable: d.process.executable,
          args: d.process.args,
          parent: d.process.parent.entity_id,
          group_leader: d.process.group_leader.entity_id,
          session_leader: d.process.session_leader.entity_id,
          entry_meta: d.process.entry_leader.entry_meta,
          interactive: d.process.interactive,
          user_entered: d.sessiontop.user_entered,
          tty: d.process.tty,
        }))
        .sort((a, b) => a.pid - b.pid);
    const a = view(fromFile);
    const b = view(live);
    expect(a.length).toBeGreaterThanOrEqual(4); // bash, sleep 60, sleep 61, cat
    expect(a).toEqual(b);
  });
});
