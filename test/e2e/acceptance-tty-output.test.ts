/**
 * Acceptance (issue 15, "see what they saw"): terminal output of an ssh login, captured with
 * `sessiontop record --tty-output` over a real OpenSSH login on 127.0.0.1.
 *
 * - the output of commands typed at the login shell is in the recording (ECS process.io.* with the
 *   window size), attributed to the login's entry session;
 * - what is typed with echo off (`read -s`, the password prompt of `su`) is nowhere in it;
 * - the output of a non-interactive `ssh host cmd` (no terminal) is never captured;
 * - `sessiontop export --session ID` writes an asciicast that asciinema plays back with that output;
 *   a bad id and a session without output are one-line errors (exit 2);
 * - the live view (`sessiontop --tty-output`) and `sessiontop replay` show the session's screen in
 *   the terminal pane (`o`), and the escape sequences the session wrote (a window title) never
 *   reach the administrator's terminal.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, CliRecording, cliAvailability, type Doc, field } from '../support/cli-harness.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';
import { PtyScreen } from './support/pty-screen.js';

const execFileAsync = promisify(execFile);
const skip = sensorSkipReason() ?? sshdSkipReason();
if (skip) console.warn(`[skip] terminal output over ssh: ${skip}`);
if (!skip) cliAvailability();
const ASCIINEMA = '/usr/bin/asciinema';
if (!skip && !existsSync(ASCIINEMA)) console.warn('[skip] asciinema playback check: /usr/bin/asciinema is missing (apt-get install asciinema)');

const tag = `${process.pid}${Date.now() % 100000}`;
const SECRET_READ = `rs-secret-${tag}`;
const SECRET_SU = `su-secret-${tag}`;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe.skipIf(skip)('acceptance: terminal output of an ssh login', () => {
  let sshd: SshdHarness;
  let client: SshPty;
  let shellPid = 0;
  let rec: CliRecording;
  let dir = '';
  let file = '';
  let docs: Doc[] = [];
  let raw = '';
  let sessionId = '';
  let live: PtyScreen | undefined;
  let liveScreen = '';
  let liveTitles: string[] = [];
  let liveExit = -1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sessiontop-acc-tty-'));
    file = join(dir, 'tty.ndjson');
    sshd = await SshdHarness.start({ sudo: false });
    rec = await CliRecording.start(file, ['--tty-output']);
    live = new PtyScreen('live', ['--tty-output'], { cols: 140, rows: 40, env: { TZ: 'UTC' } });
    await live.ready('sessiontop');
    await live.waitFor((x) => / eBPF +lost/.test(x.lines()[0]!) && !x.lines()[0]!.includes('starting'), 30_000, 'the eBPF sensor');
    ({ client, shellPid } = await sshd.login());
    await client.run('printf "out-%s\\n" $((6*7)) $((7*7))');
    await client.run('ls -d /etc /usr');
    // echo off, read by the shell itself
    let from = client.out.text.length;
    client.type('read -rs SECRET_LINE; echo "got-$((${#SECRET_LINE}+1000))"');
    await new Promise((r) => setTimeout(r, 500));
    client.term.write(`${SECRET_READ}\r`);
    await client.waitFor(`got-${SECRET_READ.length + 1000}`, 10_000, from);
    // a real password prompt: PAM turns echo off
    from = client.out.text.length;
    client.type('su -c true root');
    await client.waitFor(/[Pp]assword/, 15_000, from);
    client.term.write(`${SECRET_SU}\r`);
    await client.waitFor(/su: |[Aa]uthentication/, 20_000, from);
    await client.run('printf "\\033]0;PWNED-TITLE\\007\\033[31mred-%s\\033[0m\\n" $((5*5))');
    // the live view: the login's screen as it is now, in the O pane
    await live.press('/');
    await live.press('--color=auto -d /etc /usr\r');
    await live.waitForText('ls --color=auto -d /etc /usr', 10_000);
    await live.press('O');
    await live.waitForText('red-25', 10_000);
    await live.flush();
    liveScreen = live.text();
    liveTitles = [...live.titles];
    await live.press('q'); // closes the pane
    await live.press('q'); // quits from the main view
    liveExit = (await live.exited).exitCode;
    // no terminal: a non-interactive ssh command
    const r = await sshd.sshExec('for i in 1 2 3; do echo "nonterm-$((i*11))"; done');
    expect(r.stdout).toContain('nonterm-33');
    await client.close();
    await new Promise((r) => setTimeout(r, 500));
    const { code } = await rec.stop('SIGINT');
    expect(code, rec.stderr).toBe(0);
    raw = readFileSync(file, 'utf8');
    const parsed = rec.read();
    expect(parsed.bad).toBe(0);
    docs = parsed.docs;
    const shell = docs.find((d) => field(d, 'process.pid') === shellPid && field(d, 'process.entry_leader.entry_meta.type') === 'sshd');
    expect(shell, 'a line of the login shell').toBeDefined();
    sessionId = String(field(shell!, 'process.entry_leader.entity_id'));
  }, 120_000);

  afterAll(async () => {
    live?.kill();
    await client?.close().catch(() => undefined);
    await rec?.stop().catch(() => undefined);
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const outputOfLogin = (): Doc[] => docs.filter((d) => field(d, 'event.action') === 'text_output' && field(d, 'process.entry_leader.entity_id') === sessionId);

  it('the output of typed commands is in the recording, as ECS process.io with the window size, in the login session', () => {
    const out = outputOfLogin();
    const text = out.map((d) => String(field(d, 'process.io.text'))).join('');
    expect(text).toContain('out-42\r\nout-49');
    expect(text).toContain('/etc');
    expect(text).toContain('\u001b[31mred-25\u001b[0m');
    for (const d of out) {
      expect(field(d, 'process.io.type')).toBe('tty');
      // bytes written; the text is what the terminal showed (each \n as \r\n), so never shorter
      expect(field(d, 'process.io.total_bytes_captured')).toBeGreaterThan(0);
      expect(field(d, 'process.io.total_bytes_captured')).toBeLessThanOrEqual(Buffer.byteLength(String(field(d, 'process.io.text'))));
      expect(field(d, 'process.io.max_bytes_per_process_exceeded')).toBe(false);
    }
    expect(out.some((d) => field(d, 'process.tty.rows') === 50 && field(d, 'process.tty.columns') === 200)).toBe(true);
  });

  it("the live view's terminal pane shows the login's screen as it is now, its escapes kept inside", () => {
    expect(liveScreen).toMatch(/terminal of sessiontop-t pts\/\d+ · leader \d+ bash · 200×50 \(o or Esc closes\)/);
    expect(liveScreen).toContain('out-42');
    expect(liveScreen).toContain('red-25');
    expect(liveScreen).not.toMatch(/\u001b/);
    expect(liveTitles.filter((t) => t.includes('PWNED'))).toEqual([]);
    expect(liveExit).toBe(0);
  });

  it('what was typed with echo off (read -s, the su password) is nowhere in the recording', () => {
    expect(outputOfLogin().length).toBeGreaterThan(0);
    expect(raw).not.toContain(SECRET_READ);
    expect(raw).not.toContain(SECRET_SU);
    expect(raw).not.toContain(tag.slice(0, 6) + tag.slice(6)); // nor the bare tag in any other line
  });

  it('the output of a non-interactive ssh command (no terminal) is never captured', () => {
    expect(raw).not.toContain('nonterm-11');
    expect(raw).not.toContain('nonterm-33');
    // yet the command itself was seen
    expect(docs.some((d) => field(d, 'event.action') === 'exec' && String(field(d, 'process.command_line')).includes('nonterm-'))).toBe(true);
  });

  it('export writes an asciicast of the login that asciinema plays; bad ids and sessions without output exit 2', async () => {
    const cast = join(dir, 'login.cast');
    const r = await cli(['export', file, `--session=${sessionId}`, '-o', cast]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(cast, 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0]!) as { version: number; width: number; height: number };
    expect([header.version, header.width, header.height]).toEqual([2, 200, 50]);
    const events = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.every(([t, k], i) => k === 'o' && t >= (i > 0 ? events[i - 1]![0] : 0))).toBe(true);
    expect(events.map((e) => e[2]).join('')).toContain('out-49');
    if (existsSync(ASCIINEMA)) {
      // asciinema cat needs a terminal: give it one
      const played = execFileSync('script', ['-qec', `${ASCIINEMA} cat ${cast}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(played).toContain('out-42');
      expect(played).toContain('out-49');
    }
    const bad = await cli(['export', file, '--session', 'no-such-session']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^sessiontop export: no entry session no-such-session in /)]);
    // the non-interactive ssh command's session has no output
    const quiet = docs.find((d) => field(d, 'event.action') === 'exec' && String(field(d, 'process.command_line')).startsWith('bash -c for i in 1 2 3; do echo "nonterm-'));
    expect(field(quiet!, 'process.entry_leader.entry_meta.type')).toBe('sshd');
    const quietId = String(field(quiet!, 'process.entry_leader.entity_id'));
    const none = await cli(['export', file, `--session=${quietId}`, '-o', join(dir, 'none.cast')]);
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toMatch(/^sessiontop export: entry session \S+ has no terminal output in .*--tty-output/);
    expect(existsSync(join(dir, 'none.cast'))).toBe(false);
  }, 60_000);

  it("replay shows the login's screen in the terminal pane, and its escape sequences stay out of the real terminal", async () => {
    const s = new PtyScreen('replay', [file], { cols: 140, rows: 40, env: { TZ: 'UTC' } });
    try {
      await s.ready(' replay ');
      await s.press('G');
      await s.waitFor((x) => x.lines()[0]!.includes('■ end'), 15_000, 'the end');
      await s.press('/');
      await s.press('--color=auto -d /etc /usr\r'); // selects the login session (its ls, as its alias ran it)
      await s.waitForText('ls --color=auto -d /etc /usr');
      await s.press('O');
      await s.waitForText('out-49', 15_000);
      await s.waitForText('red-25');
      expect(s.text()).toContain('terminal of sessiontop-t');
      await s.flush();
      expect(s.titles.filter((t) => t.includes('PWNED'))).toEqual([]);
      expect(s.bufferType).toBe('alternate');
      expect(s.text()).not.toMatch(/\u001b/);
      await s.press('q'); // closes the pane
      await s.press('q'); // quits from the main view
      await s.exited;
      expect(s.titles.filter((t) => t.includes('PWNED'))).toEqual([]);
    } finally {
      s.kill();
    }
  }, 60_000);
});
