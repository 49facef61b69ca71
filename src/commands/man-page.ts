/**
 * The man page sessiontop(1), generated from the command table, the one `--help` is generated from,
 * so the two cannot disagree. `npm pack` writes it to man/sessiontop.1 (package.json's `man`):
 *   node dist/package/commands/man-page.js man/sessiontop.1
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { optionLabel, usageLine } from './command-help.js';
import { COMMANDS, COMMON_OPTIONS, PROGRAM, SENSOR_OPTIONS, SSH_OPTIONS, TAGLINE, VERSION, type OptionSpec } from './command-table.js';

/** Text safe in roff: backslashes and hyphens escaped, no line read as a request. */
export function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function optionItems(options: readonly OptionSpec[]): string {
  return options.map((o) => `.TP\n.B ${roff(optionLabel(o))}\n${roff(o.description)}\n`).join('');
}

const sensorUsers = COMMANDS.filter((c) => c.sensor).map((c) => (c.word === null ? 'the live view' : c.word)).join(', ');
const sshUsers = COMMANDS.filter((c) => c.ssh === true).map((c) => (c.word === null ? 'the live view' : c.word)).join(', ');

/** The whole page. */
export function manPage(): string {
  let out = `.TH ${PROGRAM.toUpperCase()} 1 "" "${PROGRAM} ${roff(VERSION)}" "User Commands"\n`;
  out += `.SH NAME\n${PROGRAM} \\- ${roff(TAGLINE)}\n`;
  out += '.SH SYNOPSIS\n';
  out += COMMANDS.map((c) => `.B ${roff(usageLine(c))}\n.br\n`).join('');
  out += `.B ${PROGRAM} COMMAND \\-\\-help\n.br\n.B ${PROGRAM} \\-\\-help | \\-\\-version\n`;
  out += '.SH DESCRIPTION\n';
  out += roff(
    `${PROGRAM} shows, live, who is logged in to a Linux host, how each entered it (ssh, console, serial line, SSM, container, service), ` +
      'the process tree of every session and which commands a human typed. It records everything as ECS-shaped NDJSON for replay ' +
      'in the same view and for shipping to a fleet store. It sees processes through CO-RE eBPF programs; without eBPF it says why ' +
      'in one line and watches /proc instead, marked degraded.',
  );
  out += '\n.SH COMMANDS\n';
  for (const c of COMMANDS) {
    out += `.SS ${roff(usageLine(c))}\n${roff(c.summary)}\n`;
    if (c.positionals !== null) out += `.TP\n.I ${roff(c.positionals.name)}\n${roff(c.positionals.description)}\n`;
    out += optionItems(c.options);
  }
  out += `.SH "SENSOR OPTIONS"\nFor ${roff(sensorUsers)}.\n${optionItems(SENSOR_OPTIONS)}`;
  out += `.SH "SEVERAL HOSTS"\nFor ${roff(sshUsers)}.\n${optionItems(SSH_OPTIONS)}`;
  out += `.SH "COMMON OPTIONS"\n${optionItems(COMMON_OPTIONS)}.TP\n.B \\-\\-version\nprint the version, the kernel record version and the libbpf version, and exit\n`;
  out += '.SH "EXIT STATUS"\n0 success, 2 bad usage or bad input, 1 other errors; every error is one line on standard error saying what to do.\n';
  out += `.SH ENVIRONMENT\n.TP\n.B SESSIONTOP_ADDON\n${roff('a sessiontop.node to load instead of the installed addon')}\n`;
  out += `.SH NOTES\n${roff('eBPF needs Linux 5.17+ with BTF (/sys/kernel/btf/vmlinux) and root, or CAP_BPF and CAP_PERFMON. Start troubleshooting with sessiontop doctor.')}\n`;
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = process.argv[2];
  if (target) writeFileSync(target, manPage());
  else process.stdout.write(manPage());
}
