/**
 * sessiontop command line: parses arguments and dispatches to a command. Exit status: 0 success,
 * 2 bad usage or bad input, 1 other errors; every error is one line on stderr saying what to do.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { EventAction } from './sensor/process-event.js';
import { ARGS_DEFAULT, ARGS_LIMIT, TYPED_DEFAULT, TYPED_LIMIT } from './sensor/record-layout.js';

export class UsageError extends Error {}

const VERSION = '0.1.0';

const HELP = `sessiontop ${VERSION} — who is on this host, how they got in, and what they are typing

Usage:
  sessiontop [options]                 live view: sessions by entry leader, process trees, typed commands
  sessiontop record -o FILE|- [options]   headless recording as ECS NDJSON (for a service or a pipe)
  sessiontop replay FILE... [options]  the live view over recordings: play/pause, speed, step, seek
  sessiontop snapshot [options]        print the session tree once (live host, or --from recordings)
  sessiontop trace [options]           decoded kernel sensor events as JSON lines (like execsnoop)
  sessiontop export FILE... --session ID [-o OUT]   one entry session's terminal output as an asciicast v2 file
  sessiontop --help | --version

Live view options:
  --source auto|bpf|procfs  where events come from (default auto: eBPF, else /proc polling, degraded)
  --record FILE           record while watching (created 0600; refused if it exists)
  --force                 with --record: replace an existing file

record options:
  -o, --output FILE|-     where to write (- = stdout); required
  --force                 replace an existing FILE (never through a symlink)
  --append                append to an existing FILE
  --rotate SIZE[,KEEP]    rotate at SIZE (e.g. 100M), keeping KEEP old files (default 5)
  --duration TIME         stop after TIME (e.g. 30, 30s, 5m, 1h)
  --source auto|bpf|procfs

replay options:
  --speed X               initial speed, 1 = real time (default 1)
  --strict                stop at the first bad line

snapshot options:
  --from FILE             read recordings instead of the live host (repeat for several hosts)
  --at TIME               the moment to show, with --from (ISO time, HH:MM:SS, or +SECONDS from the start; default: the end)
  --json                  one enriched snapshot line per live process (itself a valid recording)
  --all                   also show service (init) sessions in the text tree
  --strict                stop at the first bad line

trace options:
  --duration TIME         stop after TIME (default: until Ctrl-C)
  --action LIST           only these actions, comma-separated (fork,exec,end,setsid,setpgid,id_change,typed,text_output,lost)
  --pid LIST              only these pids, comma-separated

Sensor options (live view, record, trace):
  --ring-size SIZE        eBPF ring buffer size, power of two (default 16M)
  --args-max BYTES        argv bytes kept per exec (default ${ARGS_DEFAULT}, at most ${ARGS_LIMIT})
  --typed-max BYTES       bytes kept of a typed line (default ${TYPED_DEFAULT}, at most ${TYPED_LIMIT})
  --no-typed              do not capture lines typed at interactive shells
  --tty-output            also capture what processes write to their terminal (opt-in)
  --tty-rate BYTES        terminal output kept per process per second (default 64K; 0 = no limit)
  --tty-max-bytes BYTES   terminal output kept per process in total (default 1M; 0 = no limit)
  --debug                 print libbpf's messages on stderr

eBPF needs Linux with BTF (/sys/kernel/btf/vmlinux) and root, or CAP_BPF and CAP_PERFMON.
Exit status: 0 success, 2 bad usage or input, 1 other errors.
`;

const SENSOR_OPTIONS = {
  'ring-size': { type: 'string' },
  'args-max': { type: 'string' },
  'typed-max': { type: 'string' },
  'no-typed': { type: 'boolean' },
  'tty-output': { type: 'boolean' },
  'tty-rate': { type: 'string' },
  'tty-max-bytes': { type: 'string' },
  debug: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Parses "16M", "512K", "1G", "4096" into bytes. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+)([kKmMgG]?)[iI]?[bB]?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what}: "${text}" is not a size (examples: 4096, 64K, 16M)`);
  const mult = { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

function parseIntOption(text: string | undefined, what: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${what}: "${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${what} must be between ${min} and ${max}`);
  return n;
}

function parseSeconds(text: string | undefined, what: string): number {
  if (text === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text);
  if (!m) throw new UsageError(`${what}: "${text}" is not a duration (examples: 30, 30s, 5m, 1h)`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

function sensorOptions(values: Record<string, string | boolean | undefined>) {
  const ring = values['ring-size'] === undefined ? undefined : parseSize(values['ring-size'] as string, '--ring-size');
  if (ring !== undefined && (ring < 4096 || (ring & (ring - 1)) !== 0 || ring > 1 << 30)) {
    throw new UsageError('--ring-size must be a power of two between 4K and 1G');
  }
  return {
    ringBytes: ring,
    argsMax: parseIntOption(values['args-max'] as string | undefined, '--args-max', 0, ARGS_LIMIT),
    typedMax: parseIntOption(values['typed-max'] as string | undefined, '--typed-max', 1, TYPED_LIMIT),
    typed: !values['no-typed'],
    ...ttyOptions(values),
    debug: Boolean(values.debug),
  };
}

function ttyOptions(values: Record<string, string | boolean | undefined>): { ttyOutput: boolean; ttyRate: number | undefined; ttyMaxBytes: number | undefined } {
  const on = Boolean(values['tty-output']);
  const rate = values['tty-rate'] === undefined ? undefined : parseSize(values['tty-rate'] as string, '--tty-rate');
  const max = values['tty-max-bytes'] === undefined ? undefined : parseSize(values['tty-max-bytes'] as string, '--tty-max-bytes');
  if (!on && (rate !== undefined || max !== undefined)) throw new UsageError('--tty-rate and --tty-max-bytes go with --tty-output');
  if (rate !== undefined && rate > 0xffffffff) throw new UsageError('--tty-rate must be below 4G');
  if (max !== undefined && max > 0xffffffff) throw new UsageError('--tty-max-bytes must be below 4G');
  return { ttyOutput: on, ttyRate: rate, ttyMaxBytes: max };
}

const TRACE_ACTIONS: EventAction[] = ['fork', 'exec', 'end', 'setsid', 'setpgid', 'id_change', 'typed', 'text_output', 'lost'];

async function trace(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...SENSOR_OPTIONS, duration: { type: 'string' }, action: { type: 'string' }, pid: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const actions = (values.action ?? '')
    .split(',')
    .filter(Boolean)
    .map((a) => {
      if (!TRACE_ACTIONS.includes(a as EventAction)) throw new UsageError(`--action: unknown action "${a}" (one of ${TRACE_ACTIONS.join(', ')})`);
      return a as EventAction;
    });
  const pids = (values.pid ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => parseIntOption(p, '--pid', 1, 4194304)!);
  const { runTrace } = await import('./sensor/trace-command.js');
  return runTrace({ ...defined(sensorOptions(values)), durationSec: parseSeconds(values.duration, '--duration'), actions, pids });
}

/** Drops undefined values so optional properties stay absent. */
function defined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

