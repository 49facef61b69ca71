/**
 * The command line as data: every command, its arguments and its options, with the names of their
 * values and one line each. The parser (command-line.ts), `--help` and per-command `--help`
 * (command-help.ts) are generated from this table, and so can a man page and shell completions:
 * nothing here loads more than this file and the sensor's limits.
 *
 * What a value means (ranges, sizes, times) is checked by the command that owns the option, with
 * the grammars of src/text/time-size-grammar.ts.
 */

import type { SourceChoice } from '../model/live-feed.js';
import { EVENT_ACTIONS } from '../sensor/process-event.js';
import { ARGS_DEFAULT, ARGS_LIMIT, TTY_MAX_DEFAULT, TTY_RATE_DEFAULT, TYPED_DEFAULT, TYPED_LIMIT } from '../sensor/record-layout.js';

export const PROGRAM = 'sessiontop';

/** The shells `completion` writes scripts for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export const VERSION = '0.1.0';
export const TAGLINE = 'who is on this host, how they got in, and what they are typing';

/** What a value is, for completions: a file, one of `choices`, a comma-separated list of `choices`, or free text. */
export type ValueKind = 'file' | 'choice' | 'choice-list' | 'size' | 'duration' | 'time' | 'number' | 'list' | 'host' | 'text';

export interface OptionValue {
  /** As shown in help: `FILE|-`, `SIZE`, `TIME`. */
  name: string;
  kind: ValueKind;
  /** The accepted words, for `choice` and `choice-list`. */
  choices?: readonly string[];
}

export interface OptionSpec {
  /** Long name without the dashes: `ring-size`. */
  name: string;
  /** One-letter alias without the dash: `o`. */
  short?: string;
  /** The value the option takes; absent for a flag. */
  value?: OptionValue;
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  description: string;
}

export interface PositionalSpec {
  /** As shown in help: `FILE`. */
  name: string;
  kind: ValueKind;
  /** How many are required (more are always accepted). */
  min: number;
  /** The accepted words, for `choice`. */
  choices?: readonly string[];
  description: string;
}

export type CommandName = 'live' | 'record' | 'replay' | 'snapshot' | 'trace' | 'export' | 'doctor' | 'completion';

export interface CommandSpec {
  name: CommandName;
  /** The word typed after `sessiontop`; null for the command run when none is given (live). */
  word: string | null;
  /** Arguments as the usage line shows them after the command word: `-o FILE|- [options]`. */
  synopsis: string;
  summary: string;
  /** Heading of its options in the global help. */
  optionsHeading: string;
  options: readonly OptionSpec[];
  /** Takes the shared sensor options (SENSOR_OPTIONS). */
  sensor: boolean;
  /** Takes the options that add hosts watched over ssh (SSH_OPTIONS). */
  ssh?: boolean;
  positionals: PositionalSpec | null;
}

export const SOURCE_CHOICES = ['auto', 'bpf', 'procfs'] as const satisfies readonly SourceChoice[];

/** The actions `trace --action` filters on (every event action but the recordings' `snapshot`). */
/** The live view's history from a recording of this boot (the service's file). */
const HISTORY: OptionSpec = {
  name: 'history',
  value: { name: 'FILE', kind: 'file' },
  multiple: true,
  description: "start with this boot's history from a recording (e.g. the service's file), so a restart loses nothing",
};

/** How long ended processes and logins stay in view. */
const RETENTION: OptionSpec = {
  name: 'retention',
  value: { name: 'TIME', kind: 'duration' },
  description: 'how long ended processes and logins stay in view (default 30m, from 10s to 7d)',
};

export const TRACE_ACTIONS = EVENT_ACTIONS.filter((a) => a !== 'snapshot');

const SOURCE: OptionSpec = {
  name: 'source',
  value: { name: 'auto|bpf|procfs', kind: 'choice', choices: SOURCE_CHOICES },
  description: 'where events come from (default auto: eBPF, else /proc polling, degraded)',
};

