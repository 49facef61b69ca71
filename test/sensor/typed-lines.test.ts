/**
 * Lines typed at interactive bash, zsh and dash, captured on the real kernel, in real
 * pseudo-terminals: builtins, order, multibyte UTF-8 (and bytes zsh metafies), the bound, the shell
 * and its cwd on each line; the first line at a prompt that was already open when the sensor started
 * (exactly once); nothing from `-c`, scripts, `read -s`, echo-off terminals or python's input().
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Captured, Collector, sensorSkipReason } from '../support/sensor-harness.js';
import { SshPty } from '../support/sshd-harness.js';

const skip = sensorSkipReason();
const LONG = 'echo ' + 'z'.repeat(2043); // 2 KiB
// à is C3 A0 (0xA0: zsh metafies it), — is E2 80 94 (0x94: metafied too), ü is C3 BC
const UTF8 = "echo 'héllo à — ü 日本'";
const SHELLS = [
  { name: 'bash', path: '/bin/bash', args: ['--norc', '--noprofile', '-i'] },
  { name: 'zsh', path: '/bin/zsh', args: ['-f', '-i'] },
  { name: 'dash', path: '/bin/dash', args: ['-i'] },
] as const;
type ShellSpec = (typeof SHELLS)[number];

let home = '';

/** An interactive shell in a real pty, started in `/`, ready (it answered a marker). */
async function openShell(s: ShellSpec): Promise<SshPty> {
  const term = pty.spawn(s.path, [...s.args], {
    cols: 200,
    rows: 50,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', HOME: home, LANG: 'C.UTF-8' },
  });
  const shell = new SshPty(term);
  await shell.run('');
  return shell;
}