const SOURCES = ['auto', 'bpf', 'procfs'] as const;
type Source = (typeof SOURCES)[number];

function parseSource(text: string | undefined): Source {
  if (text === undefined) return 'auto';
  if (!(SOURCES as readonly string[]).includes(text)) throw new UsageError(`--source must be one of ${SOURCES.join(', ')} (got "${text}")`);
  return text as Source;
}

async function live(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...SENSOR_OPTIONS, source: { type: 'string' }, record: { type: 'string' }, force: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.force && !values.record) throw new UsageError('--force goes with --record FILE');
  const sensor = sensorOptions(values);
  const { runLive } = await import('./ui/run-live.js');
  return runLive({
    source: parseSource(values.source),
    typed: sensor.typed,
    ...defined({
      record: values.record,
      forceRecord: values.force,
      ringBytes: sensor.ringBytes,
      argsMax: sensor.argsMax,
      typedMax: sensor.typedMax,
      ttyOutput: sensor.ttyOutput,
      ttyRate: sensor.ttyRate,
      ttyMaxBytes: sensor.ttyMaxBytes,
    }),
  });
}

/** Parses `record`'s arguments into the options runRecord takes (exported for the systemd unit's test). */
export function parseRecordArgs(args: string[]): import('./record/record-command.js').RecordCommandOptions {
  const { values } = parseArgs({
    args,
    options: {
      ...SENSOR_OPTIONS,
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      append: { type: 'boolean' },
      rotate: { type: 'string' },
      duration: { type: 'string' },
      source: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.output) throw new UsageError('record needs -o FILE (or -o - for stdout)');
  if (values.force && values.append) throw new UsageError('--force and --append cannot go together');
  const sensor = sensorOptions(values);
  return {
    output: values.output,
    force: Boolean(values.force),
    append: Boolean(values.append),
    duration: parseSeconds(values.duration, '--duration'),
    source: parseSource(values.source),
    bpf: defined({
      ringBytes: sensor.ringBytes,
      argsMax: sensor.argsMax,
      typedMax: sensor.typedMax,
      typed: sensor.typed,
      debug: sensor.debug,
      ttyOutput: sensor.ttyOutput,
      ttyRate: sensor.ttyRate,
      ttyMaxBytes: sensor.ttyMaxBytes,
    }),
    ...defined({ rotate: values.rotate }),
  };
}

async function record(args: string[]): Promise<number> {
  const options = parseRecordArgs(args);
  const { runRecord } = await import('./record/record-command.js');
  return runRecord(options);
}

async function replay(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { speed: { type: 'string' }, strict: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('replay needs at least one recording FILE');
  let speed: number | undefined;
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (!Number.isFinite(speed) || speed < 0.125 || speed > 1024) throw new UsageError('--speed must be a number from 0.125 to 1024');
  }
  const { runReplay } = await import('./ui/run-replay.js');
  return runReplay(positionals, defined({ strict: values.strict, speed }));
}

async function snapshot(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      from: { type: 'string', multiple: true },
      at: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      strict: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: true,
  });
  const from = [...(values.from ?? []), ...positionals];
  if (positionals.length > 0 && !values.from) throw new UsageError(`unexpected argument "${positionals[0]}" (recordings go after --from)`);
  if (values.at !== undefined && from.length === 0) throw new UsageError('--at goes with --from FILE');
  const { runSnapshot } = await import('./record/snapshot-command.js');
  return runSnapshot({ from, json: Boolean(values.json), all: Boolean(values.all), strict: Boolean(values.strict), ...defined({ at: values.at }) });
}

