/**
 * Soak: minutes of mixed load with the live model running (and `sessiontop record` when the CLI has
 * it), printing memory over time. Mixed load = ssh logins on 127.0.0.1 that type commands (a real
 * sshd, see test/support/sshd-harness.ts) + fork/exec storms at a sustainable rate.
 *
 *   node dist/bench/soak.js [SECONDS=600] [EXECS_PER_SECOND=200] [SSH_SESSIONS=2]
 *
 * Every 10 s: elapsed, RSS and heap of the in-process model, tracked/live/exited processes, events
 * and events/s, lost, and the RSS of the `record` child. At the end: max RSS, RSS growth after the
 * warm-up (the first fifth of the run: in a 10-minute run, long enough for the model's
 * exited-process retention to fill), totals, and a verdict. Exit status 1 when events were lost or memory kept growing.
 * Needs root (eBPF, sshd, a test user).
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readHostInfo } from '../src/model/host-info.js';
import { LiveFeed } from '../src/model/live-feed.js';
import { ProcessTable } from '../src/model/process-table.js';
import { LineReader } from '../src/record/line-reader.js';
import { packageRoot } from '../src/sensor/native-addon.js';
import { SshdHarness, sshdSkipReason } from '../test/support/sshd-harness.js';
import { isMain, printFigures, recorderNodeOptions } from './bench-util.js';

const execFileAsync = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

export interface SoakFigures {
  seconds: number;
  events: number;
  lost: number;
  recordLost: number;
  stormExecs: number;
  sshSessions: number;
  typedLines: number;
  maxRssMb: number;
  rssAfterWarmupMb: number;
  finalRssMb: number;
  maxRecordRssMb: number;
  recordLines: number;
  /** Lines the recorder said it wrote (its summary line). */
  recordWritten: number;
  rotatedFiles: number;
  /** Bytes on disk per line of the rotated (gzipped) files. */
  rotatedBytesPerEvent: number;
  bounded: boolean;
}

function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function buildHelper(dir: string): string {
  const out = join(dir, 'sensor-helper');
  execFileSync('cc', ['-O2', '-o', out, join(packageRoot(), 'test', 'support', 'sensor-helper.c')]);
  return out;
}

/** Whether `sessiontop --help` lists `record` (the lead wires it). */
function cliHasRecord(cli: string): boolean {
  try {
    return /sessiontop record\b/.test(execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 20_000 }));
  } catch {
    return false;
  }
}

