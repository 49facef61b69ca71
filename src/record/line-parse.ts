/**
 * The first steps of reading a recording line, free of zod so that a parse worker can load them
 * quickly: the blank-line test, `JSON.parse`, the not-an-object reasons, the minimum fields a line
 * needs beyond its field types, and the time sanity check. The field types themselves are checked
 * by whatever `LineCheck` the caller passes (schema.ts's validateRecordLine on the main thread; in
 * a worker, the same compiled check without zod, which leaves the reason for a failing line to the
 * main thread).
 */

import { isSaneTime } from './ecs-time.js';
import type { RecordAction, RecordLine } from './schema.js';
import type { ProcessEvent } from '../sensor/process-event.js';

export const JSON_ARRAY_REASON = 'a JSON array, not an object';

/** Reasons given when the text is not a JSON object at all (a cut last line looks like this). */
export const NOT_JSON_REASONS: ReadonlySet<string> = new Set([JSON_ARRAY_REASON, 'not a JSON object', 'not valid JSON']);

/** The reason given for a line whose @timestamp passes the schema but is no date. */
export const UNREADABLE_TIME = '@timestamp: not a readable date';

/** Actions whose line describes a whole process and therefore needs its tree position. */
export const FULL_PROCESS_ACTIONS: ReadonlySet<RecordAction> = new Set(['snapshot', 'fork', 'exec']);

/** The line, its reason for being bad, or null: "check again where zod is loaded" (a worker's answer). */
export type LineCheck = (value: unknown) => RecordLine | string | null;

/** Index of the first character that is not a blank, −1 for a blank line. */
export function firstNonBlank(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return i;
  }
  return -1;
}

/** JSON.parse of a non-blank line (`first`: its first non-blank character), then `check`. */
export function parseLineWith(text: string, first: number, check: LineCheck): RecordLine | string | null {
  const c = text.charCodeAt(first);
  if (c !== 0x7b /* { */) return c === 0x5b ? JSON_ARRAY_REASON : 'not a JSON object';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  return check(value);
}

/** Why a parsed JSON value is not a line at all ('' when it is an object). */
export function notAnObjectReason(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return '';
  return Array.isArray(value) ? 'a JSON array, not an object (a recording has one JSON object per line)' : `a JSON ${value === null ? 'null' : typeof value}, not an object`;
}

/**
 * A parsed value checked by the compiled check of the schema's field types (json-schema-check.ts),
 * then for the minimum fields: the line, the reason it is bad, or null when the compiled check
 * rejects it (zod then gives the reason: schema.ts does so on the main thread).
 */
export function checkWithCompiled(value: unknown, fieldTypes: (value: unknown) => boolean): RecordLine | string | null {
  const notObject = notAnObjectReason(value);
  if (notObject !== '') return notObject;
  if (!fieldTypes(value)) return null;
  return withLineRequirements(value as RecordLine);
}

/** A line whose field types passed: the line, or the reason it lacks the minimum (lineRequirementIssue). */
export function withLineRequirements(line: RecordLine): RecordLine | string {
  const issue = lineRequirementIssue(line);
  return issue === undefined ? line : `${issue.path.join('.')}: ${issue.message}`;
}

/** The minimum a line needs beyond its field types (see schema.ts). */
export function lineRequirementIssue(line: RecordLine): { path: string[]; message: string } | undefined {
  const action = line.event.action;
  if (action === 'lost') {
    return line.sessiontop?.lost === undefined ? { path: ['sessiontop', 'lost'], message: 'required for lost' } : undefined;
  }
  const p = line.process;
  if (p?.pid === undefined) return { path: ['process', 'pid'], message: 'required' };
  if (FULL_PROCESS_ACTIONS.has(action)) {
    if (p.parent?.pid === undefined) return { path: ['process', 'parent', 'pid'], message: `required for ${action}` };
    if (p.session_leader?.pid === undefined) return { path: ['process', 'session_leader', 'pid'], message: `required for ${action}` };
    if (p.group_leader?.pid === undefined) return { path: ['process', 'group_leader', 'pid'], message: `required for ${action}` };
    if (p.executable === undefined) return { path: ['process', 'executable'], message: `required for ${action}` };
  }
  return undefined;
}

/** '' when the event's time is one a recording can hold; else the bad-line reason. */
export function insaneTimeReason(line: RecordLine, e: ProcessEvent): string {
  return isSaneTime(e.time) ? '' : `@timestamp: ${line['@timestamp'].slice(0, 40)} is outside 1970–2099, not a time a recording can hold`;
}
