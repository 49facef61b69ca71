import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandHelp, globalHelp } from '../../src/commands/command-help.js';
import { readFileSync } from 'node:fs';
import { COMMANDS, VERSION } from '../../src/commands/command-table.js';
import { packageRoot } from '../../src/sensor/native-addon.js';
import { manPage, roff } from '../../src/commands/man-page.js';

/** Every `--option` and `-o` a text names. */
function optionsNamed(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])(--?[a-zA-Z][\w-]*)/g)].map((m) => m[1]!).filter((o) => o !== '-' && !/^-\d/.test(o)));
}

const haveMan = spawnSync('man', ['--version']).status === 0;
if (!haveMan) console.warn('[skip] man page rendering: man is not installed');

describe('man page', () => {
  it('carries the package version (the help header and the man page title use the table version)', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(manPage()).toContain(`"sessiontop ${pkg.version.replace(/-/g, '\\-')}"`);
  });

  it('escapes roff: hyphens, backslashes, and lines that would read as requests', () => {
    expect(roff('--json')).toBe('\\-\\-json');
    expect(roff('a\\b')).toBe('a\\eb');
    expect(roff('.TH evil\n\'br')).toBe('\\&.TH evil\n\\&\'br');
  });

  it.skipIf(!haveMan)('rendered by man, names exactly the commands and options --help names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessiontop-man-'));
    try {
      const file = join(dir, 'sessiontop.1');
      writeFileSync(file, manPage());
      const r = spawnSync('man', ['-l', '-P', 'cat', file], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '250', LANG: 'C.UTF-8' } });
      expect(r.status, r.stderr).toBe(0);
      const rendered = r.stdout;
      expect(r.stderr).toBe('');
      const help = globalHelp() + COMMANDS.map((c) => commandHelp(c)).join('');
      expect([...optionsNamed(rendered)].sort()).toEqual([...optionsNamed(help)].sort());
      for (const c of COMMANDS) {
        if (c.word !== null) expect(rendered).toContain(`sessiontop ${c.word}`);
        expect(rendered).toContain(c.summary.slice(0, 30));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