/** Typed lines at `pid`, the harness's own marker lines left out. */
function linesAt(c: Collector, pid: number): Captured[] {
  return c.find((e) => e.action === 'typed' && e.pid === pid && !/^echo "(DONE-|VAL)/.test(e.line));
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sessiontop-typed-home-'));
  writeFileSync(join(home, '.zshrc'), '');
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe.skipIf(skip)('typed lines', () => {
  let c: Collector;
  beforeAll(async () => {
    c = await new Collector({ typed: true }).start();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('attaches readline and rl_newline (bash), zleentry and acceptline (zsh), the read(2) tracepoint (dash)', () => {
    const probes = c.source.stats()!.probes;
    for (const p of probes) expect(p.attached, `${p.probe} in ${p.path}: ${p.error ?? ''}`).toBe(true);
    expect(new Set(probes.map((p) => p.probe))).toEqual(new Set(['readline', 'rl_newline', 'zleentry', 'acceptline', 'read(2)']));
  });

  for (const s of SHELLS) {
    it(`${s.name}: every line in order, builtins, a pipeline, UTF-8, the bound, the shell and its cwd`, async () => {
      const shell = await openShell(s);
      for (const line of ['cd /tmp', 'export X=1', 'ls / | wc -l', UTF8, LONG]) await shell.run(line);
      await shell.close();
      const typed = linesAt(c, shell.pid);
      expect(typed.map((e) => e.line)).toEqual(['cd /tmp', 'export X=1', 'ls / | wc -l', UTF8, LONG.slice(0, 1024), 'exit']);
      expect(typed.map((e) => e.lineTruncated)).toEqual([false, false, false, false, true, false]);
      // the directory the line was entered in: `cd /tmp` itself was typed in `/`
      expect(typed.map((e) => e.cwd)).toEqual(['/', '/tmp', '/tmp', '/tmp', '/tmp', '/tmp']);
      expect(new Set(typed.map((e) => e.shell))).toEqual(new Set([s.name]));
      expect(new Set(typed.map((e) => e.typedVia))).toEqual(new Set([s.name === 'dash' ? 'read' : 'return']));
      expect(new Set(typed.map((e) => e.startTicks)).size).toBe(1);
      expect(typed[0]!.tty).not.toBe(0);
      // the pipeline's processes are children of that shell
      const execs = c.find((e) => e.action === 'exec' && e.ppid === shell.pid).map((e) => e.executable);
      expect(execs).toEqual(expect.arrayContaining(['/usr/bin/ls', '/usr/bin/wc']));
    });

    it(`${s.name}: nothing from ${s.name === 'dash' ? 'an echo-off terminal' : 'read -s'} or python's input() run from it`, async () => {
      const shell = await openShell(s);
      if (s.name === 'dash') {
        // dash has no read -s, and reads its commands from the terminal itself: with echo off (as a
        // password prompt leaves it), what is typed is not reported
        await shell.run('stty -echo');
        await shell.run('true hidden-while-echo-off');
        await shell.run('stty echo');
      } else {
        // read -s switches the terminal with TCSAFLUSH: type the secret once it waits
        const from = shell.out.text.length;
        shell.type('read -s secret');
        await shell.waitFor(/read -s secret[^\n]*\n/, 10_000, from);
        await new Promise((r) => setTimeout(r, 500));
        await shell.run('hunter2-read-s');
      }
      shell.type(`python3 -c 'x = input(); print("got", len(x))'`);
      await shell.waitFor(/python3 -c[^\n]*\n/);
      await shell.run('secret-from-python');
      await shell.run('echo visible-after');
      await shell.close();
      const all = c.find((e) => e.action === 'typed');
      expect(all.filter((e) => /hunter2|hidden-while-echo-off|secret-from-python/.test(e.line)).map((e) => e.line)).toEqual([]);
      expect(linesAt(c, shell.pid).map((e) => e.line)).toContain('echo visible-after');
    });

    it(`${s.name}: nothing from ${s.name} -c or a ${s.name} script reading the terminal`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sessiontop-typed-script-'));
      try {
        const script = join(dir, 'script.sh');
        writeFileSync(script, 'read x\necho "script-got-$x"\ncd /tmp\n');
        const runs = [
          [s.path, ['-c', 'read x; echo "dash-c-got-$x"; cd /']],
          [s.path, [script]],
        ] as const;
        for (const [path, args] of runs) {
          const term = new SshPty(pty.spawn(path, [...args], { cols: 120, rows: 20, cwd: '/', env: { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: home } }));
          await new Promise((r) => setTimeout(r, 300));
          term.type('typed-into-non-interactive');
          await term.waitFor(/got-typed-into-non-interactive/);
          await term.exited;
          await c.waitFor((e) => e.action === 'end' && e.pid === term.pid);
          expect(c.find((e) => e.action === 'typed' && e.pid === term.pid).map((e) => e.line)).toEqual([]);
        }
        expect(c.find((e) => e.action === 'typed' && e.line.includes('typed-into-non-interactive'))).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('captures nothing, and loads no typed-line program, with typed capture off', async () => {
    const off = await new Collector({ typed: false }).start();
    try {
      const stats = off.source.stats()!;
      expect(stats.probes).toEqual([]);
      expect(stats.programs).toBeLessThan(c.source.stats()!.programs);
      const shells = await Promise.all(SHELLS.map(openShell));
      for (const shell of shells) await shell.run('echo typed-with-capture-off');
      for (const shell of shells) await shell.close();
      for (const shell of shells) await off.waitFor((e) => e.action === 'end' && e.pid === shell.pid);
      expect(off.find((e) => e.action === 'typed')).toHaveLength(0);
    } finally {
      await off.stop();
    }
  });
});

describe.skipIf(skip)('a prompt already open when the sensor starts', () => {
  it('bash, zsh and dash: the first line typed after the start is there, once, and so is the next', async () => {
    const shells = await Promise.all(SHELLS.map(openShell));
    const c = await new Collector({ typed: true }).start();
    try {
      for (const shell of shells) {
        await shell.run('echo first-after-start');
        await shell.run('echo second-after-start');
      }
      for (const shell of shells) await shell.close();
      for (const [i, s] of SHELLS.entries()) {
        const typed = linesAt(c, shells[i]!.pid);
        expect(typed.map((e) => e.line), s.name).toEqual(['echo first-after-start', 'echo second-after-start', 'exit']);
        expect(typed.map((e) => e.shell)).toEqual([s.name, s.name, s.name]);
        // bash and zsh were inside their line editor's read when the probes attached: accept-line saw it
        expect(typed[0]!.typedVia).toBe(s.name === 'dash' ? 'read' : 'accept');
        expect(typed[1]!.typedVia).toBe(s.name === 'dash' ? 'read' : 'return');
        expect(typed.every((e) => e.cwd === '/')).toBe(true);
      }
    } finally {
      for (const shell of shells) await shell.close(false, 0);
      await c.stop();
    }
  });
});

describe.skipIf(skip)('a bash linked to libreadline.so', () => {
  // No bash linked to the shared libreadline is packaged here: a minimal readline shell
  // (test/support/readline-shell.c) installed as `bash` takes the same path: probes in
  // libreadline.so counting only executables found as bash, rl_line_buffer copied into the executable.
  let dir = '';
  let rlBash = '';
  let other = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sessiontop-rl-'));
    rlBash = join(dir, 'bash');
    other = join(dir, 'not-a-shell');
    execFileSync('cc', ['-O2', '-o', rlBash, join(import.meta.dirname, '../support/readline-shell.c'), '-lreadline']);
    execFileSync('cc', ['-O2', '-o', other, join(import.meta.dirname, '../support/readline-shell.c'), '-lreadline']);
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first line at an open prompt (accept-line), then each line (readline returns); nothing from another libreadline program', async () => {
    const spawnRl = async (path: string): Promise<SshPty> => {
      const t = new SshPty(pty.spawn(path, [], { cols: 120, rows: 20, cwd: '/', env: { PATH: '/usr/bin:/bin', TERM: 'xterm', HOME: home } }));
      await t.waitFor('rl$ ');
      return t;
    };
    const shell = await spawnRl(rlBash);
    const prog = await spawnRl(other);
    const c = await new Collector({ typed: true, extraShells: [rlBash] }).start();
    try {
      const probes = c.source.stats()!.probes.filter((p) => p.path.includes('libreadline'));
      expect(probes.map((p) => [p.probe, p.attached])).toEqual([['rl_newline', true], ['readline', true], ['readline', true]]);
      for (const t of [shell, prog]) {
        for (const line of ['echo first-after-start', 'echo second-after-start']) {
          const from = t.out.text.length;
          t.type(line);
          await t.waitFor(`got:${line}`, 10_000, from);
        }
        t.type('exit');
        await t.exited;
      }
      await c.waitFor((e) => e.action === 'end' && e.pid === prog.pid);
      const typed = c.find((e) => e.action === 'typed' && e.pid === shell.pid);
      expect(typed.map((e) => [e.line, e.typedVia, e.shell])).toEqual([
        ['echo first-after-start', 'accept', 'bash'],
        ['echo second-after-start', 'return', 'bash'],
        ['exit', 'return', 'bash'],
      ]);
      expect(c.find((e) => e.action === 'typed' && e.pid === prog.pid)).toEqual([]);
    } finally {
      await shell.close(false, 0);
      await prog.close(false, 0);
      await c.stop();
    }
  });
});
