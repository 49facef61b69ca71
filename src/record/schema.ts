/**
 * The one zod schema for a line of a sessiontop recording (ECS NDJSON; docs/design.md describes it).
 *
 * Every field the writer (ecs-document.ts) emits is declared here with its ECS type: `keyword` →
 * string, `long` → integer, `date` → ISO 8601 string, `boolean`, `ip`. Fields ECS lacks live under
 * `sessiontop.*`. Everything is optional except the minimum a line needs to be read:
 *
 *   - every line: `@timestamp`, `event.action`;
 *   - every line except `lost`: `process.pid`;
 *   - `snapshot`, `fork`, `exec`: also `process.parent.pid`, `process.session_leader.pid`,
 *     `process.group_leader.pid` and `process.executable`;
 *   - `lost`: `sessiontop.lost`.
 *
 * Unknown fields are ignored (objects strip what they do not declare; they never reject it), so files
 * written by newer versions or enriched by shippers still read. Derived fields (entity ids, leaders,
 * entry types, interactive, user-entered) are validated for type but never trusted: the reader
 * rebuilds them in the model from the raw facts.
 */
import { z } from 'zod';
import { EVENT_ACTIONS, FD_TYPE_NAMES } from '../sensor/process-event.js';
import { compileJsonSchemaCheck, type CompiledCheck, type JsonSchemaNode } from './json-schema-check.js';
import { checkWithCompiled, FULL_PROCESS_ACTIONS, lineRequirementIssue } from './line-parse.js';

export { FULL_PROCESS_ACTIONS, lineRequirementIssue };

/** Every `event.action` a recording may carry: the actions of ProcessEvent (`setpgid` included). */
export const RECORD_ACTIONS = EVENT_ACTIONS;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

/**
 * `sessiontop.exit_cause` values (Datadog CWS exit.cause), and `unknown`: the process is over but
 * its exit was not seen (events lost, found gone from /proc); `process.exit_code` is then absent.
 */
export const EXIT_CAUSES = ['exited', 'signaled', 'coredumped', 'unknown'] as const;
export type ExitCause = (typeof EXIT_CAUSES)[number];

/** `sessiontop.stdin|stdout|stderr.type`: the kind of file on fd 0/1/2, as the sensor names them. */
export const STDIO_TYPES = FD_TYPE_NAMES;

// ---- ECS scalar types -------------------------------------------------------------------------

const U32_MAX = 0xffffffff;
/** ECS `date`: ISO 8601 with a time zone (`Z` or ±hh:mm), any sub-second precision. */
const ecsDate = z.iso.datetime({ offset: true });
/** ECS `long` used for pids, counts, device numbers: a non-negative integer. */
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const pid = z.int().min(0).max(U32_MAX);
const devNumber = z.int().min(0).max(U32_MAX);
/** ECS `keyword` holding a numeric Linux id (uid/gid): the reader needs the number back. */
const numericId = z.string().regex(/^\d{1,10}$/, 'expected a numeric id string');
const keyword = z.string();
const ecsIp = z.union([z.ipv4(), z.ipv6()]);

/** Whether `s` is a value the ECS `ip` fields accept (the writer checks untrusted addresses with it). */
export function isEcsIp(s: string): boolean {
  if (s !== lastIpText) {
    lastIpText = s;
    lastIpOk = ecsIp.safeParse(s).success;
  }
  return lastIpOk;
}
let lastIpText = '';
let lastIpOk = false;

// ---- ECS building blocks ----------------------------------------------------------------------

const userRef = z.object({ id: numericId.optional(), name: keyword.optional() });
const groupRef = userRef;

const tty = z.object({
  char_device: z.object({ major: devNumber.optional(), minor: devNumber.optional() }).optional(),
});

/** process.tty of a text_output line: the window size comes with the output. */
const ttyWithSize = tty.extend({
  rows: z.int().min(0).max(65535).optional(),
  columns: z.int().min(0).max(65535).optional(),
});

/** process.io (text_output lines): a chunk of terminal output, as Elastic's sensor writes it. */
const processIo = z.object({
  type: z.enum(['tty']).optional(),
  /** The bytes written, as UTF-8 (control and escape sequences included: untrusted). */
  text: z.string().optional(),
  total_bytes_captured: count.optional(),
  total_bytes_skipped: count.optional(),
  max_bytes_per_process_exceeded: z.boolean().optional(),
  bytes_skipped: z.array(z.object({ offset: count.optional(), length: count.optional() })).optional(),
});

