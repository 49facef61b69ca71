import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS, optionsOf } from '../../src/commands/command-table.js';
import { completionScript, completionShellFromArgs } from '../../src/commands/completion-script.js';
import { commandSpec } from '../../src/commands/command-table.js';
import { isUsageError } from '../../src/exit-error.js';

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bashFile = join(dir, 'sessiontop.bash');
writeFileSync(bashFile, completionScript('bash'));

/** What bash completes for the words typed so far (the last one being completed). */
function complete(...words: string[]): string[] {
  const script = `source ${JSON.stringify(bashFile)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _sessiontop; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: dir });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

const haveZsh = spawnSync('zsh', ['--version']).status === 0;
if (!haveZsh) console.warn('[skip] zsh completion: zsh is not installed');

describe('completion scripts', () => {
  it('refuses a shell it has no script for as bad usage', () => {
    const args = (positionals: string[]) => ({ command: commandSpec('completion'), values: {}, positionals });
    expect(completionShellFromArgs(args(['zsh']))).toBe('zsh');
    for (const bad of [['fish'], ['bash', 'zsh'], ['\u001b[2J']]) {
      let caught: unknown;
      try {
        completionShellFromArgs(args(bad));
      } catch (err) {
        caught = err;
      }
      expect(isUsageError(caught), bad.join(' ')).toBe(true);
      expect(String((caught as Error).message)).not.toContain('\u001b');
    }
  });

  it('bash: registers the function for sessiontop', () => {
    const r = spawnSync('bash', ['-c', `source ${JSON.stringify(bashFile)}; complete -p sessiontop`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('complete -F _sessiontop sessiontop');
  });

  it('bash: completes every command word and every option of every command from the table', () => {
    expect(complete('sessiontop', '')).toEqual(COMMANDS.filter((c) => c.word !== null).map((c) => c.word));
    for (const c of COMMANDS) {
      const words = c.word === null ? ['sessiontop', '-'] : ['sessiontop', c.word, '-'];
      const expected = optionsOf(c).flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]);
      expect(complete(...words).sort(), c.name).toEqual([...expected, ...(c.word === null ? ['--version'] : [])].sort());
    }
  });

  it('bash: completes option values: choices, comma lists, files', () => {
    expect(complete('sessiontop', 'tr')).toEqual(['trace']);
    expect(complete('sessiontop', '--source', '')).toEqual(['auto', 'bpf', 'procfs']);
    expect(complete('sessiontop', 'record', '--source', 'p')).toEqual(['procfs']);
    expect(complete('sessiontop', 'trace', '--action', 'exec,fo')).toEqual(['exec,fork']);
    expect(complete('sessiontop', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(complete('sessiontop', 'record', '-o', join(dir, 'sessiontop.b'))).toEqual([bashFile]);
    expect(complete('sessiontop', 'trace', '--duration', '')).toEqual([]);
  });

  it.skipIf(!haveZsh)('zsh: parses, and registers _sessiontop for sessiontop after compinit', () => {
    const zshFile = join(dir, '_sessiontop');
    writeFileSync(zshFile, completionScript('zsh'));
    expect(spawnSync('zsh', ['-n', zshFile], { encoding: 'utf8' }).status).toBe(0);
    const r = spawnSync('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -d ${JSON.stringify(join(dir, 'zcompdump'))}; source ${JSON.stringify(zshFile)}; print -r -- $_comps[sessiontop]`], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).toBe('_sessiontop');
    for (const c of COMMANDS) {
      for (const o of optionsOf(c)) expect(completionScript('zsh')).toContain(`--${o.name}`);
    }
  });
});
