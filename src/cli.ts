/**
 * sessiontop command line: finds the command in argv (command-line.ts, from the one command table),
 * prints help or the version, or runs the command's module. Exit status: 0 success, 2 bad usage
 * or bad input, 1 other errors; every error is one line on stderr saying what to do.
 */
import { commandHelp, globalHelp } from './commands/command-help.js';
import { locateCommand, parseCommandArgs, wantsHelp, type ParsedArgs } from './commands/command-line.js';
import { PROGRAM, type CommandName, type CommandSpec } from './commands/command-table.js';
import { isUsageError, oneLineMessage } from './exit-error.js';

/** Each command's module, loaded only when it runs (the live view's loads React and Ink). */
const RUN: Record<CommandName, (args: ParsedArgs) => Promise<number>> = {
  async live(args) {
    const { liveOptionsFromArgs, runLive } = await import('./commands/live.js');
    return runLive(liveOptionsFromArgs(args));
  },
  async record(args) {
    const { recordOptionsFromArgs, runRecord } = await import('./commands/record.js');
    return runRecord(recordOptionsFromArgs(args));
  },
  async replay(args) {
    const { replayOptionsFromArgs, runReplay } = await import('./commands/replay.js');
    const { files, options } = replayOptionsFromArgs(args);
    return runReplay(files, options);
  },
  async snapshot(args) {
    const { snapshotOptionsFromArgs, runSnapshot } = await import('./commands/snapshot.js');
    return runSnapshot(snapshotOptionsFromArgs(args));
  },
  async doctor(args) {
    const { doctorOptionsFromArgs, runDoctor } = await import('./commands/doctor.js');
    return runDoctor(doctorOptionsFromArgs(args));
  },
  async completion(args) {
    const { completionShellFromArgs, runCompletion } = await import('./commands/completion-script.js');
    return runCompletion(completionShellFromArgs(args));
  },
  async trace(args) {
    const { traceOptionsFromArgs, runTrace } = await import('./commands/trace.js');
    return runTrace(traceOptionsFromArgs(args));
  },
  async export(args) {
    const { exportOptionsFromArgs, runExport } = await import('./commands/export.js');
    return runExport(exportOptionsFromArgs(args));
  },
};

export async function main(argv: string[]): Promise<number> {
  let command: CommandSpec | null = null;
  try {
    const line = locateCommand(argv);
    if (line.kind === 'version') {
      const { runVersion } = await import('./commands/version.js');
      return runVersion();
    }
    if (line.kind === 'help') {
      process.stdout.write(line.command === null ? globalHelp() : commandHelp(line.command));
      return 0;
    }
    command = line.command;
    if (wantsHelp(command, line.args)) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    const parsed = parseCommandArgs(command, line.args);
    return await RUN[command.name](parsed);
  } catch (err) {
    return reportError(err, command);
  }
}

/** Prints one line for an error and returns the exit status. */
export function reportError(err: unknown, command: CommandSpec | null = null): number {
  const e = err as { code?: string; message?: string };
  const word = command?.word ?? null;
  const prefix = word === null ? PROGRAM : `${PROGRAM} ${word}`;
  if (isUsageError(err)) {
    process.stderr.write(`${prefix}: ${oneLine(oneLineMessage(err))} (see ${prefix} --help)\n`);
    return 2;
  }
  if (e?.code && ['EPERM', 'ENOBTF', 'ENOSYS', 'ELOAD', 'EATTACH', 'ENOADDON', 'EINVAL'].includes(e.code)) {
    process.stderr.write(`${PROGRAM}: cannot start the eBPF sensor: ${oneLine(e.message ?? '')}\n`);
    return 1;
  }
  process.stderr.write(`${PROGRAM}: ${oneLine(e?.message ?? String(err))}\n`);
  return 1;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