/**
 * The process fieldset as ECS reuses it. ECS does not give every nesting the same fields:
 * `end`/`exit_code` exist on the process and its parent only, `same_as_process` on the leaders
 * only, `parent` on the session and entry leaders only, and the keys-only forms
 * (parent.group_leader, leader.parent[.session_leader]) carry
 * entity_id/pid/vpid/start. The shapes below follow that exactly (the conformance test checks).
 */
const baseProcessShape = {
  entity_id: keyword.optional(),
  pid: pid.optional(),
  vpid: pid.optional(),
  start: ecsDate.optional(),
  name: keyword.optional(),
  executable: keyword.optional(),
  args: z.array(keyword).optional(),
  args_count: count.optional(),
  command_line: keyword.optional(),
  working_directory: keyword.optional(),
  interactive: z.boolean().optional(),
  tty: tty.optional(),
  user: userRef.optional(),
  real_user: userRef.optional(),
  saved_user: userRef.optional(),
  group: groupRef.optional(),
  real_group: groupRef.optional(),
  saved_group: groupRef.optional(),
};
const exitShape = {
  end: ecsDate.optional(),
  exit_code: z.int().optional(),
};

/** `{entity_id, pid, vpid, start}`: the foreign-key form ECS uses for parent.group_leader and leader.parent. */
const processKey = z.object({
  entity_id: keyword.optional(),
  pid: pid.optional(),
  vpid: pid.optional(),
  start: ecsDate.optional(),
});

const leaderParent = processKey.extend({ session_leader: processKey.optional() });

const parentProcess = z.object({ ...baseProcessShape, ...exitShape, group_leader: processKey.optional() });
const groupLeaderProcess = z.object({ ...baseProcessShape, same_as_process: z.boolean().optional() });
const leaderProcess = groupLeaderProcess.extend({ parent: leaderParent.optional() });
const entryLeaderProcess = leaderProcess.extend({
  entry_meta: z
    .object({
      type: keyword.optional(),
      source: z.object({ ip: ecsIp.optional() }).optional(),
    })
    .optional(),
});

const previousExec = z.object({
  executable: keyword.optional(),
  args: z.array(keyword).optional(),
  args_count: count.optional(),
});

const processSchema = z.object({
  ...baseProcessShape,
  ...exitShape,
  tty: ttyWithSize.optional(),
  io: processIo.optional(),
  previous: z.array(previousExec).optional(),
  parent: parentProcess.optional(),
  group_leader: groupLeaderProcess.optional(),
  session_leader: leaderProcess.optional(),
  entry_leader: entryLeaderProcess.optional(),
});

// ---- sessiontop.* extension fields -------------------------------------------------------------

const stdioDevice = z.object({
  type: z.enum(STDIO_TYPES).optional(),
  major: devNumber.optional(),
  minor: devNumber.optional(),
});

