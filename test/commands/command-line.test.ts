/**
 * The command line's grammar: one table drives parsing, `--help` and per-command help; usage errors
 * are one line naming the command and where its help is, with exit status 2; options given before
 * the command apply to it when it takes them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { commandHelp, globalHelp, optionLabel } from '../../src/commands/command-help.js';
import { locateCommand, parseCommandArgs, wantsHelp } from '../../src/commands/command-line.js';
import { COMMANDS, SENSOR_OPTIONS, commandSpec, optionsOf } from '../../src/commands/command-table.js';
import { parseRecordArgs, RECORD_DRAIN } from '../../src/commands/record.js';
import { snapshotOptionsFromArgs } from '../../src/commands/snapshot.js';
import { traceOptionsFromArgs } from '../../src/commands/trace.js';
import { exportOptionsFromArgs } from '../../src/commands/export.js';
import { ExitError } from '../../src/exit-error.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('usage errors', () => {
  it('an unknown option is one line naming the command, a suggestion and its help, exit 2', async () => {
    expect(await main(['snapshot', '--jsn'])).toBe(2);
    expect(err).toBe('sessiontop snapshot: unknown option --jsn (did you mean --json?) (see sessiontop snapshot --help)\n');
    expect(out).toBe('');
  });
  it('an unknown option of the live view points at the global help', async () => {
    expect(await main(['--bogus-thing'])).toBe(2);
    expect(err).toBe('sessiontop: unknown option --bogus-thing (see sessiontop --help)\n');
  });
  it('an option of another command says it does not apply', async () => {
    expect(await main(['snapshot', '--ring-size', '4M'])).toBe(2);
    expect(err).toBe('sessiontop snapshot: --ring-size is not an option of snapshot (see sessiontop snapshot --help)\n');
  });
  it('a bad value, a missing value, a flag given a value, a stray argument, an unknown command', async () => {
    const cases: [string[], string][] = [
      [['record', '-o', 'f', '--ring-size', 'lots'], 'sessiontop record: --ring-size: "lots" is not a size (examples: 4096, 64K, 16M, 1.5G) (see sessiontop record --help)\n'],
      [['record', '-o'], 'sessiontop record: --output needs a value (FILE|-) (see sessiontop record --help)\n'],
      [['snapshot', '--json=yes'], 'sessiontop snapshot: --json takes no value (see sessiontop snapshot --help)\n'],
      [['trace', 'extra'], 'sessiontop trace: unexpected argument "extra" (see sessiontop trace --help)\n'],
      [['frobnicate'], 'sessiontop: unknown command "frobnicate" (see sessiontop --help)\n'],
      [['replay'], 'sessiontop replay: missing FILE: recordings to replay (several hosts side by side) (see sessiontop replay --help)\n'],
      [['replay', 'f', '--speed', '5000'], 'sessiontop replay: --speed must be a number from 0.125 to 1024 (1 = real time) (see sessiontop replay --help)\n'],
    ];
    for (const [argv, line] of cases) {
      err = '';
      expect(await main(argv), argv.join(' ')).toBe(2);
      expect(err).toBe(line);
    }
  });
  it('escapes control characters of what the user typed', async () => {
    expect(await main(['snapshot', '--\u001b]0;x\u0007'])).toBe(2);
    expect(err).not.toMatch(/[\u0000-\u001f](?!$)/);
    expect(err).toContain('\\e]0;x');
  });
});

describe('help', () => {
  it('sessiontop --help lists every command and every option of the table', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out).toBe(globalHelp());
    for (const c of COMMANDS) {
      if (c.word !== null) expect(out).toContain(`sessiontop ${c.word} `);
      for (const o of optionsOf(c)) if (o.name !== 'help') expect(out).toContain(optionLabel(o));
    }
    expect(out).toContain('Sensor options (live view, record, trace)');
  });
  it('sessiontop snapshot --help prints that command\'s help, wherever --help is and whatever else is wrong', async () => {
    for (const argv of [['snapshot', '--help'], ['snapshot', '--jsn', '-h'], ['help', 'snapshot'], ['--help', 'snapshot']]) {
      out = '';
      expect(await main(argv), argv.join(' ')).toBe(0);
      expect(out).toBe(commandHelp(commandSpec('snapshot')));
    }
    expect(out).toMatch(/^sessiontop snapshot \[options\]\n/);
    expect(out).toContain('--json');
    expect(out).not.toContain('--ring-size');
  });
  it('a sensor command\'s help includes the sensor options', () => {
    const help = commandHelp(commandSpec('record'));
    for (const o of SENSOR_OPTIONS) expect(help).toContain(optionLabel(o));
    expect(help).toContain('-o, --output FILE|-');
  });
  it('--help given as an option\'s value is that value, not a request for help', () => {
    expect(wantsHelp(commandSpec('record'), ['-o', '--help'])).toBe(false);
    expect(wantsHelp(commandSpec('record'), ['-o', 'f', '--help'])).toBe(true);
    expect(() => parseRecordArgs(['-o', '--help'])).toThrow(/--output needs a value/);
  });
});

describe('options before the command', () => {
  it('apply to the command that takes them', () => {
    const line = locateCommand(['--ring-size', '4M', '--no-typed', 'record', '-o', '-']);
    expect(line).toEqual({ kind: 'run', command: commandSpec('record'), args: ['--ring-size', '4M', '--no-typed', '-o', '-'] });
    if (line.kind !== 'run') throw new Error('not a run');
    const options = parseRecordArgs(line.args);
    expect(options.bpf).toEqual({ ringBytes: 4 << 20, ...RECORD_DRAIN, typed: false, debug: false });
    expect(options.output).toBe('-');
  });
  it('are refused, with the reason, by a command that does not take them', async () => {
    expect(await main(['--ring-size', '3M', 'snapshot'])).toBe(2);
    expect(err).toBe('sessiontop snapshot: --ring-size is not an option of snapshot (see sessiontop snapshot --help)\n');
  });
  it('without a command they are the live view\'s', () => {
    const line = locateCommand(['--source', 'procfs']);
    expect(line).toEqual({ kind: 'run', command: commandSpec('live'), args: ['--source', 'procfs'] });
  });
});

describe('option values', () => {
  it('snapshot: recordings after --from, --at only with --from', () => {
    const s = commandSpec('snapshot');
    expect(snapshotOptionsFromArgs(parseCommandArgs(s, ['--from', 'a', 'b', '--from', 'c']))).toMatchObject({ from: ['a', 'c', 'b'] });
    expect(() => snapshotOptionsFromArgs(parseCommandArgs(s, ['a']))).toThrow(/recordings go after --from/);
    expect(() => snapshotOptionsFromArgs(parseCommandArgs(s, ['--at', '+5s']))).toThrow(ExitError);
  });
  it('trace: actions from the one event-action list, pids as whole numbers, durations in any unit', () => {
    const t = commandSpec('trace');
    const o = traceOptionsFromArgs(parseCommandArgs(t, ['--action', 'exec,end', '--pid', '1,42', '--duration', '1.5m']));
    expect(o).toMatchObject({ actions: ['exec', 'end'], pids: [1, 42], durationSec: 90 });
    expect(() => traceOptionsFromArgs(parseCommandArgs(t, ['--action', 'snapshot']))).toThrow(/unknown action "snapshot"/);
    expect(() => traceOptionsFromArgs(parseCommandArgs(t, ['--pid', 'x']))).toThrow(/not a whole number/);
  });
  it('record: sizes as every size option reads them (16MiB and 1.5M alike)', () => {
    expect(parseRecordArgs(['-o', 'f', '--ring-size', '16MiB']).bpf?.ringBytes).toBe(16 << 20);
    expect(() => parseRecordArgs(['-o', 'f', '--ring-size', '1.5M'])).toThrow(/power of two/);
    expect(parseRecordArgs(['-o', 'f', '--rotate', '1.5M,3']).rotate).toBe('1.5M,3');
    expect(parseRecordArgs(['--output=f', '--duration', '500ms']).duration).toBe(0.5);
  });
  it('terminal output: --tty-output with its bounds as sizes; the bounds alone are refused', () => {
    expect(parseRecordArgs(['-o', 'f']).bpf?.ttyOutput).toBeUndefined();
    expect(parseRecordArgs(['-o', 'f', '--tty-output', '--tty-rate', '16K', '--tty-max-bytes', '0']).bpf).toMatchObject({ ttyOutput: true, ttyRate: 16384, ttyMaxBytes: 0 });
    expect(() => parseRecordArgs(['-o', 'f', '--tty-rate', '16K'])).toThrow(/--tty-rate goes with --tty-output/);
    expect(() => parseRecordArgs(['-o', 'f', '--tty-output', '--tty-max-bytes', '5G'])).toThrow(/below 4G/);
  });
  it('export: recordings, --session=ID (an id may start with -), -o', () => {
    const x = commandSpec('export');
    expect(exportOptionsFromArgs(parseCommandArgs(x, ['a.ndjson', 'b.ndjson', '--session=-AbC_12', '-o', 'out.cast']))).toEqual({
      files: ['a.ndjson', 'b.ndjson'],
      session: '-AbC_12',
      output: 'out.cast',
      force: false,
      strict: false,
    });
    expect(() => exportOptionsFromArgs(parseCommandArgs(x, ['a.ndjson']))).toThrow(/export needs --session=ID/);
  });
});
