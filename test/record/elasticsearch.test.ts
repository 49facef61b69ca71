/**
 * The Elasticsearch route: the committed index template is what the generator makes from the
 * schema (so it follows every schema change), it maps every field the writer emits with its ECS
 * type, and every event Kibana's Session View fetches carries the fields it reads
 * (src/record/session-view-fields.ts, taken from Kibana's source).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcsFlat } from '@elastic/ecs';
import { describe, expect, it } from 'vitest';
import { SyntheticHost } from '../../bench/record-workload.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { INDEX_PATTERN, indexTemplateText, recordFieldMappings } from '../../src/record/index-template.js';
import { SESSION_VIEW_ACTIONS, SESSION_VIEW_END, SESSION_VIEW_IMAGE, SESSION_VIEW_OPTIONAL, SESSION_VIEW_REQUIRED } from '../../src/record/session-view-fields.js';
import { buildRichSession } from './rich-session.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ECS = EcsFlat as unknown as Record<string, { type: string } | undefined>;

type Doc = Record<string, unknown>;

/** Dotted leaf paths of a document (array indices dropped). */
function paths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) paths(v, prefix, out);
    if (value.length === 0) out.add(prefix);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.add(prefix);
  return out;
}

function get(doc: Doc, path: string): unknown {
  let v: unknown = doc;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Doc)[k] : undefined;
  if (v === undefined && path.includes('.')) {
    // '@timestamp' and dotted leaves are plain keys
    v = doc[path];
  }
  return v;
}

/** Writer output: the rich session plus a synthetic host's traffic (sshd logins, pipelines, sudo, tmux). */
function writerDocuments(): Doc[] {
  const docs = buildRichSession().lines.map((l) => JSON.parse(l) as Doc);
  const gen = new SyntheticHost({ seed: 5 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  gen.backfill((e) => table.apply(e));
  for (const n of table.finishBackfill()) docs.push(JSON.parse(doc.snapshotLine(n, gen.time)) as Doc);
  gen.run(4000, (e) => docs.push(JSON.parse(doc.eventLine(e, table.apply(e))) as Doc));
  return docs;
}

describe('Elasticsearch index template', () => {
  it('the committed docs/elasticsearch/index-template.json is what the generator makes from the schema (npm run index-template)', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'elasticsearch', 'index-template.json'), 'utf8');
    expect(committed).toBe(indexTemplateText());
  });

  it('maps every field the writer emits, ECS fields with their ECS type', () => {
    const mappings = recordFieldMappings();
    const emitted = new Set<string>();
    for (const d of writerDocuments()) for (const p of paths(d)) emitted.add(p);
    const unmapped = [...emitted].filter((p) => !mappings.has(p));
    expect(unmapped).toEqual([]);
    for (const [path, m] of mappings) {
      const ecs = ECS[path];
      if (ecs !== undefined) expect(m.type, path).toBe(ecs.type);
      else expect(path.startsWith('sessiontop.') || path.startsWith('host.') && path === 'host.uptime', path).toBe(true);
    }
    expect(mappings.get('process.entry_leader.entity_id')?.type).toBe('keyword');
    expect(mappings.get('process.command_line')?.fields?.text?.type).toBe('match_only_text');
    expect(mappings.get('sessiontop.start_ticks')?.type).toBe('long');
    expect(mappings.get('sessiontop.typed.line')?.type).toBe('wildcard');
    expect(mappings.get('@timestamp')?.type).toBe('date');
  });
});

describe("Kibana's Session View fields", () => {
  const docs = writerDocuments();

  it('every fork, exec and end of a process in an entry session carries what Session View reads', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const d of docs) {
      const action = get(d, 'event.action') as string;
      if (!SESSION_VIEW_ACTIONS.includes(action)) continue;
      if (get(d, 'process.entry_leader.entity_id') === undefined) {
        // outside any entry session (pid 1, kernel threads, unknown ancestry): Session View never asks for it
        const pid = get(d, 'process.pid') as number;
        const name = get(d, 'process.name');
        if (pid !== 1 && name !== 'kthreadd' && get(d, 'process.parent.pid') !== 2 && get(d, 'process.parent.pid') !== 0) problems.push(`${action} of pid ${pid} (${String(name)}): no process.entry_leader.entity_id`);
        continue;
      }
      checked++;
      const want = [...SESSION_VIEW_REQUIRED];
      if (action === 'exec') want.push(...SESSION_VIEW_IMAGE);
      if (action === 'end' && get(d, 'sessiontop.exit_cause') !== 'unknown') want.push(...SESSION_VIEW_END);
      if (get(d, 'process.parent.pid') !== 0) want.push('process.parent.entity_id');
      for (const f of want) if (get(d, f) === undefined) problems.push(`${action} of pid ${String(get(d, 'process.pid'))}: ${f} missing`);
      if (get(d, 'event.kind') !== 'event') problems.push(`event.kind is ${String(get(d, 'event.kind'))}`);
    }
    expect([...new Set(problems)].slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('event.id is unique per line (Session View keeps one event per id for a process)', () => {
    const ids = docs.map((d) => get(d, 'event.id'));
    expect(ids.every((i) => typeof i === 'string' && i !== '')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the optional display fields are written where sessiontop knows them', () => {
    const seen = new Set<string>();
    for (const d of docs) for (const p of paths(d)) seen.add(p);
    expect(SESSION_VIEW_OPTIONAL.filter((f) => !seen.has(f))).toEqual([]);
  });
});

describe('shipper configurations in docs/elasticsearch', () => {
  const unit = readFileSync(join(ROOT, 'systemd', 'sessiontop-record.service'), 'utf8');
  const recorded = /record -o (\S+)/.exec(unit)?.[1] ?? '';

  for (const name of ['filebeat.yml', 'elastic-agent.yml']) {
    it(`${name}: reads what the systemd unit records, with the ndjson parser, into the template's data stream`, () => {
      const text = readFileSync(join(ROOT, 'docs', 'elasticsearch', name), 'utf8');
      expect(recorded).not.toBe('');
      expect(text).toContain(`- ${recorded}*`);
      expect(text).toMatch(/type: filestream/);
      expect(text).toMatch(/- ndjson:\n\s+target: ""\n\s+overwrite_keys: true/);
      expect(text).toMatch(/dataset: sessiontop/);
      expect(INDEX_PATTERN).toBe('logs-sessiontop-*');
      expect(text).not.toMatch(/add_host_metadata:/);
    });
  }
});