const sessiontopSchema = z.object({
  /** The process is user-entered (Cmd's definition: see docs/design.md). */
  user_entered: z.boolean().optional(),
  /** Nearest strict ancestor that is user-entered. */
  last_user_entered: z
    .object({ entity_id: keyword.optional(), pid: pid.optional(), name: keyword.optional() })
    .optional(),
  stdin: stdioDevice.optional(),
  stdout: stdioDevice.optional(),
  stderr: stdioDevice.optional(),
  args_truncated: z.boolean().optional(),
  exit_cause: z.enum(EXIT_CAUSES).optional(),
  /** Terminating signal number (end events); absent or 0 when the process exited normally. */
  signal: z.int().min(0).max(255).optional(),
  audit: z.object({ login_uid: z.int().min(0).max(U32_MAX).optional(), session_id: z.int().min(0).max(U32_MAX).optional() }).optional(),
  /** A line typed at an interactive shell (`typed` events); process.working_directory is the shell's cwd then. */
  typed: z.object({ line: z.string().optional(), truncated: z.boolean().optional(), shell: z.enum(['bash', 'zsh', 'dash']).optional() }).optional(),
  /** Events the kernel dropped since the previous `lost` line (`lost` events). */
  lost: count.optional(),
  // raw facts replay needs that ECS has no field for
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): exact entity-id input. */
  start_ticks: count.optional(),
  /** Kernel comm, written when it differs from process.name. */
  comm: keyword.optional(),
  /** Leaf name of the process's cgroup (v2); container.id is derived from it. */
  cgroup: keyword.optional(),
  /** The SSH_CONNECTION environment variable seen at exec ("client_ip client_port server_ip server_port"). */
  ssh_connection: keyword.optional(),
  /** The `--ssh` destination the host's events came through (a recording of several hosts); keeps two streams of one machine apart. */
  ssh_destination: keyword.optional(),
  /**
   * The process's entry leader was refused as an ssh login (its ssh daemon parent is not vouched
   * for by a root-owned one) although its SSH_CONNECTION names a client: that untrusted claim.
   * Derived (replay recomputes it from the raw facts); never in process.entry_leader.entry_meta.source.
   */
  entry_meta: z.object({ claimed_source_ip: keyword.optional() }).optional(),
  /** setpgid: the process moved (`pid`) and its new group (`pgid`); the event's process is the caller. */
  setpgid: z.object({ pid: pid.optional(), pgid: pid.optional() }).optional(),
});

// ---- the line ----------------------------------------------------------------------------------

const recordLineObject = z.object({
  '@timestamp': ecsDate,
  event: z.object({
    /** Unique per line (Kibana's Session View tells a process's events apart by it). */
    id: keyword.optional(),
    kind: keyword.optional(),
    category: z.array(keyword).optional(),
    type: z.array(keyword).optional(),
    action: z.enum(RECORD_ACTIONS),
  }),
  host: z
    .object({
      name: keyword.optional(),
      hostname: keyword.optional(),
      boot: z.object({ id: keyword.optional() }).optional(),
      pid_ns_ino: keyword.optional(),
      uptime: count.optional(),
      os: z.object({ kernel: keyword.optional() }).optional(),
    })
    .optional(),
  user: userRef.optional(),
  process: processSchema.optional(),
  container: z.object({ id: keyword.optional() }).optional(),
  sessiontop: sessiontopSchema.optional(),
});

/** A validated recording line: field types, then the minimum (lineRequirementIssue). */
export const recordLineSchema = recordLineObject.superRefine((line, ctx) => {
  const issue = lineRequirementIssue(line as RecordLine);
  if (issue !== undefined) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export type RecordLine = z.infer<typeof recordLineSchema>;
export type RecordProcess = z.infer<typeof processSchema>;

/** The field-type part of the schema as JSON Schema (zod's own rendering; used by tests and the fast check). */
export function recordLineJsonSchema(): JsonSchemaNode {
  return z.toJSONSchema(recordLineObject, { io: 'input', unrepresentable: 'throw' }) as JsonSchemaNode;
}

let fastCheck: CompiledCheck | undefined;

export type LineValidation = { ok: true; line: RecordLine } | { ok: false; reason: string };

/**
 * Validates one parsed JSON value against the schema; returns the line or a one-line reason.
 * Valid lines go through a check compiled from this schema's JSON Schema (fast, no allocation);
 * only a line it rejects is run through zod, which gives the reason. The returned line is the
 * input object itself (unknown fields still present: readers ignore them).
 */
export function validateRecordLine(value: unknown): LineValidation {
  fastCheck ??= compileJsonSchemaCheck(recordLineJsonSchema());
  const r = checkWithCompiled(value, fastCheck);
  if (r === null) return validateRecordLineWithZod(value);
  return typeof r === 'string' ? { ok: false, reason: r } : { ok: true, line: r };
}

/** The same answer as validateRecordLine, from zod alone (slow path; also the reference in tests). */
export function validateRecordLineWithZod(value: unknown): LineValidation {
  const r = recordLineSchema.safeParse(value);
  if (r.success) return { ok: true, line: r.data };
  return { ok: false, reason: describeIssues(r.error.issues) };
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (first === undefined) return 'invalid line';
  const where = first.path.length > 0 ? first.path.join('.') : 'line';
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : '';
  return `${where}: ${oneLine(first.message)}${more}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').slice(0, 200);
}
