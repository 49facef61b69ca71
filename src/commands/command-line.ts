/**
 * Reads argv with the command table (command-table.ts): finds the command (options may come before
 * it: `sessiontop --ring-size 4M record -o f` is `record --ring-size 4M -o f`), then its options and
 * arguments. Options are `--name VALUE`, `--name=VALUE`, `-o VALUE` or `-oVALUE`; `--` ends them.
 * `--help` anywhere asks for the help of the command found. Bad usage is an ExitError of usage
 * (exit status 2) with one line naming the option; the dispatcher adds where help is.
 */

import { usageError } from '../exit-error.js';
import { escapeControl } from '../text/escape-control.js';
import { COMMANDS, COMMON_OPTIONS, SENSOR_OPTIONS, commandSpec, optionsOf, type CommandSpec, type OptionSpec } from './command-table.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  command: CommandSpec;
  /** By long option name: a string, `true` for a flag, an array for a `multiple` option. */
  values: OptionValues;
  positionals: string[];
}

export type CommandLine =
  | { kind: 'version' }
  /** `command` null: the global help. */
  | { kind: 'help'; command: CommandSpec | null }
  | { kind: 'run'; command: CommandSpec; args: string[] };

/** Every option any command takes, by long and short name (for reading options before the command). */
const ANY_OPTION = new Map<string, OptionSpec>();
for (const o of [...COMMANDS.flatMap((c) => c.options), ...SENSOR_OPTIONS, ...COMMON_OPTIONS]) {
  ANY_OPTION.set(`--${o.name}`, o);
  if (o.short !== undefined) ANY_OPTION.set(`-${o.short}`, o);
}

/** Which command argv runs and its arguments (the options given before the command included). */
export function locateCommand(argv: readonly string[]): CommandLine {
  const first = argv[0];
  if (first === '--version' || first === '-V') return { kind: 'version' };
  const before: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i] as string;
    if (t === '--') break;
    if (t.startsWith('-') && t !== '-') {
      before.push(t);
      const spec = ANY_OPTION.get(t);
      if (spec?.value !== undefined && i + 1 < argv.length) before.push(argv[++i] as string);
      continue;
    }
    if (t === 'help') {
      const word = argv[i + 1];
      const named = word === undefined ? null : COMMANDS.find((c) => c.word === word);
      if (word !== undefined && named === undefined) throw usageError(`unknown command "${escapeControl(word)}"`);
      return { kind: 'help', command: named ?? null };
    }
    const command = COMMANDS.find((c) => c.word === t);
    if (command === undefined) throw usageError(`unknown command "${escapeControl(t)}"`);
    return { kind: 'run', command, args: [...before, ...argv.slice(i + 1)] };
  }
  return { kind: 'run', command: commandSpec('live'), args: [...argv] };
}

/** True when `args` ask for help (`--help` or `-h` as an option, not as an option's value). */
export function wantsHelp(command: CommandSpec, args: readonly string[]): boolean {
  const known = optionMap(command);
  for (let i = 0; i < args.length; i++) {
    const t = args[i] as string;
    if (t === '--') return false;
    if (t === '--help' || t === '-h') return true;
    const spec = known.get(t) ?? ANY_OPTION.get(t);
    if (spec?.value !== undefined) i++;
  }
  return false;
}

/** The command's options and arguments; throws a usage ExitError naming the first problem. */
export function parseCommandArgs(command: CommandSpec, args: readonly string[]): ParsedArgs {
  const known = optionMap(command);
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const t = args[i] as string;
    if (t === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!t.startsWith('-') || t === '-') {
      positionals.push(t);
      continue;
    }
    let name = t;
    let inline: string | undefined;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      if (eq > 0) {
        name = t.slice(0, eq);
        inline = t.slice(eq + 1);
      }
    } else if (t.length > 2) {
      name = t.slice(0, 2);
      inline = t.slice(2);
    }
    const spec = known.get(name);
    if (spec === undefined) throw unknownOption(command, name);
    let value: string | boolean;
    if (spec.value === undefined) {
      if (inline !== undefined) throw usageError(`--${spec.name} takes no value`);
      value = true;
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw usageError(`--${spec.name} needs a value (${spec.value.name})`);
      value = next;
      i++;
    }
    if (spec.multiple) values[spec.name] = [...((values[spec.name] as string[] | undefined) ?? []), value as string];
    else values[spec.name] = value;
  }
  if (command.positionals === null && positionals.length > 0) throw usageError(`unexpected argument "${escapeControl(positionals[0] as string)}"`);
  if (command.positionals !== null && positionals.length < command.positionals.min) {
    throw usageError(`missing ${command.positionals.name}: ${command.positionals.description}`);
  }
  return { command, values, positionals };
}

function optionMap(command: CommandSpec): Map<string, OptionSpec> {
  const m = new Map<string, OptionSpec>();
  for (const o of optionsOf(command)) {
    m.set(`--${o.name}`, o);
    if (o.short !== undefined) m.set(`-${o.short}`, o);
  }
  return m;
}

function unknownOption(command: CommandSpec, name: string): Error {
  const shown = escapeControl(name);
  if (ANY_OPTION.has(name)) {
    const where = command.word === null ? 'the live view' : command.word;
    return usageError(`${shown} is not an option of ${where}`);
  }
  const near = closest(name.replace(/^-+/, ''), optionsOf(command).map((o) => o.name));
  return usageError(`unknown option ${shown}${near === null ? '' : ` (did you mean --${near}?)`}`);
}

/** The candidate within two edits of `word`, if exactly one is nearest. */
function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
