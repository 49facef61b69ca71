/**
 * Acceptance (issue 6, "the same under a login over a real ssh connection"): typed-line capture in a
 * login shell reached through OpenSSH on 127.0.0.1.
 *
 * - `cd /tmp`, `export FOO=1`, `ls | wc -l` and a 2 KiB line: four typed events in order, all on the
 *   login shell's entity id, the long line cut at 1 KiB and flagged truncated; the ls and wc execs
 *   have the same entry leader as the typed events (the sshd login);
 * - a non-interactive `ssh host "bash -c 'cd /; true'"` produces no typed event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessNode } from '../../src/model/types.js';
import { CliRecording, cliAvailability, field } from '../support/cli-harness.js';
import { describeNode, LiveModel } from '../support/live-model.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';

const skip = sensorSkipReason() ?? sshdSkipReason();
if (skip) console.warn(`[skip] typed lines over ssh: ${skip}`);
const cli = skip ? undefined : cliAvailability();
const exe = (n: ProcessNode | null | undefined) => n?.executable.split('/').pop() ?? '';
const LONG = 'echo ' + 'z'.repeat(2043); // 2 KiB

describe.skipIf(skip)('acceptance: typed lines in an ssh login', () => {
  let sshd: SshdHarness;
  let model: LiveModel;
  let client: SshPty;
  let shellPid = 0;
  let rec: CliRecording | undefined;
  let recDir = '';
  const execWindow = { from: 0, to: 0 };

  beforeAll(async () => {
    recDir = mkdtempSync(join(tmpdir(), 'sessiontop-acc-typed-'));
    sshd = await SshdHarness.start({ sudo: false });
    model = await LiveModel.start({ typed: true });
    if (cli?.record) rec = await CliRecording.start(join(recDir, 'typed.ndjson'));
    ({ client, shellPid } = await sshd.login());
    for (const line of ['cd /tmp', 'export FOO=1', 'ls | wc -l', LONG]) await client.run(line);
    execWindow.from = Date.now();
    const r = await sshd.sshExec(`bash -c 'cd /; true'`);
    execWindow.to = Date.now();
    expect(r.code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await rec?.stop().catch(() => undefined);
    await model?.stop();
    await sshd?.stop();
    rmSync(recDir, { recursive: true, force: true });
  });

  const typedAtShell = () => model.find((s) => s.action === 'typed' && s.pid === shellPid && !s.line.startsWith('echo "DONE-') && !s.line.startsWith('echo "VAL'));

  it('four typed events in order on the login shell, the 2 KiB line cut at 1 KiB and flagged', async () => {
    await model.waitFor((s) => s.action === 'typed' && s.pid === shellPid && s.line.startsWith('echo zzz'));
    const typed = typedAtShell();
    expect(typed.map((s) => s.line)).toEqual(['cd /tmp', 'export FOO=1', 'ls | wc -l', LONG.slice(0, 1024)]);
    expect(typed.map((s) => s.lineTruncated)).toEqual([false, false, false, true]);
    const shell = model.table.get(shellPid)!;
    expect(new Set(typed.map((s) => s.entityId))).toEqual(new Set([shell.entityId]));
    expect(typed.every((s) => s.entryLeaderPid === shellPid && s.entryType === 'sshd')).toBe(true);
  });

  it('the ls and wc execs have the same entry leader as the typed events', async () => {
    const execs = await model.waitFor((s) => s.action === 'exec' && s.ppid === shellPid && ['ls', 'wc'].includes(exe(s.node)), 2);
    const leaderIds = new Set(typedAtShell().map((s) => s.entryLeaderId));
    expect(leaderIds.size).toBe(1);
    for (const s of execs) {
      expect(leaderIds.has(s.entryLeaderId), describeNode(s.node)).toBe(true);
      expect(s.userEntered).toBe(true);
    }
  });

  it("a non-interactive ssh host \"bash -c 'cd /; true'\" produces no typed event", async () => {
    const [inner] = await model.waitFor(
      (s) => s.action === 'exec' && s.loginUid === sshd.uid && s.args.join(' ') === 'bash -c cd /; true' && s.time >= execWindow.from - 1000,
      1,
      8000,
      'the remote bash -c',
    );
    expect(inner!.entryType).toBe('sshd');
    model.drain();
    // anything typed in that ssh connection's audit session (other test runs type at their own shells meanwhile)
    const strays = model.find((s) => s.action === 'typed' && s.auditSessionId === inner!.auditSessionId);
    expect(strays.map((s) => `${s.pid}: ${s.line}`)).toEqual([]);
  });

  it.skipIf(!cli?.record)('the recording has the same typed lines, truncation flag included', async () => {
    const { code } = await rec!.stop('SIGINT');
    expect(code, rec!.stderr).toBe(0);
    const { docs, bad } = rec!.read();
    expect(bad).toBe(0);
    const typed = docs
      .filter((d) => field(d, 'event.action') === 'typed' && field(d, 'process.pid') === shellPid)
      .filter((d) => !/^echo "(DONE-|VAL)/.test(String(field(d, 'sessiontop.typed.line'))));
    expect(typed.map((d) => field(d, 'sessiontop.typed.line'))).toEqual(['cd /tmp', 'export FOO=1', 'ls | wc -l', LONG.slice(0, 1024)]);
    expect(typed.map((d) => field(d, 'sessiontop.typed.truncated'))).toEqual([false, false, false, true]);
    expect(new Set(typed.map((d) => field(d, 'process.entity_id'))).size).toBe(1);
    expect(typed.every((d) => field(d, 'process.entry_leader.entry_meta.type') === 'sshd')).toBe(true);
  });
});
