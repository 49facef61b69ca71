/**
 * `sessiontop --version`: the package version, then the kernel record version and the libbpf version
 * of the addon actually loaded (the prebuilt or the local build), so a report names all three.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeControl } from '../text/escape-control.js';
import { RECORD_VERSION } from '../sensor/record-layout.js';
import { loadAddon, packageRoot } from '../sensor/native-addon.js';

/** The version in sessiontop's package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** Prints the versions; 1 (with the loader's one-line reason on stderr) when the addon cannot load. */
export function runVersion(): number {
  process.stdout.write(`sessiontop ${escapeControl(packageVersion())}\n`);
  let addon;
  try {
    addon = loadAddon();
  } catch (err) {
    process.stderr.write(`sessiontop: ${escapeControl(String((err as Error).message ?? err))}\n`);
    return 1;
  }
  const mismatch = addon.recordVersion === RECORD_VERSION ? '' : ` (this build decodes ${RECORD_VERSION}: rebuild the addon)`;
  process.stdout.write(`record version ${addon.recordVersion}${mismatch}, libbpf ${escapeControl(addon.libbpfVersion)}\n`);
  return mismatch ? 1 : 0;
}
