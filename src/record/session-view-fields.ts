/**
 * The fields Kibana's Session View reads, taken from Kibana's own source (elastic/kibana):
 *
 * - `x-pack/solutions/security/plugins/session_view/server/routes/process_events_route.ts`
 *   (earlier `x-pack/plugins/session_view/server/routes/process_events_route.ts`): a session's
 *   events are those with `process.entry_leader.entity_id` = the session's id, `event.action` one
 *   of `fork`, `exec`, `executed`, `end`, and `@timestamp` at or after the session's start;
 * - `x-pack/solutions/security/plugins/session_view/public/components/process_tree/hooks.ts` and
 *   `x-pack/plugins/session_view/public/components/process_tree/helpers.ts`: the tree is built
 *   from `process.entity_id` and `process.parent.entity_id`; only events with `event.kind` =
 *   `event` are kept, one per `event.id` for each process (so each needs its own id); the session
 *   leader comes from `process.entry_leader.*`; a process is "verbose" (hidden by default) by
 *   comparing `process.group_leader.pid` and `process.session_leader.pid`; "user entered" uses
 *   `process.pid`, `process.tty`, `process.parent.pid`, `process.session_leader.pid`,
 *   `process.group_leader.pid`; search reads `process.args` and `process.working_directory`;
 *   the exit comes from the `end` event (`process.exit_code`, `@timestamp`);
 * - `x-pack/solutions/security/plugins/session_view/common/constants.ts`: `PROCESS_EVENT_FIELDS`,
 *   the fields fetched for display (user, host, process, leaders, container…).
 */

/** Actions Session View fetches (sessiontop writes `fork`, `exec`, `end`; `executed` is Auditbeat's). */
export const SESSION_VIEW_ACTIONS: readonly string[] = ['fork', 'exec', 'end'];

/**
 * What every fork/exec/end line of a process inside an entry session must carry for Session View
 * to place and show it. `process.parent.entity_id` is required when the parent is known (every
 * process of an entry session but its leader's unknown ancestors).
 */
export const SESSION_VIEW_REQUIRED: readonly string[] = [
  '@timestamp',
  'event.id',
  'event.kind',
  'event.action',
  'process.entity_id',
  'process.pid',
  'process.start',
  'process.executable',
  'process.name',
  'process.args',
  'process.parent.pid',
  'process.session_leader.pid',
  'process.session_leader.entity_id',
  'process.group_leader.pid',
  'process.group_leader.entity_id',
  'process.entry_leader.entity_id',
  'process.entry_leader.pid',
  'process.entry_leader.start',
  'process.entry_leader.entry_meta.type',
  'process.interactive',
  'user.id',
  'host.name',
  'host.boot.id',
];

/** Required on `exec` and `snapshot`-like lines that carry the image: searched and shown. */
export const SESSION_VIEW_IMAGE: readonly string[] = ['process.working_directory', 'process.command_line'];

/** Required on `end` lines whose exit is known. */
export const SESSION_VIEW_END: readonly string[] = ['process.end', 'process.exit_code'];

/** Shown when present (from PROCESS_EVENT_FIELDS): written by sessiontop when it knows them. */
export const SESSION_VIEW_OPTIONAL: readonly string[] = [
  'process.tty.char_device.major',
  'process.tty.char_device.minor',
  'process.user.id',
  'process.user.name',
  'process.group.id',
  'process.group.name',
  'process.previous.args',
  'process.previous.executable',
  'process.entry_leader.entry_meta.source.ip',
  'process.entry_leader.user.id',
  'process.entry_leader.name',
  'user.name',
  'host.os.kernel',
  'container.id',
];