export async function run(seconds = 600, execsPerSecond = 200, sshSessions = 2): Promise<SoakFigures> {
  const host = readHostInfo();
  const table = new ProcessTable({ host });
  let events = 0;
  let typedLines = 0;
  const feed = await LiveFeed.start(
    table,
    { source: 'bpf', host, bpf: { typed: true } },
    {
      onEvent: (e) => {
        events++;
        if (e.action === 'typed') typedLines++;
      },
    },
  );
  const workDir = mkdtempSync(join(tmpdir(), 'sessiontop-soak-'));
  let recorder: ChildProcess | undefined;
  let recorderStderr = '';
  let sshd: SshdHarness | undefined;
  let deadline = Date.now() + seconds * 1000;
  let stopping = false;
  // Ctrl-C ends the run early, with the usual teardown and figures
  const onSigint = (): void => {
    deadline = Date.now();
  };
  process.on('SIGINT', onSigint);
  try {
    const helper = buildHelper(workDir);

    // a recording alongside, once the CLI has `record`
    const cli = process.env.SESSIONTOP_CLI ?? join(packageRoot(), 'bin', 'sessiontop.js');
    const recFile = join(workDir, 'soak.ndjson');
    if (cliHasRecord(cli)) {
      // as a busy server would run it: the systemd unit's node options, rotated at 64 MiB, rotated
      // files gzipped, none dropped
      recorder = spawn(process.execPath, [...recorderNodeOptions(), cli, 'record', '-o', recFile, '--rotate', '64M,1000', '--compress'], { stdio: ['ignore', 'ignore', 'pipe'] });
      recorder.stderr!.on('data', (d: Buffer) => {
        recorderStderr += d.toString();
        process.stderr.write(d);
      });
    } else {
      console.log('(sessiontop record is not wired yet: soaking the in-process model only)');
    }

    const sshSkip = sshdSkipReason();
    sshd = sshSkip ? undefined : await SshdHarness.start({ sudo: false });
    if (sshSkip) console.log(`(no ssh load: ${sshSkip})`);

    let stormExecs = 0;
    let sessionsRun = 0;
    const failures: string[] = [];

    // storms: one batch per second at the requested rate
    const storms = (async () => {
      while (!stopping && Date.now() < deadline) {
        const t0 = Date.now();
        await execFileAsync(helper, ['storm', String(execsPerSecond), '/bin/true']);
        stormExecs += execsPerSecond;
        const left = 1000 - (Date.now() - t0);
        if (left > 0) await sleep(left);
      }
    })();

    // ssh sessions: log in, type a few things (builtins, a pipeline, a loop), log out; repeat
    const typing = async (h: SshdHarness): Promise<void> => {
      while (!stopping && Date.now() < deadline) {
        try {
          const { client } = await h.login();
          for (const line of ['cd /tmp', 'ls / | wc -l', 'export SOAK=1', 'for i in 1 2 3; do /bin/true; done', 'ls -la /etc > /dev/null', 'history | tail -1']) {
            await client.run(line, 20_000);
            await sleep(200);
          }
          await client.close();
          sessionsRun++;
        } catch (err) {
          failures.push(String(err).slice(0, 200));
          await h.endSessions();
        }
      }
    };
    const sessions = sshd ? Array.from({ length: sshSessions }, () => typing(sshd!)) : [];

    // sampling
    const t0 = Date.now();
    const warmupMs = (seconds * 1000) / 5;
    let maxRss = 0;
    let maxRecordRss = 0;
    let lastEvents = 0;
    let lastT = t0;
    const samples: number[] = [];
    const recordSamples: number[] = [];
    console.log('   t(s)   rss(MB)  heap(MB)   tracked     live   exited     events   events/s  lost  record-rss(MB)');
    while (Date.now() < deadline) {
      const wake = Date.now() + Math.min(10_000, Math.max(0, deadline - Date.now()));
      while (Date.now() < wake && Date.now() < deadline) await sleep(Math.min(250, wake - Date.now()));
      const now = Date.now();
      const { rss, heapUsed } = process.memoryUsage();
      const st = table.stats();
      const recRss = recorder?.pid ? rssOf(recorder.pid) : 0;
      maxRss = Math.max(maxRss, rss);
      maxRecordRss = Math.max(maxRecordRss, recRss);
      if (now - t0 >= warmupMs) {
        samples.push(rss);
        if (recorder) recordSamples.push(recRss);
      }
      const rate = ((events - lastEvents) * 1000) / Math.max(1, now - lastT);
      lastEvents = events;
      lastT = now;
      console.log(
        `${((now - t0) / 1000).toFixed(0).padStart(7)} ${(rss / MB).toFixed(1).padStart(9)} ${(heapUsed / MB).toFixed(1).padStart(9)}` +
          ` ${String(st.tracked).padStart(9)} ${String(st.live).padStart(8)} ${String(st.exited).padStart(8)}` +
          ` ${String(events).padStart(10)} ${rate.toFixed(0).padStart(10)} ${String(feed.lost()).padStart(5)}` +
          ` ${recorder ? (recRss / MB).toFixed(1).padStart(15) : '              -'}`,
      );
    }
    stopping = true;
    await storms;
    await Promise.all(sessions);

    let recordLines = 0;
    let recordLost = 0;
    let rotatedLines = 0;
    let rotatedGzipBytes = 0;
    let rotatedFiles = 0;
    let recordWritten = -1;
    if (recorder) {
      await stopChild(recorder);
      recordWritten = Number(/(\d+) events \(/.exec(recorderStderr)?.[1] ?? -1);
      // every file of the recording, the gzipped rotated ones included, read as a replay reads them
      const files = readdirSync(workDir).filter((f) => f === 'soak.ndjson' || /^soak\.ndjson\.\d+\.gz$/.test(f) || f.startsWith('soak.ndjson.rotating'));
      for (const f of files) {
        const path = join(workDir, f);
        const fd = openSync(path, 'r');
        const lr = new LineReader(fd);
        let lines = 0;
        while (lr.next()) {
          if (lr.line === '') continue;
          lines++;
          if (lr.line.includes('"action":"lost"')) recordLost += Number(/"lost":(\d+)/.exec(lr.line)?.[1] ?? 0);
        }
        closeSync(fd);
        if (lr.gzipDamage !== '') console.log(`${f}: ${lr.gzipDamage}`);
        recordLines += lines;
        if (f.endsWith('.gz')) {
          rotatedFiles++;
          rotatedLines += lines;
          rotatedGzipBytes += statSync(path).size;
        }
      }
      console.log(`recording: ${files.length} files, ${rotatedFiles} rotated and gzipped, active file ${(statSync(recFile).size / MB).toFixed(1)} MB`);
    }

    // bounded: after the warm-up, the last sample is not above the first by more than 25% + 32 MB
    // (for the in-process model, and for the `record` child when there is one)
    const grewTooMuch = (xs: number[]): boolean => xs.length > 1 && xs[xs.length - 1]! > xs[0]! * 1.25 + 32 * MB;
    const finalRss = samples.length > 0 ? samples[samples.length - 1]! : process.memoryUsage().rss;
    const base = samples[0] ?? finalRss;
    if (failures.length > 0) console.log(`ssh session failures: ${failures.length} (first: ${failures[0]})`);
    return {
      seconds: (Date.now() - t0) / 1000,
      events,
      lost: feed.lost(),
      recordLost,
      stormExecs,
      sshSessions: sessionsRun,
      typedLines,
      maxRssMb: maxRss / MB,
      rssAfterWarmupMb: base / MB,
      finalRssMb: finalRss / MB,
      maxRecordRssMb: maxRecordRss / MB,
      recordLines,
      recordWritten,
      rotatedFiles,
      rotatedBytesPerEvent: rotatedLines > 0 ? rotatedGzipBytes / rotatedLines : Number.NaN,
      bounded: !grewTooMuch(samples) && !grewTooMuch(recordSamples),
    };
  } finally {
    stopping = true;
    process.off('SIGINT', onSigint);
    if (recorder) await stopChild(recorder);
    await sshd?.stop();
    await feed.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** SIGINT (a recorder flushes and exits), then SIGKILL after 15 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

if (isMain(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 600);
  const rate = Number(process.argv[3] ?? 200);
  const ssh = Number(process.argv[4] ?? 2);
  if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isFinite(rate) || rate <= 0 || !Number.isInteger(ssh) || ssh < 0) {
    console.error('usage: node dist/bench/soak.js [SECONDS=600] [EXECS_PER_SECOND=200] [SSH_SESSIONS=2]');
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    console.error('soak: needs root (eBPF sensor, sshd, a test user)');
    process.exit(1);
  }
  const f = await run(seconds, rate, ssh);
  printFigures(`Soak: ${f.seconds.toFixed(0)} s of mixed load (${rate} execs/s storms, ${ssh} ssh sessions typing)`, {
    'events (in-process model)': f.events,
    'lost (sensor)': f.lost,
    'lost (recording)': f.recordLost,
    'storm execs run': f.stormExecs,
    'ssh sessions completed': f.sshSessions,
    'typed lines seen': f.typedLines,
    'max RSS, MB': Number(f.maxRssMb.toFixed(1)),
    'RSS after warm-up, MB': Number(f.rssAfterWarmupMb.toFixed(1)),
    'final RSS, MB': Number(f.finalRssMb.toFixed(1)),
    'max RSS of record, MB': Number(f.maxRecordRssMb.toFixed(1)),
    'recording lines read (all files)': f.recordLines,
    'recording lines written (recorder)': f.recordWritten,
    'rotated files (gzip)': f.rotatedFiles,
    'rotated files, bytes per event': Number(f.rotatedBytesPerEvent.toFixed(1)),
    'memory bounded': f.bounded ? 'yes' : 'NO',
  });
  const ok = f.lost === 0 && f.recordLost === 0 && f.bounded && (f.recordWritten < 0 || f.recordWritten === f.recordLines);
  console.log(ok ? '\nsoak: PASS' : '\nsoak: FAIL (events lost or memory kept growing)');
  process.exit(ok ? 0 : 1);
}
