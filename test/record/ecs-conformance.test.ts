/**
 * ECS conformance: every field the writer emits outside `sessiontop.*` exists, with a compatible
 * type, in the ECS field set shipped in @elastic/ecs (EcsFlat: the flat field list, generated from
 * the ECS YAML with every fieldset reuse already expanded — process.parent.*, process.entry_leader.*,
 * process.parent.group_leader.* … appear as their own flat names with `original_fieldset`).
 *
 * Documents come from the real writer over a session that sets every field it can emit
 * (rich-session.ts) plus a synthetic host; every leaf of every line is walked. The schema's own
 * field list (its JSON Schema) is checked the same way, so the reader accepts nothing ECS lacks.
 */

import { EcsFlat, EcsVersion } from '@elastic/ecs';
import { describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { newProcessEvent } from '../../src/sensor/process-event.js';
import { recordLineJsonSchema, type RECORD_ACTIONS } from '../../src/record/schema.js';
import type { JsonSchemaNode } from '../../src/record/json-schema-check.js';
import { buildRichSession } from './rich-session.js';

interface EcsField {
  type: string;
  normalize?: string[];
  allowed_values?: { name: string; expected_event_types?: string[] }[];
  original_fieldset?: string;
}
const ECS = EcsFlat as unknown as Record<string, EcsField>;

type Leaf = { path: string; value: unknown; inArray: boolean; objectArray: boolean };

/** Every leaf of a document: dotted path (array indices dropped), value, whether it sat in an array. */
function leaves(value: unknown, path = '', inArray = false, objectArray = false, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) {
    for (const v of value) {
      if (v !== null && typeof v === 'object') leaves(v, path, true, true, out);
      else out.push({ path, value: v, inArray: true, objectArray });
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, path === '' ? k : `${path}.${k}`, inArray, objectArray, out);
    return out;
  }
  out.push({ path, value, inArray, objectArray });
  return out;
}

const STRING_TYPES = new Set(['keyword', 'wildcard', 'constant_keyword', 'match_only_text', 'text']);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Why `value` does not fit ECS type `type` ('' when it fits). */
function typeMismatch(type: string, value: unknown): string {
  if (STRING_TYPES.has(type)) return typeof value === 'string' ? '' : `expected a string for ${type}`;
  if (type === 'long' || type === 'integer') return typeof value === 'number' && Number.isInteger(value) ? '' : `expected an integer for ${type}`;
  if (type === 'boolean') return typeof value === 'boolean' ? '' : 'expected a boolean';
  if (type === 'date') {
    return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && Number.isFinite(Date.parse(value))
      ? ''
      : 'expected an ISO 8601 date';
  }
  if (type === 'ip') return typeof value === 'string' && (IPV4.test(value) || value.includes(':')) ? '' : 'expected an IP address';
  return `type ${type} not expected here`;
}

