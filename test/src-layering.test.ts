/**
 * The layering docs/design.md states, checked on the sources: each folder of src/ imports only the
 * folders below it (data flows sensor → model → record / ui; commands on top; text/ and
 * exit-error.ts at the bottom for all).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..', 'src');

/** Folder (or root file) → what it may import besides itself. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'exit-error.ts': [],
  sensor: [],
  text: ['sensor', 'exit-error.ts'],
  model: ['sensor'],
  record: ['sensor', 'model', 'text', 'exit-error.ts'],
  ui: ['sensor', 'model', 'record', 'text', 'exit-error.ts'],
  commands: ['sensor', 'model', 'record', 'ui', 'text', 'exit-error.ts'],
  'cli.ts': ['commands', 'exit-error.ts'],
};

function unitOf(file: string): string {
  return relative(SRC, file).split('/')[0] as string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return /\.tsx?$/.test(d.name) ? [p] : [];
  });
}

describe('src/ layering', () => {
  it('every folder imports only the folders below it', () => {
    const wrong: string[] = [];
    for (const file of sources(SRC)) {
      const from = unitOf(file);
      const allowed = MAY_IMPORT[from];
      expect(allowed, `${from} has no place in docs/design.md's layering`).toBeDefined();
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)) {
        const to = unitOf(resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
        if (to !== from && !allowed!.includes(to)) wrong.push(`${relative(SRC, file)} imports ${m[1]}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
