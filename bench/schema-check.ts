/**
 * The reader's line validation, side by side in one run on the same parsed lines of a generated
 * recording: the check compiled by src/record/json-schema-check.ts from zod's JSON Schema (what
 * replay uses), Ajv compiled from the same JSON Schema (`z.toJSONSchema`), and, for scale, the
 * JSON.parse of those lines. Alternating rounds, medians. Both validators must agree on every line.
 *
 *   node --expose-gc dist/bench/schema-check.js [LINES=40000] [ROUNDS=7]
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ProcessTable } from '../src/model/process-table.js';
import { EcsDocumentBuilder } from '../src/record/ecs-document.js';
import { compileJsonSchemaCheck } from '../src/record/json-schema-check.js';
import { recordLineJsonSchema } from '../src/record/schema.js';
import { isMain, median, printFigures } from './bench-util.js';
import { SyntheticHost } from './record-workload.js';

export interface SchemaCheckFigures {
  ownLinesPerSec: number;
  ajvLinesPerSec: number;
  parseLinesPerSec: number;
  /** Ajv time / own check time (above 1: Ajv is slower). */
  ajvOverOwn: number;
}

export function run(lines = 40_000, rounds = 7): SchemaCheckFigures {
  const gen = new SyntheticHost({ seed: 5 });
  const table = new ProcessTable({ host: gen.host });
  const doc = new EcsDocumentBuilder({ host: gen.host });
  const text: string[] = [];
  gen.backfill((e) => table.apply(e));
  for (const n of table.finishBackfill()) text.push(doc.snapshotLine(n, gen.time));
  gen.run(lines, (e) => text.push(doc.eventLine(e, table.apply(e))));
  const docs = text.map((l) => JSON.parse(l) as unknown);
  const schema = recordLineJsonSchema();
  const own = compileJsonSchemaCheck(schema);
  const ajv = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
  for (const d of docs) if (own(d) !== ajv(d) || !own(d)) throw new Error('the two validators disagree (or a line is invalid)');
  const timeIt = (f: () => void): number => {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const ownMs: number[] = [];
  const ajvMs: number[] = [];
  const parseMs: number[] = [];
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    ownMs.push(timeIt(() => docs.forEach((d) => (sink += own(d) ? 1 : 0))));
    ajvMs.push(timeIt(() => docs.forEach((d) => (sink += ajv(d) ? 1 : 0))));
    parseMs.push(timeIt(() => text.forEach((l) => (sink += (JSON.parse(l) as object) ? 1 : 0))));
  }
  if (sink === 0) throw new Error('nothing validated');
  const rate = (ms: number): number => docs.length / (ms / 1000);
  return {
    ownLinesPerSec: rate(median(ownMs)),
    ajvLinesPerSec: rate(median(ajvMs)),
    parseLinesPerSec: rate(median(parseMs)),
    ajvOverOwn: median(ajvMs) / median(ownMs),
  };
}

if (isMain(import.meta.url)) {
  const r = run(Number(process.argv[2] ?? 40_000), Number(process.argv[3] ?? 7));
  printFigures('line validation side by side (same parsed lines, medians)', {
    'compiled check (json-schema-check)': `${Math.round(r.ownLinesPerSec).toLocaleString('en-US')} lines/s`,
    'Ajv (same JSON Schema)': `${Math.round(r.ajvLinesPerSec).toLocaleString('en-US')} lines/s`,
    'JSON.parse of the lines': `${Math.round(r.parseLinesPerSec).toLocaleString('en-US')} lines/s`,
    'Ajv time / compiled check time': r.ajvOverOwn,
  });
}