/** Options of every command that starts the eBPF sensor. */
export const SENSOR_OPTIONS: readonly OptionSpec[] = [
  { name: 'ring-size', value: { name: 'SIZE', kind: 'size' }, description: 'eBPF ring buffer size, power of two (default 16M; 8M for record)' },
  { name: 'args-max', value: { name: 'BYTES', kind: 'number' }, description: `argv bytes kept per exec (default ${ARGS_DEFAULT}, at most ${ARGS_LIMIT})` },
  { name: 'typed-max', value: { name: 'BYTES', kind: 'number' }, description: `bytes kept of a typed line (default ${TYPED_DEFAULT}, at most ${TYPED_LIMIT})` },
  { name: 'no-typed', description: 'do not capture lines typed at interactive shells' },
  { name: 'tty-output', description: 'also capture what processes write to their terminal (opt-in; the O pane, export)' },
  {
    name: 'tty-rate',
    value: { name: 'BYTES', kind: 'size' },
    description: `terminal output kept per process per second, the rest counted as skipped (default ${TTY_RATE_DEFAULT / 1024}K; 0: no limit)`,
  },
  {
    name: 'tty-max-bytes',
    value: { name: 'BYTES', kind: 'size' },
    description: `terminal output kept per process in total, the rest counted (default ${TTY_MAX_DEFAULT / (1 << 20)}M; 0: no limit)`,
  },
  { name: 'debug', description: "print libbpf's messages on stderr" },
];