async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { session: { type: 'string' }, output: { type: 'string', short: 'o' }, force: { type: 'boolean' }, strict: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new UsageError('export needs at least one recording FILE');
  if (values.session === undefined || values.session === '') throw new UsageError("export needs --session ID (the entry leader's entity_id, as the detail panel and snapshot --json show it)");
  const { runExport } = await import('./record/export-command.js');
  return runExport({ files: positionals, session: values.session, force: Boolean(values.force), strict: Boolean(values.strict), ...defined({ output: values.output }) });
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  export: exportCommand,
  record,
  replay,
  snapshot,
  trace,
};

export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '--help' || first === '-h' || first === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (first === '--version' || first === '-V') {
      process.stdout.write(`sessiontop ${VERSION}\n`);
      return 0;
    }
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
    if (first === undefined || first.startsWith('-')) return await live(argv);
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`unknown command "${first}"`);
    return await command(rest);
  } catch (err) {
    return reportError(err);
  }
}

/** Prints one line for an error and returns the exit status. */
export function reportError(err: unknown): number {
  const e = err as { code?: string; message?: string };
  if (err instanceof UsageError || (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`sessiontop: ${oneLine(e.message ?? String(err))} (see sessiontop --help)\n`);
    return 2;
  }
  if (e?.code && ['EPERM', 'ENOBTF', 'ENOSYS', 'ELOAD', 'EATTACH', 'ENOADDON', 'EINVAL'].includes(e.code)) {
    process.stderr.write(`sessiontop: cannot start the eBPF sensor: ${oneLine(e.message ?? '')}\n`);
    return 1;
  }
  process.stderr.write(`sessiontop: ${oneLine(e?.message ?? String(err))}\n`);
  return 1;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
