/**
 * The Elasticsearch index template for sessiontop recordings, generated from the recording schema
 * (schema.ts): every field a line may carry, mapped with its ECS type from the field set shipped in
 * `@elastic/ecs` (multi-fields included, e.g. `process.command_line.text`), and — for the
 * `sessiontop.*` fields ECS lacks — the type the schema gives (integer → long, ISO date → date,
 * boolean, string → keyword). `docs/elasticsearch/index-template.json` is this function's output
 * (`npm run index-template` rewrites it; a test checks the committed file matches).
 */

import { EcsFlat, EcsVersion } from '@elastic/ecs';
import type { JsonSchemaNode } from './json-schema-check.js';
import { recordLineJsonSchema } from './schema.js';

/** The data streams the Filebeat and Elastic Agent configurations in docs/elasticsearch write to. */
export const INDEX_PATTERN = 'logs-sessiontop-*';

interface EcsFieldDef {
  type: string;
  multi_fields?: { name: string; type: string }[];
}
const ECS = EcsFlat as unknown as Record<string, EcsFieldDef | undefined>;

export interface FieldMapping {
  type: string;
  ignore_above?: number;
  fields?: Record<string, { type: string }>;
}

/**
 * `sessiontop.*` strings that hold free text of any length: `wildcard`, like ECS maps
 * `process.command_line` (a `keyword` would stop indexing them past 1024 characters).
 */
const FREE_TEXT: ReadonlySet<string> = new Set(['sessiontop.typed.line']);

/** Every leaf field of a recording line with its mapping, by dotted path (sorted). */
export function recordFieldMappings(): Map<string, FieldMapping> {
  const out = new Map<string, FieldMapping>();
  walk(recordLineJsonSchema(), '', out);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function walk(node: JsonSchemaNode, path: string, out: Map<string, FieldMapping>): void {
  const n = node as JsonSchemaNode & { properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode; anyOf?: JsonSchemaNode[]; type?: string; format?: string; enum?: unknown[] };
  if (n.properties !== undefined) {
    for (const [k, v] of Object.entries(n.properties)) walk(v, path === '' ? k : `${path}.${k}`, out);
    return;
  }
  if (n.type === 'array' && n.items !== undefined) {
    walk(n.items, path, out);
    return;
  }
  out.set(path, mappingOf(path, n));
}

function mappingOf(path: string, n: { type?: string; format?: string; anyOf?: JsonSchemaNode[] }): FieldMapping {
  const ecs = ECS[path];
  if (ecs !== undefined) {
    const m: FieldMapping = { type: ecs.type };
    if (ecs.type === 'keyword') m.ignore_above = 1024;
    if (ecs.multi_fields !== undefined && ecs.multi_fields.length > 0) {
      m.fields = Object.fromEntries(ecs.multi_fields.map((f) => [f.name, { type: f.type }]));
    }
    return m;
  }
  if (FREE_TEXT.has(path)) return { type: 'wildcard' };
  const formats = [n.format, ...(n.anyOf ?? []).map((a) => (a as { format?: string }).format)];
  if (formats.includes('ipv4') || formats.includes('ipv6')) return { type: 'ip' };
  if (n.format === 'date-time') return { type: 'date' };
  if (n.type === 'integer' || n.type === 'number') return { type: 'long' };
  if (n.type === 'boolean') return { type: 'boolean' };
  return { type: 'keyword', ignore_above: 1024 };
}

/** Dotted paths → nested `properties` objects, as Elasticsearch mappings want them. */
function nest(fields: Map<string, FieldMapping>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, mapping] of fields) {
    const parts = path.split('.');
    let level = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts[i] as string;
      const obj = (level[key] ??= { properties: {} }) as { properties: Record<string, unknown> };
      level = obj.properties;
    }
    level[parts[parts.length - 1] as string] = mapping;
  }
  return root;
}

/** The composable index template (`PUT _index_template/sessiontop`). */
export function buildIndexTemplate(): Record<string, unknown> {
  const fields = recordFieldMappings();
  // the data stream's own fields, set by Filebeat / Elastic Agent
  for (const f of ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace']) fields.set(f, { type: 'constant_keyword' });
  return {
    index_patterns: [INDEX_PATTERN],
    data_stream: {},
    priority: 200,
    template: {
      settings: { 'index.mapping.total_fields.limit': 2000 },
      mappings: { properties: nest(fields) },
    },
    _meta: {
      description: 'sessiontop recordings (ECS NDJSON): every field a recording line may carry',
      ecs_version: EcsVersion,
      generated_from: 'src/record/schema.ts by src/record/index-template.ts (npm run index-template)',
    },
  };
}

/** The template as the committed file holds it. */
export function indexTemplateText(): string {
  return `${JSON.stringify(buildIndexTemplate(), null, 2)}\n`;
}
