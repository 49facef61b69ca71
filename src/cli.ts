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
  sessiontop trace [options]       decoded kernel sensor events as JSON lines (like execsnoop)
  sessiontop --help | --version

Sensor options (trace):
  --ring-size SIZE        eBPF ring buffer size, power of two (default 16M)
  --args-max BYTES        argv bytes kept per exec (default ${ARGS_DEFAULT}, at most ${ARGS_LIMIT})
  --typed-max BYTES       bytes kept of a typed line (default ${TYPED_DEFAULT}, at most ${TYPED_LIMIT})
  --no-typed              do not capture lines typed at interactive shells
  --debug                 print libbpf's messages on stderr

trace options:
  --duration SECONDS      stop after this long (default: until Ctrl-C)
  --action LIST           only these actions, comma-separated (fork,exec,end,setsid,setpgid,id_change,typed,lost)
  --pid LIST              only these pids, comma-separated

Needs Linux with BTF (/sys/kernel/btf/vmlinux) and root, or CAP_BPF and CAP_PERFMON.
Exit status: 0 success, 2 bad usage or input, 1 other errors.
`;

const SENSOR_OPTIONS = {
  'ring-size': { type: 'string' },
  'args-max': { type: 'string' },
  'typed-max': { type: 'string' },
  'no-typed': { type: 'boolean' },
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
    debug: Boolean(values.debug),
  };
}

const TRACE_ACTIONS: EventAction[] = ['fork', 'exec', 'end', 'setsid', 'setpgid', 'id_change', 'typed', 'lost'];

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

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
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
    if (first === undefined) throw new UsageError('a command is needed');
    const command = COMMANDS[first];
    if (!command) throw new UsageError(`unknown command "${first}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(HELP);
      return 0;
    }
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
