/**
 * Reading option values the commands share: the sensor options, `--source`, whole numbers in a
 * range. Each is a usage error (exit status 2) naming the option when the value is wrong.
 */

import { usageError } from '../exit-error.js';
import type { SourceChoice } from '../model/live-feed.js';
import { ARGS_LIMIT, TYPED_LIMIT } from '../sensor/record-layout.js';
import { escapeControl } from '../text/escape-control.js';
import { parseDurationMs, parseSize } from '../text/time-size-grammar.js';
import { parseSshSettings, type SshSettings } from '../remote/ssh-command.js';
import { SOURCE_CHOICES } from './command-table.js';
import type { OptionValues } from './command-line.js';

/** The sensor options as the eBPF source takes them (absent ones stay absent). */
export interface SensorOptionValues {
  ringBytes?: number;
  argsMax?: number;
  typedMax?: number;
  typed: boolean;
  debug: boolean;
  ttyOutput?: boolean;
  ttyRate?: number;
  ttyMaxBytes?: number;
}

/** A whole number from `min` to `max`. */
export function wholeNumber(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw usageError(`${what}: "${escapeControl(text)}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw usageError(`${what} must be between ${min} and ${max}`);
  return n;
}

/** `--source auto|bpf|procfs` (default auto). */
export function sourceChoice(text: unknown): SourceChoice {
  if (text === undefined) return 'auto';
  if (!(SOURCE_CHOICES as readonly unknown[]).includes(text)) {
    throw usageError(`--source must be one of ${SOURCE_CHOICES.join(', ')} (got "${escapeControl(String(text))}")`);
  }
  return text as SourceChoice;
}

/** The sensor options (`--ring-size`, `--args-max`, `--typed-max`, `--no-typed`, `--debug`); absent ones stay absent. */
export function sensorOptionValues(values: OptionValues): SensorOptionValues {
  const out: SensorOptionValues = { typed: !values['no-typed'], debug: Boolean(values.debug) };
  const ring = values['ring-size'];
  if (typeof ring === 'string') {
    const bytes = parseSize(ring, '--ring-size');
    if (bytes < 4096 || (bytes & (bytes - 1)) !== 0 || bytes > 1 << 30) throw usageError('--ring-size must be a power of two between 4K and 1G');
    out.ringBytes = bytes;
  }
  if (typeof values['args-max'] === 'string') out.argsMax = wholeNumber(values['args-max'], '--args-max', 0, ARGS_LIMIT);
  if (typeof values['typed-max'] === 'string') out.typedMax = wholeNumber(values['typed-max'], '--typed-max', 1, TYPED_LIMIT);
  if (values['tty-output'] === true) out.ttyOutput = true;
  for (const [name, key] of [
    ['tty-rate', 'ttyRate'],
    ['tty-max-bytes', 'ttyMaxBytes'],
  ] as const) {
    const v = values[name];
    if (typeof v !== 'string') continue;
    if (out.ttyOutput !== true) throw usageError(`--${name} goes with --tty-output`);
    const bytes = parseSize(v, `--${name}`);
    if (bytes > 0xffffffff) throw usageError(`--${name} must be below 4G`);
    out[key] = bytes;
  }
  return out;
}

/** --retention in ms (undefined: the model's default): a duration from 10 s to 7 days. */
export function retentionValue(values: OptionValues): number | undefined {
  const text = stringValue(values, 'retention');
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text, '--retention');
  if (ms < 10_000 || ms > 7 * 86_400_000) throw usageError('--retention must be between 10s and 7d (for example 30m or 2h)');
  return ms;
}

/** A string option's value, or undefined. */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** `--ssh DEST…`, `--ssh-option`, `--remote-command`, `--no-local`: the remote hosts, or undefined without --ssh. */
export function sshOptionValues(values: OptionValues): { ssh: SshSettings; local: boolean } | undefined {
  const ssh = (values.ssh as string[] | undefined) ?? [];
  const sshOptions = (values['ssh-option'] as string[] | undefined) ?? [];
  const remoteCommand = stringValue(values, 'remote-command');
  if (ssh.length === 0) {
    if (values['no-local']) throw usageError('--no-local goes with --ssh DEST (otherwise there is no host to watch)');
    if (sshOptions.length > 0 || remoteCommand !== undefined) throw usageError('--ssh-option and --remote-command go with --ssh DEST');
    return undefined;
  }
  const settings = parseSshSettings({ ssh, sshOptions, ...(remoteCommand !== undefined ? { remoteCommand } : {}) });
  return { ssh: settings, local: !values['no-local'] };
}
