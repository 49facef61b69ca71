/**
 * `--help` text, generated from the command table: the global help (every command and option) and
 * one command's help (`sessiontop snapshot --help`).
 */

import { COMMANDS, COMMON_OPTIONS, PROGRAM, SENSOR_OPTIONS, TAGLINE, VERSION, type CommandSpec, type OptionSpec } from './command-table.js';

const FOOTER = `eBPF needs Linux with BTF (/sys/kernel/btf/vmlinux) and root, or CAP_BPF and CAP_PERFMON.
Exit status: 0 success, 2 bad usage or input, 1 other errors.
`;

/** `-o, --output FILE|-` */
export function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.value === undefined ? '' : ` ${o.value.name}`}`;
  return o.short === undefined ? long : `-${o.short}, ${long}`;
}

function optionLines(options: readonly OptionSpec[]): string {
  return options.map((o) => `  ${optionLabel(o).padEnd(22)}  ${o.description}\n`).join('');
}

/** `sessiontop record -o FILE|- [options]` */
export function usageLine(c: CommandSpec): string {
  return [PROGRAM, c.word, c.synopsis].filter((s) => s !== null && s !== '').join(' ');
}

const sensorUsers = (): string =>
  COMMANDS.filter((c) => c.sensor)
    .map((c) => (c.word === null ? 'live view' : c.word))
    .join(', ');

/** `sessiontop --help` */
export function globalHelp(): string {
  const usages = COMMANDS.map((c) => [usageLine(c), c.summary] as const);
  usages.push([`${PROGRAM} COMMAND --help`, "one command's options"]);
  usages.push([`${PROGRAM} --help | --version`, '']);
  const width = Math.max(...usages.map(([u]) => u.length)) + 2;
  let out = `${PROGRAM} ${VERSION} — ${TAGLINE}\n\nUsage:\n`;
  for (const [u, what] of usages) out += `  ${what === '' ? u : u.padEnd(width) + what}\n`;
  for (const c of COMMANDS) out += `\n${c.optionsHeading}:\n${optionLines(c.options)}`;
  out += `\nSensor options (${sensorUsers()}):\n${optionLines(SENSOR_OPTIONS)}`;
  return `${out}\n${FOOTER}`;
}

/** `sessiontop COMMAND --help` */
export function commandHelp(c: CommandSpec): string {
  if (c.word === null) return globalHelp();
  let out = `${usageLine(c)}\n  ${c.summary}\n`;
  if (c.positionals !== null) out += `\nArguments:\n  ${c.positionals.name.padEnd(22)}  ${c.positionals.description}\n`;
  out += `\nOptions:\n${optionLines([...c.options, ...COMMON_OPTIONS])}`;
  if (c.sensor) out += `\nSensor options:\n${optionLines(SENSOR_OPTIONS)}`;
  return `${out}\n${FOOTER}`;
}
