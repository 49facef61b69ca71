/**
 * Acceptance (issue 13): typed lines over a real ssh login whose login shell is zsh, and one whose
 * login shell is dash, with sessiontop started while the login's prompt is already open (as an
 * administrator does on a busy host): `cd /tmp`, `export X=1`, a pipeline, a line with multibyte
 * UTF-8 and bytes zsh metafies, a 2 KiB line — all there, the first included, in order, on the login
 * shell's entity id and in the login's entry session, each with the shell's cwd; the recording says
 * the same. A non-interactive `ssh host "zsh -c …"` / `"dash -c …"` produces no typed event.
 *
 * Each shell logs in as its own test user (zsh: an empty `.zshrc`, so zsh's new-user wizard stays away,
 * and LANG=C.UTF-8 in `.zshenv`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliRecording, cliAvailability, field } from '../support/cli-harness.js';
import { LiveModel, type Seen } from '../support/live-model.js';
import { sensorSkipReason } from '../support/sensor-harness.js';
import { type SshPty, SshdHarness, sshdSkipReason } from '../support/sshd-harness.js';

const skip = sensorSkipReason() ?? sshdSkipReason();
if (skip) console.warn(`[skip] typed lines over ssh (zsh, dash): ${skip}`);
const cli = skip ? undefined : cliAvailability();
const LONG = 'echo ' + 'z'.repeat(2043); // 2 KiB
const UTF8 = "echo 'héllo à — ü 日本'"; // à (C3 A0) and — (E2 80 94) hold bytes zsh metafies
const LINES = ['cd /tmp', 'export X=1', 'ls / | wc -l', UTF8, LONG];
const EXPECTED = ['cd /tmp', 'export X=1', 'ls / | wc -l', UTF8, LONG.slice(0, 1024)];
const isMarker = (line: string) => /^echo "(DONE-|VAL)/.test(line);

const LOGINS = [
  // a UTF-8 locale, as on most servers (in the C locale zsh itself turns each non-ASCII byte typed into '?')
  { shell: 'zsh', user: { name: 'sessiontop-tz', shell: '/bin/zsh', files: { '.zshrc': '', '.zshenv': 'export LANG=C.UTF-8\n' } } },
  { shell: 'dash', user: { name: 'sessiontop-td', shell: '/bin/dash', files: {} } },
] as const;

for (const login of LOGINS) {
  describe.skipIf(skip)(`acceptance: typed lines in an ssh login whose shell is ${login.shell}`, () => {
    let sshd: SshdHarness;
    let model: LiveModel;
    let client: SshPty;
    let shellPid = 0;
    let rec: CliRecording | undefined;
    let recDir = '';
    const window = { from: 0, to: 0 };

    beforeAll(async () => {
      recDir = mkdtempSync(join(tmpdir(), `sessiontop-acc-typed-${login.shell}-`));
      sshd = await SshdHarness.start({ sudo: false, user: { ...login.user, files: { ...login.user.files } } });
      // the prompt is open before sessiontop starts
      ({ client, shellPid } = await sshd.login());
      model = await LiveModel.start({ typed: true });
      if (cli?.record) rec = await CliRecording.start(join(recDir, 'typed.ndjson'));
      for (const line of LINES) await client.run(line);
      window.from = Date.now();
      const r = await sshd.sshExec(`${login.user.shell} -c 'cd /; true'`);
      window.to = Date.now();
      expect(r.code).toBe(0);
    }, 90_000);

    afterAll(async () => {
      await client?.close().catch(() => undefined);
      await rec?.stop().catch(() => undefined);
      await model?.stop();
      await sshd?.stop();
      rmSync(recDir, { recursive: true, force: true });
    });

    const typedAtShell = (): Seen[] => model.find((s) => s.action === 'typed' && s.pid === shellPid && !isMarker(s.line));

    it('every line, the first after the start included, in order on the login shell, the long one cut and flagged', async () => {
      await model.waitFor((s) => s.action === 'typed' && s.pid === shellPid && s.line.startsWith('echo zzz'));
      const typed = typedAtShell();
      expect(typed.map((s) => s.line)).toEqual(EXPECTED);
      expect(typed.map((s) => s.lineTruncated)).toEqual([false, false, false, false, true]);
      expect(new Set(typed.map((s) => s.shell))).toEqual(new Set([login.shell]));
      const shell = model.table.get(shellPid)!;
      expect(new Set(typed.map((s) => s.entityId))).toEqual(new Set([shell.entityId]));
      expect(typed.every((s) => s.entryLeaderPid === shellPid && s.entryType === 'sshd')).toBe(true);
    });

    it("each line carries the shell's cwd, and the model shows the shell's current directory", () => {
      const typed = typedAtShell();
      expect(typed[0]!.cwd).toBe(sshd.home);
      expect(typed.slice(1).every((s) => s.cwd === '/tmp')).toBe(true);
      expect(model.table.get(shellPid)!.cwd).toBe('/tmp');
      expect(model.table.get(shellPid)!.typed.map((t) => t.cwd).slice(-1)).toEqual(['/tmp']);
    });

    it(`a non-interactive ssh host "${login.shell} -c 'cd /; true'" produces no typed event`, async () => {
      const [inner] = await model.waitFor(
        (s) => s.action === 'exec' && s.loginUid === sshd.uid && s.args.join(' ') === `${login.user.shell} -c cd /; true` && s.time >= window.from - 1000,
        1,
        8000,
        `the remote ${login.shell} -c`,
      );
      model.drain();
      // anything typed in that ssh connection's audit session (other test runs type at their own shells meanwhile)
      expect(inner!.auditSessionId).not.toBe(model.table.get(shellPid)!.auditSessionId);
      const strays = model.find((s) => s.action === 'typed' && s.auditSessionId === inner!.auditSessionId);
      expect(strays.map((s) => `${s.pid}: ${s.line}`)).toEqual([]);
    });

    it.skipIf(!cli?.record)('the recording has the same typed lines, shell, cwd and truncation', async () => {
      const { code } = await rec!.stop('SIGINT');
      expect(code, rec!.stderr).toBe(0);
      const { docs, bad } = rec!.read();
      expect(bad).toBe(0);
      const typed = docs
        .filter((d) => field(d, 'event.action') === 'typed' && field(d, 'process.pid') === shellPid)
        .filter((d) => !isMarker(String(field(d, 'sessiontop.typed.line'))));
      expect(typed.map((d) => field(d, 'sessiontop.typed.line'))).toEqual(EXPECTED);
      expect(typed.map((d) => field(d, 'sessiontop.typed.truncated'))).toEqual([false, false, false, false, true]);
      expect(new Set(typed.map((d) => field(d, 'sessiontop.typed.shell')))).toEqual(new Set([login.shell]));
      expect(typed.slice(1).map((d) => field(d, 'process.working_directory'))).toEqual(['/tmp', '/tmp', '/tmp', '/tmp']);
      expect(new Set(typed.map((d) => field(d, 'process.entity_id'))).size).toBe(1);
      expect(typed.every((d) => field(d, 'process.entry_leader.entry_meta.type') === 'sshd')).toBe(true);
    });
  });
}