function writerDocuments(): Record<string, unknown>[] {
  const rich = buildRichSession();
  const docs = rich.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  // plus a synthetic host's traffic (forks, pipelines, sudo, tmux, cron, lost)
  const gen = new SyntheticHost({ seed: 3 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  gen.backfill((e) => table.apply(e));
  for (const n of table.finishBackfill()) docs.push(JSON.parse(doc.snapshotLine(n, gen.time)) as Record<string, unknown>);
  gen.run(3000, (e) => docs.push(JSON.parse(doc.eventLine(e, table.apply(e))) as Record<string, unknown>));
  // real and saved ids are written only when they differ from the effective ones: a setresuid
  // caller with three different ids
  const ids = newProcessEvent();
  Object.assign(ids, { action: 'id_change', time: gen.time, pid: 4242, ppid: 1, pgid: 4242, sid: 4242, uid: 1000, euid: 0, suid: 1001, gid: 1000, egid: 0, sgid: 1001 });
  docs.push(JSON.parse(doc.eventLine(ids, table.apply(ids))) as Record<string, unknown>);
  return docs;
}

describe(`ECS conformance against @elastic/ecs ${EcsVersion}`, () => {
  const docs = writerDocuments();
  const allLeaves = docs.flatMap((d) => leaves(d));
  const paths = new Set(allLeaves.map((l) => l.path));

  it('the writer output covers every field the design lists (a fully populated document)', () => {
    const expected = [
      '@timestamp', 'event.kind', 'event.category', 'event.type', 'event.action',
      'host.name', 'host.boot.id', 'host.pid_ns_ino', 'host.os.kernel', 'user.id', 'user.name',
      'process.entity_id', 'process.pid', 'process.start', 'process.end', 'process.exit_code', 'process.name',
      'process.executable', 'process.args', 'process.args_count', 'process.command_line', 'process.working_directory',
      'process.interactive', 'process.tty.char_device.major', 'process.tty.char_device.minor',
      'process.user.id', 'process.user.name', 'process.real_user.id', 'process.saved_user.id',
      'process.group.id', 'process.real_group.id', 'process.saved_group.id',
      'process.previous.executable', 'process.previous.args',
      'process.parent.entity_id', 'process.parent.pid', 'process.parent.group_leader.entity_id', 'process.parent.group_leader.pid',
      'process.group_leader.entity_id', 'process.session_leader.entity_id',
      'process.entry_leader.entity_id', 'process.entry_leader.entry_meta.type', 'process.entry_leader.entry_meta.source.ip',
      'container.id',
      'process.io.type', 'process.io.text', 'process.io.total_bytes_captured', 'process.io.total_bytes_skipped',
      'process.io.max_bytes_per_process_exceeded', 'process.io.bytes_skipped.offset', 'process.io.bytes_skipped.length',
      'process.tty.rows', 'process.tty.columns',
      'sessiontop.user_entered', 'sessiontop.last_user_entered.entity_id', 'sessiontop.last_user_entered.pid', 'sessiontop.last_user_entered.name',
      'sessiontop.stdin.type', 'sessiontop.stdout.major', 'sessiontop.stderr.minor', 'sessiontop.args_truncated',
      'sessiontop.exit_cause', 'sessiontop.signal', 'sessiontop.audit.login_uid', 'sessiontop.audit.session_id',
      'sessiontop.typed.line', 'sessiontop.typed.truncated', 'sessiontop.lost', 'sessiontop.start_ticks',
      'sessiontop.comm', 'sessiontop.cgroup', 'sessiontop.ssh_connection', 'sessiontop.setpgid.pid', 'sessiontop.setpgid.pgid',
    ];
    const missing = expected.filter((p) => !paths.has(p));
    expect(missing).toEqual([]);
    const actions = new Set(docs.map((d) => (d.event as { action: string }).action));
    const all: (typeof RECORD_ACTIONS)[number][] = ['snapshot', 'fork', 'exec', 'end', 'setsid', 'setpgid', 'id_change', 'typed', 'text_output', 'lost'];
    expect([...actions].sort()).toEqual([...all].sort());
  });

  it('every emitted field outside sessiontop.* exists in ECS with a compatible type', () => {
    const problems: string[] = [];
    for (const leaf of allLeaves) {
      if (leaf.path.startsWith('sessiontop.')) continue;
      const f = ECS[leaf.path];
      if (f === undefined) {
        problems.push(`${leaf.path}: not an ECS field`);
        continue;
      }
      const why = typeMismatch(f.type, leaf.value);
      if (why !== '') problems.push(`${leaf.path}: ${why} (got ${JSON.stringify(leaf.value)})`);
      // scalar arrays must be fields ECS declares as arrays; arrays of objects (process.previous)
      // are plain object arrays that Elasticsearch flattens into multi-valued leaves
      if (leaf.inArray && !leaf.objectArray && !(f.normalize ?? []).includes('array')) problems.push(`${leaf.path}: an array, ECS does not normalize it to one`);
    }
    expect([...new Set(problems)]).toEqual([]);
    // the reused fieldsets really are reuses of `process` in the shipped definitions
    expect(ECS['process.entry_leader.entity_id']?.original_fieldset).toBe('process');
    expect(ECS['process.parent.group_leader.pid']?.original_fieldset).toBe('process');
    expect(ECS['process.entry_leader.entry_meta.source.ip']?.type).toBe('ip');
  });

  it('event.kind, event.category and event.type use ECS allowed values (type expected for the category)', () => {
    const kinds = new Set(ECS['event.kind']!.allowed_values!.map((v) => v.name));
    const categories = new Map(ECS['event.category']!.allowed_values!.map((v) => [v.name, v.expected_event_types ?? []]));
    const types = new Set(ECS['event.type']!.allowed_values!.map((v) => v.name));
    for (const d of docs) {
      const e = d.event as { kind: string; category: string[]; type: string[] };
      expect(kinds.has(e.kind)).toBe(true);
      for (const c of e.category) {
        expect(categories.has(c)).toBe(true);
        for (const t of e.type) {
          expect(types.has(t)).toBe(true);
          expect(categories.get(c)).toContain(t);
        }
      }
    }
  });

  it('every field the schema declares outside sessiontop.* is an ECS field of a compatible type', () => {
    const schema = recordLineJsonSchema();
    const problems: string[] = [];
    const walk = (node: JsonSchemaNode, path: string, inArray: boolean): void => {
      if (node.anyOf) {
        for (const alt of node.anyOf) walk(alt, path, inArray);
        return;
      }
      if (node.type === 'object') {
        for (const [k, sub] of Object.entries(node.properties ?? {})) walk(sub, path === '' ? k : `${path}.${k}`, inArray);
        return;
      }
      if (node.type === 'array') {
        walk(node.items as JsonSchemaNode, path, true);
        return;
      }
      if (path.startsWith('sessiontop.')) return;
      const f = ECS[path];
      if (f === undefined) {
        problems.push(`${path}: not an ECS field`);
        return;
      }
      const ok =
        (node.type === 'string' && (STRING_TYPES.has(f.type) || f.type === 'date' || f.type === 'ip')) ||
        (node.type === 'integer' && (f.type === 'long' || f.type === 'integer')) ||
        (node.type === 'boolean' && f.type === 'boolean');
      if (!ok) problems.push(`${path}: schema ${node.type} vs ECS ${f.type}`);
      if (node.format === 'date-time' && f.type !== 'date') problems.push(`${path}: schema date vs ECS ${f.type}`);
      if (f.type === 'date' && node.format !== 'date-time') problems.push(`${path}: ECS date, schema does not check it`);
    };
    walk(schema, '', false);
    expect(problems).toEqual([]);
  });
});
