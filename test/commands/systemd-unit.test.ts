/**
 * The systemd unit in systemd/ runs a valid `sessiontop record` command line, and systemd accepts it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecordArgs } from '../../src/commands/record.js';
import { packageRoot } from '../../src/sensor/native-addon.js';

const unitPath = join(packageRoot(), 'systemd', 'sessiontop-record.service');
const haveAnalyze = existsSync('/usr/bin/systemd-analyze');
if (!haveAnalyze) console.warn('[skip] systemd-analyze verify: /usr/bin/systemd-analyze is not installed');

describe('systemd/sessiontop-record.service', () => {
  const unit = readFileSync(unitPath, 'utf8');

  it('starts sessiontop record with options the CLI accepts', () => {
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1];
    expect(exec).toBeDefined();
    const words = exec!.split(/\s+/);
    const at = words.findIndex((w) => w.endsWith('/bin/sessiontop.js'));
    expect(words[at + 1]).toBe('record');
    const options = parseRecordArgs(words.slice(at + 2));
    expect(options.output).toBe('/var/log/sessiontop/sessions.ndjson');
    expect(options.append).toBe(true);
    expect(options.force).toBe(false);
    expect(options.rotate).toBe('100M,10');
    expect(options.compress).toBe(true);
    expect(options.source).toBe('auto');
  });

  it('starts node with options this node accepts (the young generation capped for a lean recorder)', () => {
    const words = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(/\s+/);
    const at = words.findIndex((w) => w.endsWith('/bin/sessiontop.js'));
    const nodeOptions = words.slice(1, at);
    expect(nodeOptions).toContain('--max-semi-space-size=4');
    // node refuses unknown options: the unit would fail at start
    const out = execFileSync(process.execPath, [...nodeOptions, '-e', "process.stdout.write('ok')"], { encoding: 'utf8' });
    expect(out).toBe('ok');
  });

  it('stops with SIGTERM (which flushes and fsyncs) and writes under a private logs directory', () => {
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^LogsDirectory=sessiontop$/m);
    expect(unit).toMatch(/^UMask=0077$/m);
  });

  it.skipIf(!haveAnalyze)('passes systemd-analyze verify', () => {
    const out = execFileSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
  });
});