/** Options of the commands that also watch other hosts over ssh (live view, record, snapshot). */
export const SSH_OPTIONS: readonly OptionSpec[] = [
  { name: 'ssh', value: { name: 'DEST', kind: 'host' }, multiple: true, description: 'also watch DEST (host, user@host, ssh://user@host:port) over ssh; repeatable' },
  { name: 'ssh-option', value: { name: 'KEY=VALUE', kind: 'text' }, multiple: true, description: 'passed to ssh as -o KEY=VALUE (Port=2222, IdentityFile=…); repeatable' },
  { name: 'remote-command', value: { name: 'CMD', kind: 'text' }, description: 'what starts sessiontop on each host (default: sudo -n sessiontop); plain words only' },
  { name: 'no-local', description: 'only the --ssh hosts (default: this host too)' },
];

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', description: 'print this help and exit' },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'live',
    word: null,
    synopsis: '[options]',
    summary: 'live view: sessions by entry leader, process trees, typed commands',
    optionsHeading: 'Live view options',
    sensor: true,
    ssh: true,
    positionals: null,
    options: [
      SOURCE,
      { name: 'record', value: { name: 'FILE', kind: 'file' }, description: 'record while watching (created 0600; refused if it exists)' },
      { name: 'force', description: 'with --record: replace an existing file' },
      HISTORY,
      RETENTION,
    ],
  },
  {
    name: 'record',
    word: 'record',
    synopsis: '-o FILE|- [options]',
    summary: 'headless recording as ECS NDJSON (for a service or a pipe)',
    optionsHeading: 'record options',
    sensor: true,
    ssh: true,
    positionals: null,
    options: [
      { name: 'output', short: 'o', value: { name: 'FILE|-', kind: 'file' }, description: 'where to write (- = stdout); required' },
      { name: 'force', description: 'replace an existing FILE (never through a symlink)' },
      { name: 'append', description: 'append to an existing FILE' },
      { name: 'rotate', value: { name: 'SIZE[,KEEP]', kind: 'size' }, description: 'rotate at SIZE (e.g. 100M), keeping KEEP old files (default 5)' },
      { name: 'compress', description: 'with --rotate: gzip rotated files (FILE.1.gz …; FILE itself stays plain)' },
      { name: 'duration', value: { name: 'TIME', kind: 'duration' }, description: 'stop after TIME (e.g. 30, 30s, 5m, 1h)' },
      SOURCE,
    ],
  },
  {
    name: 'replay',
    word: 'replay',
    synopsis: 'FILE... [options]',
    summary: 'the live view over recordings: play/pause, speed, step, seek',
    optionsHeading: 'replay options',
    sensor: false,
    positionals: { name: 'FILE', kind: 'file', min: 1, description: 'recordings to replay (several hosts side by side)' },
    options: [
      { name: 'speed', value: { name: 'X', kind: 'number' }, description: 'initial speed, 1 = real time (default 1, from 0.125 to 1024)' },
      RETENTION,
      { name: 'strict', description: 'stop at the first bad line' },
    ],
  },
  {
    name: 'snapshot',
    word: 'snapshot',
    synopsis: '[options]',
    summary: 'print the session tree once (live host, or --from recordings)',
    optionsHeading: 'snapshot options',
    sensor: false,
    ssh: true,
    positionals: { name: 'FILE', kind: 'file', min: 0, description: 'more recordings, after --from FILE' },
    options: [
      { name: 'from', value: { name: 'FILE', kind: 'file' }, multiple: true, description: 'read recordings instead of the live host (repeat for several hosts)' },
      {
        name: 'at',
        value: { name: 'TIME', kind: 'time' },
        description: 'the moment to show, with --from (ISO time, HH:MM:SS, or +SECONDS from the start; default: the end)',
      },
      { name: 'json', description: 'one enriched snapshot line per live process (itself a valid recording)' },
      { name: 'all', description: 'also show the trees of service (init) sessions and of processes in no entry session' },
      { name: 'history', value: { name: 'FILE', kind: 'file' }, multiple: true, description: 'live host: typed lines and ended logins from a recording of this boot' },
      { name: 'strict', description: 'stop at the first bad line' },
    ],
  },
  {
    name: 'trace',
    word: 'trace',
    synopsis: '[options]',
    summary: 'decoded kernel sensor events as JSON lines (like execsnoop)',
    optionsHeading: 'trace options',
    sensor: true,
    positionals: null,
    options: [
      { name: 'duration', value: { name: 'TIME', kind: 'duration' }, description: 'stop after TIME (default: until Ctrl-C)' },
      {
        name: 'action',
        value: { name: 'LIST', kind: 'choice-list', choices: TRACE_ACTIONS },
        description: `only these actions, comma-separated (${TRACE_ACTIONS.join(',')})`,
      },
      { name: 'pid', value: { name: 'LIST', kind: 'list' }, description: 'only these pids, comma-separated' },
    ],
  },
  {
    name: 'doctor',
    word: 'doctor',
    synopsis: '[--json]',
    summary: 'what this host supports for live eBPF, and what to do for each ✗',
    optionsHeading: 'doctor options',
    sensor: false,
    positionals: null,
    options: [{ name: 'json', description: 'the same checks as one JSON object, for scripts' }],
  },
  {
    name: 'completion',
    word: 'completion',
    synopsis: 'bash|zsh',
    summary: 'print a completion script: source <(sessiontop completion bash)',
    optionsHeading: 'completion options',
    sensor: false,
    positionals: { name: 'SHELL', kind: 'choice', choices: COMPLETION_SHELLS, min: 1, description: 'bash or zsh' },
    options: [],
  },
  {
    name: 'export',
    word: 'export',
    synopsis: 'FILE... --session=ID [-o OUT] [options]',
    summary: "one entry session's terminal output as an asciicast v2 file (asciinema play plays it)",
    optionsHeading: 'export options',
    sensor: false,
    positionals: { name: 'FILE', kind: 'file', min: 1, description: 'recordings made with --tty-output' },
    options: [
      {
        name: 'session',
        value: { name: 'ID', kind: 'list' },
        description: "the entry leader's entity_id (detail panel, the O pane, snapshot --json); write --session=ID, an id may start with -",
      },
      { name: 'output', short: 'o', value: { name: 'OUT|-', kind: 'file' }, description: 'where to write (default and - : stdout; created 0600)' },
      { name: 'force', description: 'replace an existing OUT (never through a symlink)' },
      { name: 'strict', description: 'stop at the first bad line' },
    ],
  },
];

/** Every option `name` accepts: its own, the sensor's when it starts the sensor, and the common ones. */
export function optionsOf(command: CommandSpec): readonly OptionSpec[] {
  return [...command.options, ...(command.sensor ? SENSOR_OPTIONS : []), ...(command.ssh === true ? SSH_OPTIONS : []), ...COMMON_OPTIONS];
}

/** The command spec by name. */
export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS.find((c) => c.name === name) as CommandSpec;
}
