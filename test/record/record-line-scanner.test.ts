/**
 * The line scanner against the usual path (JSON.parse + the compiled schema check + the line's
 * facts): for every line, whatever the scanner accepts must read exactly as the usual path reads it
 * (same facts, host facts, bad-line reasons, insane-time reasons), and everything else must be left
 * to the usual path. Over the writer's own lines (every action, several hosts, a host over ssh) and
 * over lines mutated systematically: every truncation, byte flips, escapes and unicode, duplicate,
 * unknown and reordered keys, number spellings, wrong types, whitespace; and over random lines of
 * every field the schema declares, in random order. Then whole chunks through ChunkDecoder, with
 * and without the scanner: the packed records must be identical. Then the native walk's own state
 * (its string table given up, emptied and kept in step; object memos replayed elsewhere in a line)
 * and its date-time check against the schema's pattern.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rng, SYNTHETIC_HOST } from '../../bench/record-workload.js';
import type { HostInfo } from '../../src/model/types.js';
import { ChunkDecoder } from '../../src/record/chunk-decoder.js';
import { formatIsoMicros, ISO_DATE_TIME_PATTERN } from '../../src/record/ecs-time.js';
import { compileJsonSchemaCheck, type JsonSchemaNode } from '../../src/record/json-schema-check.js';
import { checkWithCompiled, firstNonBlank, insaneTimeReason, parseLineWith, withLineRequirements } from '../../src/record/line-parse.js';
import { hostFactsOf, LINE_FACT_FIELDS, lineToFacts, newHostFacts, newLineHostFacts } from '../../src/record/line-to-event.js';
import { PackedTables, STRIDE } from '../../src/record/packed-facts.js';
import { RecordLineScanner } from '../../src/record/record-line-scanner.js';
import { recordLineJsonSchema, type RecordLine } from '../../src/record/schema.js';
import { newProcessEvent } from '../../src/sensor/process-event.js';
import { ROOT } from '../support/cli-harness.js';
import { buildRichSession } from './rich-session.js';
import { syntheticLines } from './synthetic-lines.js';

const schema = recordLineJsonSchema();
const fieldTypes = compileJsonSchemaCheck(schema);
const check = (value: unknown): RecordLine | string | null => checkWithCompiled(value, fieldTypes);
const scanner = new RecordLineScanner(schema);

const dir = mkdtempSync(join(tmpdir(), 'sessiontop-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Numbers as text that keeps −0 apart from 0 (and NaN visible). */
function plain(v: unknown): unknown {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** What reading a valid (as far as field types go) line gives: the chunk decoder's steps. */
function factsOf(parsed: RecordLine | string | null): unknown {
  if (parsed === null) return 'RECHECK';
  if (typeof parsed === 'string') return `BAD ${parsed}`;
  const host = { ...hostFactsOf(parsed, newHostFacts()) };
  const e = newProcessEvent();
  const x = newLineHostFacts();
  if (!lineToFacts(parsed, e, x)) return { host, bad: 'unreadable time' };
  return plain({ host, e, x, insane: insaneTimeReason(parsed, e) });
}

/** The usual path's outcome for a line's bytes. */
function usual(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  const first = firstNonBlank(text);
  if (first === -1) return 'BLANK';
  return factsOf(parseLineWith(text, first, check));
}

/** The scanner's outcome, or null when it leaves the line to the usual path. */
function scanned(bytes: Buffer): unknown {
  // the line inside a larger buffer, bytes around it that must not be read
  const padded = Buffer.concat([Buffer.from('{"x":1}\n'), bytes, Buffer.from('\n"pid":1}{"@timestamp"')]);
  const line = scanner.scan(padded, 8, 8 + bytes.length);
  return line === null ? null : factsOf(withLineRequirements(line));
}

interface Tally {
  lines: number;
  accepted: number;
}

/** Checks one line; returns whether the scanner accepted it. */
function same(bytes: Buffer | string, what: string): boolean {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const s = scanned(b);
  if (s === null) return false;
  const u = usual(b);
  if (JSON.stringify(s) !== JSON.stringify(u)) expect(s, `${what}: ${b.toString('utf8').slice(0, 300)}`).toEqual(u);
  return true;
}

function tally(lines: Iterable<[Buffer | string, string]>): Tally {
  const t: Tally = { lines: 0, accepted: 0 };
  for (const [b, what] of lines) {
    t.lines++;
    if (same(b, what)) t.accepted++;
  }
  return t;
}

// ---------------------------------------------------------------------- the writer's own lines

const VIA_HOST: HostInfo = { ...SYNTHETIC_HOST, name: 'web-1', bootId: 'c0ffee00-0000-4000-8000-000000000001', via: 'admin@web-1' };

const noNewline = (l: string): string => l.replace(/\n$/, '');
const ownLines: string[] = [...syntheticLines(3, 4000).map(noNewline), ...syntheticLines(5, 1500, VIA_HOST).map(noNewline), ...buildRichSession().lines.map((l) => l.replace(/\n$/, ''))];

/** One line of each action (and of each host) as the base of the mutations. */
function baseLines(): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of ownLines) {
    const v = JSON.parse(l) as { event: { action: string }; host: { name: string } };
    const key = `${v.event.action}|${v.host.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out;
}
const bases = baseLines();

describe('the writer\'s own lines', () => {
  it('every one is read by the scanner, exactly as JSON.parse + the schema check read it', () => {
    const actions = new Set(ownLines.map((l) => (JSON.parse(l) as { event: { action: string } }).event.action));
    for (const a of ['snapshot', 'fork', 'exec', 'end', 'setsid', 'setpgid', 'id_change', 'typed', 'text_output', 'lost']) expect(actions, a).toContain(a);
    expect(ownLines.some((l) => l.includes('"ssh_destination"'))).toBe(true);
    const t = tally(ownLines.map((l, i) => [l, `line ${i}`]));
    expect(t.accepted).toBe(t.lines);
  });
});

// ---------------------------------------------------------------------- mutations

/** The line's bytes with `b[at, at + n)` replaced by `by`. */
function splice(line: Buffer, at: number, n: number, by: Buffer | string): Buffer {
  return Buffer.concat([line.subarray(0, at), typeof by === 'string' ? Buffer.from(by, 'latin1') : by, line.subarray(at + n)]);
}

/** Spans of the line's JSON string values (content only) and its numbers, found by a small tokenizer. */
function tokens(line: string): { strings: [number, number][]; numbers: [number, number][]; values: [number, number][]; keys: [number, number][] } {
  const strings: [number, number][] = [];
  const numbers: [number, number][] = [];
  const values: [number, number][] = [];
  const keys: [number, number][] = [];
  let i = 0;
  const stack: string[] = [];
  let expectKey = false;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === '{') {
      stack.push('{');
      expectKey = true;
      i++;
    } else if (c === '[') {
      stack.push('[');
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      expectKey = stack[stack.length - 1] === '{';
      i++;
    } else if (c === ':') i++;
    else if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (expectKey) {
        keys.push([i + 1, j]);
        expectKey = false;
      } else {
        strings.push([i + 1, j]);
        values.push([i, j + 1]);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !',}]'.includes(line[j] as string)) j++;
      if (/^-?\d/.test(line.slice(i, j))) numbers.push([i, j]);
      values.push([i, j]);
      i = j;
    }
  }
  return { strings, numbers, values, keys };
}

const STRING_CONTENTS = [
  '\\u0041',
  '\\u00e9',
  '\\uD83D\\uDE00',
  '\\ud800',
  '\\udc00x',
  '\\n\\t\\r\\b\\f',
  '\\"',
  '\\\\',
  '\\/',
  'a\\u0000b',
  '\\uZZZZ',
  '\\u12',
  '\\x41',
  '\\',
  'é',
  '😀',
  '\u001b[31m',
  '\t',
  '\u007f',
  '\u2028',
  '1004',
  '01',
  '',
  'exec',
  'snapshot',
  'tty',
  'char',
  'bash',
  '10.0.0.1',
  '::1',
  'fe80::1',
  '2024-05-01T01:00:00Z',
  '2024-05-01T01:00:00.123+02:00',
  '2024-02-30T01:00:00Z',
  '2150-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
];
const RAW_BYTES = [[0xc3], [0xc3, 0xa9], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff], [0xf0, 0x9f, 0x98, 0x80]];
const NUMBERS = [
  '1e3',
  '1E+2',
  '1e-2',
  '-0',
  '0',
  '1.0',
  '0.5',
  '-1',
  '255',
  '256',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '12345678901234567890',
  '1e400',
  '-1e400',
  '01',
  '1.',
  '.5',
  '+1',
  '-',
  '0x10',
  'NaN',
  'Infinity',
  '1 ',
  ' 2',
];
const OTHER_VALUES = ['null', 'true', 'false', '"x"', '"1"', '1', '[]', '{}', '["x"]', '[1]', '{"a":1}', 'tru', 'nul', '"', '[', '{'];
const FLIPS = [' ', '"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', 'x', '-', '.', 'e', '\t', '\r', '\n', '\u0000', '\u0001', '\u007f', '\u0080', '\u00ff'];

function* mutations(line: string, index: number): Generator<[Buffer, string]> {
  const b = Buffer.from(line);
  const t = tokens(line);
  for (let i = 0; i <= b.length; i++) yield [b.subarray(0, i), `line ${index} cut at ${i}`];
  const step = index < 3 ? 1 : 5;
  for (let i = 0; i < b.length; i += step) for (const f of FLIPS) yield [splice(b, i, 1, f), `line ${index} byte ${i} → ${JSON.stringify(f)}`];
  for (const [s, e] of t.strings) {
    for (const c of STRING_CONTENTS) yield [splice(b, s, e - s, Buffer.from(c)), `line ${index} string at ${s} = ${c}`];
    for (const raw of RAW_BYTES) yield [splice(b, s, 0, Buffer.from(raw)), `line ${index} string at ${s} with bytes ${raw}`];
  }
  for (const [s, e] of t.numbers) for (const n of NUMBERS) yield [splice(b, s, e - s, n), `line ${index} number at ${s} = ${n}`];
  for (const [s, e] of t.values) for (const v of OTHER_VALUES) yield [splice(b, s, e - s, v), `line ${index} value at ${s} = ${v}`];
  for (const [s, e] of t.keys) {
    const key = line.slice(s, e);
    yield [splice(b, s, e - s, key.toUpperCase()), `line ${index} key ${key} upper`];
    yield [splice(b, s, e - s, `${key}x`), `line ${index} key ${key}x`];
    yield [splice(b, s, 1, `\\u00${line.charCodeAt(s).toString(16)}`), `line ${index} key ${key} escaped`];
    yield [splice(b, s - 1, 0, ' '), `line ${index} space before key ${key}`];
    yield [splice(b, e + 1, 0, ' \t'), `line ${index} space after key ${key}`];
    yield [splice(b, e + 2, 0, '\r '), `line ${index} space after colon of ${key}`];
  }
  yield [Buffer.from(` \t${line}\r `), `line ${index} padded`];
  yield [Buffer.from(`\ufeff${line}`), `line ${index} with a BOM`];
  yield [Buffer.from(`${line}x`), `line ${index} trailing garbage`];
  yield [Buffer.from(`${line}${line}`), `line ${index} twice`];
  yield [Buffer.from(`[${line}]`), `line ${index} in an array`];
}

/** Variants built from the parsed line: duplicate, unknown and reordered keys at every object. */
function* structural(line: string, index: number): Generator<[string, string]> {
  const root = JSON.parse(line) as Record<string, unknown>;
  const objects: { path: string; o: Record<string, unknown> }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v !== null && typeof v === 'object') {
      objects.push({ path, o: v as Record<string, unknown> });
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  walk(root, '');
  for (const { path, o } of objects) {
    const keys = Object.keys(o);
    const saved = { ...o };
    const rebuild = (entries: [string, unknown][]): void => {
      for (const k of Object.keys(o)) delete o[k];
      for (const [k, v] of entries) o[k] = v;
    };
    // reversed, and rotated
    rebuild(Object.entries(saved).reverse());
    yield [JSON.stringify(root), `line ${index} ${path} reversed`];
    rebuild([...Object.entries(saved).slice(1), ...Object.entries(saved).slice(0, 1)]);
    yield [JSON.stringify(root), `line ${index} ${path} rotated`];
    // unknown keys at the start, the middle, the end
    for (const at of [0, keys.length >> 1, keys.length]) {
      const e = Object.entries(saved);
      e.splice(at, 0, ['zz_unknown', 1]);
      rebuild(e);
      yield [JSON.stringify(root), `line ${index} ${path} unknown key at ${at}`];
    }
    rebuild(Object.entries(saved));
    // duplicate keys: each key given again (same value, another value), right after and at the end
    const text = JSON.stringify(root);
    for (const k of keys) {
      const marker = '"@@DUP@@":0';
      const e = Object.entries(saved);
      e.push(['@@DUP@@', 0]);
      rebuild(e);
      const withMarker = JSON.stringify(root);
      const v = saved[k];
      const other = typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}x` : typeof v === 'boolean' ? !v : v;
      yield [withMarker.replace(marker, `${JSON.stringify(k)}:${JSON.stringify(v)}`), `line ${index} ${path}.${k} twice`];
      yield [withMarker.replace(marker, `${JSON.stringify(k)}:${JSON.stringify(other)}`), `line ${index} ${path}.${k} twice, another value`];
      rebuild(Object.entries(saved));
    }
    expect(JSON.stringify(root)).toBe(text);
  }
  yield ['{"__proto__":{"pid":1},' + line.slice(1), `line ${index} __proto__`];
}

describe('mutated lines: the scanner accepts only what reads the same, and leaves the rest', () => {
  it('truncations, byte flips, escapes and unicode, number spellings, wrong types, whitespace', () => {
    let total: Tally = { lines: 0, accepted: 0 };
    bases.forEach((line, i) => {
      const t = tally(mutations(line, i));
      total = { lines: total.lines + t.lines, accepted: total.accepted + t.accepted };
    });
    expect(bases.length).toBeGreaterThanOrEqual(12);
    expect(total.lines).toBeGreaterThan(100_000);
    // many variants are still valid lines (escapes, unicode, 1.0, -0, spaces…): they were read
    expect(total.accepted).toBeGreaterThan(total.lines / 20);
  });

  it('duplicate, unknown and reordered keys at every object', () => {
    let dups = 0;
    let unknown = 0;
    let reordered = 0;
    let reorderedAccepted = 0;
    bases.forEach((line, i) => {
      for (const [text, what] of structural(line, i)) {
        const accepted = same(text, what);
        if (what.includes('twice')) {
          dups++;
          expect(accepted, what).toBe(false);
        } else if (what.includes('unknown') || what.includes('__proto__')) {
          unknown++;
          expect(accepted, what).toBe(false);
        } else {
          reordered++;
          if (accepted) reorderedAccepted++;
        }
      }
    });
    expect(dups).toBeGreaterThan(500);
    expect(unknown).toBeGreaterThan(100);
    // keys in any order are read (and read the same)
    expect(reorderedAccepted).toBe(reordered);
  });

  it('numbers: -0, 1.0, 1e3 and huge integers read as JSON.parse reads them', () => {
    const line = bases.find((l) => l.includes('"action":"fork"')) as string;
    for (const [n, ok] of [
      ['-0', true],
      ['1.0', true],
      ['1e3', true],
      ['1E+2', true],
      ['4294967295', true],
      ['4294967296', false],
      ['1.5', false],
      ['1e400', false],
      ['12345678901234567890', false],
    ] as const) {
      const text = line.replace(/"pid":\d+/, `"pid":${n}`);
      expect(same(text, `pid ${n}`), `pid ${n}`).toBe(ok);
    }
    const pidOf = (text: string): unknown => (scanned(Buffer.from(text)) as { e: { pid: unknown } }).e.pid;
    expect(pidOf(line.replace(/"pid":\d+/, '"pid":-0'))).toBe('-0');
    expect(pidOf(line.replace(/"pid":\d+/, '"pid":1e3'))).toBe(1000);
    expect(pidOf(line.replace(/"start_ticks":\d+/, '"start_ticks":9007199254740991').replace(/"pid":\d+/, '"pid":42.0'))).toBe(42);
  });

  it('escapes and unicode in kept strings decode as JSON.parse decodes them', () => {
    const line = bases.find((l) => l.includes('"action":"exec"')) as string;
    const cases = ['caf\\u00e9', '\\uD83D\\uDE00 ok', 'lone \\ud800', 'quo\\"te \\\\ \\/ \\n', 'é😀', 'tab\\tx'];
    for (const c of cases) {
      const text = line.replace(/"working_directory":"[^"]*"/, `"working_directory":"${c}"`);
      expect(text).not.toBe(line);
      expect(same(Buffer.from(text), c), c).toBe(true);
      expect((scanned(Buffer.from(text)) as { e: { cwd: string } }).e.cwd).toBe((JSON.parse(text) as { process: { working_directory: string } }).process.working_directory);
    }
  });
});

// ---------------------------------------------------------------------- random lines of every field

/** Valid and invalid values for the patterns the schema uses. */
const PATTERN_SAMPLES: [RegExp, string[], string[]][] = [
  [/date|\\d\{4\}-/, ['2024-05-01T01:00:00.123456Z', '2024-02-29T00:00:00Z', '2024-05-01T01:00:00+02:00', '2150-01-01T00:00:00Z', '1900-01-01T00:00:00Z'], ['2023-02-29T00:00:00Z', '2024-05-01 01:00:00Z', '2024-13-01T00:00:00Z']],
  [/\\d\{1,10\}/, ['0', '1000', '4294967295', '9999999999'], ['99999999999', '12a', '']],
  [/25\[0-5\]/, ['10.0.0.1', '255.255.255.255'], ['256.1.1.1', '::1']],
  [/0-9a-fA-F/, ['fe80::1', '::1', '2001:db8::ff00:42:8329'], ['g::1', '10.0.0.1']],
];

/** A value for schema node `s`; `bad`: how often a value is of the wrong type, out of range or off pattern. */
function randomValue(s: JsonSchemaNode, r: () => number, depth: number, bad: number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  if (s.anyOf !== undefined) return randomValue(pick(s.anyOf), r, depth, bad);
  if (depth > 0 && r() < bad) return pick([null, 'x', 1, true, [], {}]);
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const entries = Object.entries(s.properties ?? {});
      if (r() < 0.3) entries.reverse();
      for (const [k, sub] of entries) if ((s.required ?? []).includes(k) || r() < 0.6) out[k] = randomValue(sub, r, depth + 1, bad);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.floor(r() * 3) }, () => randomValue(s.items as JsonSchemaNode, r, depth + 1, bad));
    case 'string': {
      if (s.enum !== undefined) return r() < bad ? 'other' : pick(s.enum);
      if (s.pattern !== undefined) {
        const samples = PATTERN_SAMPLES.find(([re]) => re.test(s.pattern as string));
        expect(samples, `no samples for ${s.pattern}`).toBeDefined();
        const [, good, wrong] = samples as [RegExp, string[], string[]];
        return pick(r() < bad * 10 ? wrong : good);
      }
      return pick(['', 'bash', '/usr/bin/ls', 'a b', 'é', '\u001b[0m', 'x'.repeat(200), '"q"', '\\']);
    }
    case 'integer':
    case 'number': {
      const lo = typeof s.minimum === 'number' ? s.minimum : -1000;
      const hi = typeof s.maximum === 'number' ? s.maximum : 1000;
      if (r() < bad * 10) return pick([hi + 1, lo - 1, 2.5]);
      return pick([lo, hi, 0, 1, 7, Math.floor(lo + r() * Math.min(hi - lo, 1e6))].filter((x) => x >= lo && x <= hi));
    }
    case 'boolean':
      return r() < 0.5;
    default:
      throw new Error(`no generator for ${JSON.stringify(s).slice(0, 80)}`);
  }
}

/** A random line with the event's minimum, so that most read as events. */
function randomLine(r: () => number, bad = 0.01): Record<string, unknown> {
  const v = randomValue(schema, r, 0, bad) as Record<string, unknown>;
  if (r() < 0.8) {
    v['@timestamp'] = '2024-05-01T01:00:00.5Z';
    const p = (v.process ??= {}) as Record<string, unknown>;
    if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
      p.pid = 10;
      for (const k of ['parent', 'session_leader', 'group_leader']) p[k] = { ...(typeof p[k] === 'object' ? (p[k] as object) : {}), pid: 1 };
      p.executable = '/bin/x';
    }
  }
  return v;
}

describe('random lines of every declared field, in random order', () => {
  it('the scanner reads them as the usual path does', () => {
    const r = rng(42);
    let accepted = 0;
    const N = 20_000;
    for (let i = 0; i < N; i++) if (same(JSON.stringify(randomLine(r)), `random line ${i}`)) accepted++;
    expect(accepted).toBeGreaterThan(N / 5);
  });

  it('LINE_FACT_FIELDS holds every field the reading looks at: a line cut down to them reads the same', () => {
    const r = rng(7);
    const cut = (v: unknown, paths: string[][]): unknown => {
      const out: Record<string, unknown> = {};
      // the objects on the way to a field are kept when the line has them (as the scanner's skeleton)
      for (const p of paths) {
        let src = v as Record<string, unknown>;
        let into = out;
        for (let i = 0; i < p.length; i++) {
          const k = p[i] as string;
          const x = src[k];
          if (x === undefined) break;
          if (i === p.length - 1) into[k] = x;
          else {
            if (x === null || typeof x !== 'object' || Array.isArray(x)) break;
            into = (into[k] ??= {}) as Record<string, unknown>;
            src = x as Record<string, unknown>;
          }
        }
      }
      return out;
    };
    const paths = LINE_FACT_FIELDS.map((f) => (f === '@timestamp' ? [f] : f.split('.')));
    let compared = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = randomLine(r, 0);
      const full = check(v);
      if (full === null) continue; // a wrong type: not a line whose facts are read
      const reduced = withLineRequirements(cut(v, paths) as RecordLine);
      expect(factsOf(reduced), JSON.stringify(v).slice(0, 300)).toEqual(factsOf(full));
      compared++;
    }
    expect(compared).toBeGreaterThan(5000);
  });
});

// ---------------------------------------------------------------------- whole chunks

describe('ChunkDecoder with the scanner = without it', () => {
  it('the same packed records, interned and local values, chunk by chunk', () => {
    const r = rng(3);
    const lines: string[] = [...ownLines];
    bases.forEach((line, i) => {
      let n = 0;
      for (const [b] of mutations(line, i)) if (n++ % 13 === 0 && !b.includes(0x0a) && !b.includes(0)) lines.push(b.toString('latin1'));
      for (const [text] of structural(line, i)) lines.push(text);
    });
    for (let i = 0; i < 2000; i++) lines.push(JSON.stringify(randomLine(r)));
    lines.push('', '   ', '{"pad":"' + 'x'.repeat(5000) + '"}');
    const file = join(dir, 'chunks.ndjson');
    writeFileSync(file, Buffer.from(lines.join('\n') + '\n', 'latin1'));
    const fd = openSync(file, 'r');
    try {
      const size = Buffer.byteLength(lines.join('\n') + '\n', 'latin1');
      const withScanner = new ChunkDecoder(check, new RecordLineScanner(schema));
      const without = new ChunkDecoder(check);
      const tables = [new PackedTables(), new PackedTables()];
      const CHUNK = 64 * 1024;
      let records = 0;
      for (let start = 0, seq = 0; start < size; start += CHUNK, seq++) {
        const job = { reader: 1, seq, fd, start, end: Math.min(size, start + CHUNK), maxLineBytes: 4096 };
        const a = withScanner.decode(job);
        const b = without.decode(job);
        expect(a.error).toBe('');
        expect([a.lines, a.binaryAt, a.batch.count]).toEqual([b.lines, b.binaryAt, b.batch.count]);
        const fa = new Float64Array(a.batch.buffer, 0, a.batch.count * STRIDE);
        const fb = new Float64Array(b.batch.buffer, 0, b.batch.count * STRIDE);
        for (let i = 0; i < fa.length; i++) if (!Object.is(fa[i], fb[i])) expect([i % STRIDE, fa[i]], `chunk ${seq} record ${Math.floor(i / STRIDE)}`).toEqual([i % STRIDE, fb[i]]);
        expect(a.batch.local).toEqual(b.batch.local);
        expect(tables[0]!.receive(0, a.batch)).toEqual(tables[1]!.receive(0, b.batch));
        records += a.batch.count;
      }
      expect(records).toBeGreaterThan(lines.length * 0.9);
      // the scanner really read most lines; the rest took the usual path
      expect(withScanner.scanned).toBeGreaterThan(ownLines.length);
      expect(withScanner.parsed).toBeGreaterThan(1000);
      expect(without.scanned).toBe(0);
    } finally {
      closeSync(fd);
    }
  });
});

// ---------------------------------------------------------------------- the native walk's own state

describe('the walk\'s string table and object memos', () => {
  /** A line of the writer's own with an ssh entry (a source address) and a cgroup, as a value to edit. */
  const baseText = ownLines.find((l) => l.includes('"action":"exec"') && l.includes('"ip":"') && l.includes('"cgroup":"')) as string;
  type Line = Record<string, Record<string, unknown>> & { process: { name: string; entry_leader: { entry_meta: { source: { ip: string } } } } };
  const line = (edit: (v: Line) => void): string => {
    const v = JSON.parse(baseText) as Line;
    edit(v);
    return JSON.stringify(v);
  };
  const outcome = (sc: RecordLineScanner, text: string): unknown => {
    const b = Buffer.from(text);
    const l = sc.scan(b, 0, b.length);
    return l === null ? null : factsOf(withLineRequirements(l));
  };
  const expectSame = (sc: RecordLineScanner, text: string, what: string): void => {
    const s = outcome(sc, text);
    expect(s, what).not.toBeNull();
    if (JSON.stringify(s) !== JSON.stringify(usual(Buffer.from(text)))) expect(s, what).toEqual(usual(Buffer.from(text)));
  };

  it('a line given up after its strings entered the table takes them out again (and voids the memos that hold them)', () => {
    expect(baseText).toBeDefined();
    const sc = new RecordLineScanner(schema);
    const named = line((v) => {
      (v.host as { name: string }).name = 'host-given-up-1';
      v.process.name = 'name-given-up-1';
    });
    // the whole line is walked, its strings and objects kept, then the byte after it gives it up
    expect(outcome(sc, `${named} x`)).toBeNull();
    const other = line((v) => {
      (v.host as { name: string }).name = 'host-other-22';
      v.process.name = 'name-other-22';
    });
    expectSame(sc, other, 'a line whose strings take the entries given back');
    expectSame(sc, named, 'the given-up line, whole');
    expectSame(sc, named, 'and again, from the table and the memos');
    expect(sc.tableSize()).toBeGreaterThan(10);
  });

  it('a line whose address fails the pattern test here keeps the strings the walk added after it', () => {
    const sc = new RecordLineScanner(schema);
    const withIp = (ip: string, cgroup: string): string =>
      line((v) => {
        v.process.entry_leader.entry_meta.source.ip = ip;
        (v.sessiontop as { cgroup: string }).cgroup = cgroup;
      });
    const bad = withIp('10.0.0.300', 'user.slice/after-a-bad-address.scope');
    expect(outcome(sc, bad)).toBeNull();
    expect(usual(Buffer.from(bad))).toBe('RECHECK'); // the compiled check rejects it (zod gives the reason)
    expectSame(sc, withIp('10.0.0.3', 'user.slice/after-a-bad-address.scope'), 'the string the walk added after the address');
    expectSame(sc, withIp('2001:db8::1', 'user.slice/after-a-bad-address.scope'), 'another address, the same string');
  });

  it('the table is emptied at the start of a line once half full, and lines read on the same', () => {
    const sc = new RecordLineScanner(schema);
    let emptied = 0;
    let size = 0;
    for (let i = 0; i < 40_000; i++) {
      // each string twice: enough repeats that the nodes keep using the table, one new entry a line
      const text = line((v) => {
        v.process.name = `name-${i >> 1}`;
        (v.host as { name: string }).name = `host-${i >> 1}`;
      });
      expectSame(sc, text, `line ${i}`);
      const now = sc.tableSize();
      if (now < size) emptied++;
      size = now;
    }
    expect(emptied).toBeGreaterThanOrEqual(1);
  });

  it('an object remembered with a long string (not in the table) reads right at another offset', () => {
    const sc = new RecordLineScanner(schema);
    const long = `h${'o'.repeat(299)}`;
    for (let i = 0; i < 200; i++) {
      // the event before the host object changes length: the same host bytes, elsewhere in the line
      const text = line((v) => {
        (v.host as { name: string }).name = long;
        (v.event as { id: string }).id = 'x'.repeat(1 + (i % 7));
      });
      expectSame(sc, text, `line ${i}`);
    }
  });
});

describe('the walk\'s date-time check = the schema pattern', () => {
  const pattern = new RegExp(ISO_DATE_TIME_PATTERN);
  const sc = new RecordLineScanner(schema);
  const base = JSON.parse(ownLines[0] as string) as Record<string, unknown>;
  /** Whether the walk takes a line whose only doubtful value is this @timestamp. */
  const check = (text: string): boolean => {
    base['@timestamp'] = text;
    const b = Buffer.from(JSON.stringify(base), 'latin1');
    return sc.scan(b, 0, b.length) !== null;
  };

  it('is the pattern every date-time field of the schema carries', () => {
    const found: string[] = [];
    const walk = (n: JsonSchemaNode | undefined): void => {
      if (n === undefined) return;
      if (n.format === 'date-time') found.push(n.pattern ?? '');
      for (const c of Object.values(n.properties ?? {})) walk(c);
      walk(n.items);
      for (const a of n.anyOf ?? []) walk(a);
    };
    walk(schema);
    expect(found.length).toBeGreaterThan(10);
    expect(new Set(found)).toEqual(new Set([ISO_DATE_TIME_PATTERN]));
  });

  it('agrees on every day of the years that make the leap rule, 29 February of 1896–2104 and of every century, and on every field boundary', () => {
    const cases: string[] = [];
    const pad = (n: number, w: number): string => String(n).padStart(w, '0');
    for (const year of [0, 4, 100, 400, 1896, 1900, 1970, 2000, 2023, 2024, 2100, 2104, 9999]) {
      for (let month = 0; month <= 13; month++) for (let day = 0; day <= 32; day++) cases.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T10:20:30Z`);
    }
    for (let year = 1896; year <= 2104; year++) cases.push(`${year}-02-29T00:00:00Z`, `${year}-02-28T23:59:59.9Z`);
    for (let century = 0; century <= 99; century++) cases.push(`${pad(century, 2)}00-02-29T00:00:00Z`, `${pad(century, 2)}04-02-29T00:00:00Z`);
    for (let h = 0; h <= 25; h++) for (const m of [0, 9, 59, 60, 99]) cases.push(`2024-05-01T${pad(h, 2)}:${pad(m, 2)}:${pad(m, 2)}Z`, `2024-05-01T10:00:00+${pad(h, 2)}:${pad(m, 2)}`, `2024-05-01T10:00:00.5-${pad(h, 2)}:${pad(m, 2)}`);
    cases.push('2024-05-01T10:00:00', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.1234567890123Z', '2024-05-01t10:00:00Z', '2024-05-01T10:00:00z', '2024-05-01T10:00:00Z ', ' 2024-05-01T10:00:00Z', '2024-05-01T10:00:00+0200', '2024-05-01T10:00:00+02:00:00', '2024-5-01T10:00:00Z', '', 'Z');
    let accepted = 0;
    for (const c of cases) {
      expect(check(c), c).toBe(pattern.test(c));
      if (pattern.test(c)) accepted++;
    }
    expect(accepted).toBeGreaterThan(1000);
  });

  it('agrees on 200 000 mutations of valid values (bytes changed, cut, doubled, inserted)', () => {
    const r = rng(11);
    const alphabet = '0123456789-:.+TZtz 9/\x7f';
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) {
      let s = formatIsoMicros(Date.UTC(1900, 0, 1) + r() * 7e12);
      if (r() < 0.3) s = s.replace(/\.\d+/, r() < 0.5 ? '' : '.5');
      if (r() < 0.2) s = s.replace('Z', r() < 0.5 ? '+05:30' : '-12:00');
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * (s.length + 1));
        const c = alphabet[Math.floor(r() * alphabet.length)] as string;
        const op = r();
        if (op < 0.5) s = s.slice(0, at) + c + s.slice(at + 1);
        else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1);
        else if (op < 0.85) s = s.slice(0, at) + c + s.slice(at);
        else s = s.slice(0, at) + s.slice(at - 1, at) + s.slice(at);
      }
      const want = pattern.test(s);
      if (check(s) !== want) expect(check(s), JSON.stringify(s)).toBe(want);
      if (want) accepted++;
    }
    expect(accepted).toBeGreaterThan(10_000);
  });
});

describe('without the addon', () => {
  it('there is no scanner: a reader reads every line the usual way, in the workers and on the main thread, to the same events', () => {
    // over 16 MiB: parse workers, and the main thread's chunks and line loop
    const text = syntheticLines(21, 13_000).join('');
    expect(text.length).toBeGreaterThan(16 << 20);
    const file = join(dir, 'no-addon.ndjson');
    writeFileSync(file, text);
    // a fresh process each time (the addon is loaded once per process), reading with the compiled reader
    const script = `
      const { RecordingFileReader } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'record', 'recording-reader.js')).href)});
      const { createHash } = await import('node:crypto');
      const r = RecordingFileReader.open(${JSON.stringify(file)});
      const h = createHash('sha256');
      let events = 0;
      for (let e = r.next(); e !== null; e = r.next()) { h.update(JSON.stringify([e.lineNo, e.offset, e.host.key, e.event])); events++; }
      console.log(JSON.stringify({ events, hash: h.digest('hex'), inWorkers: r.parallelEvents, scanned: r.scannedLines + r.parallelChunks.scannedLines, stats: r.stats }));`;
    const read = (env: Record<string, string>): { events: number; hash: string; inWorkers: number; scanned: number; stats: unknown } => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { events: number; hash: string; inWorkers: number; scanned: number; stats: unknown };
    };
    const without = read({ SESSIONTOP_ADDON: join(dir, 'no-such-addon.node') });
    const withAddon = read({});
    expect(without.events).toBeGreaterThan(10_000);
    expect(without.inWorkers).toBeGreaterThan(without.events / 2);
    expect(without.scanned).toBe(0);
    expect(withAddon.scanned).toBeGreaterThan(withAddon.events * 0.9);
    expect({ ...withAddon, scanned: 0 }).toEqual(without);
  });
});

describe('schema constructs the walk does not apply', () => {
  /** Whether the scanner built from `s` (keeping field `a`) takes `line`, and whether the usual path does. */
  const outcomes = (s: JsonSchemaNode, line: string): { scanner: boolean; usual: boolean } => {
    const sc = new RecordLineScanner(s, ['a']);
    const b = Buffer.from(line);
    let usual = false;
    try {
      usual = compileJsonSchemaCheck(s)(JSON.parse(line)); // the field types alone (these are not record lines)
    } catch {
      usual = false;
    }
    return { scanner: sc.scan(b, 0, b.length) !== null, usual };
  };
  const object = (properties: Record<string, JsonSchemaNode>): JsonSchemaNode => ({ type: 'object', properties });

  it('leave their lines to the usual path instead of accepting what it rejects', () => {
    // [schema, line, whether the usual path takes it]: the scanner must take none of them
    const cases: [JsonSchemaNode, string, boolean][] = [
      // keys JSON writes escaped, or with bytes a raw comparison would take for the key
      [object({ a: { type: 'integer' }, b: object({ 'q"b': { type: 'integer' } }) }), '{"a":1,"b":{"q"b":1}}', false],
      // (the usual path reads key "q" + backspace here, a key the schema does not have)
      [object({ a: { type: 'integer' }, b: object({ 'q\\b': { type: 'integer' } }) }), '{"a":1,"b":{"q\\b":1}}', true],
      [object({ a: { type: 'integer' }, b: object({ 'q\tb': { type: 'integer' } }) }), '{"a":1,"b":{"q\tb":1}}', false],
      // keywords the compiled check applies whatever the type, on a node of another type
      [object({ a: { type: 'string', maximum: 5 } }), '{"a":"9"}', false],
      [object({ a: { type: 'integer' }, b: { type: 'array', items: { type: 'integer' }, minimum: 3 } }), '{"a":1,"b":[1]}', false],
      [object({ a: { type: 'integer' }, b: { type: 'object', properties: { c: { type: 'integer' } }, enum: [1] } }), '{"a":1,"b":{"c":1}}', false],
      [object({ a: { type: 'integer' }, b: { anyOf: [{ type: 'string' }], enum: ['x'] } }), '{"a":1,"b":"y"}', false],
      // a digit run of at most none
      [object({ a: { type: 'string', pattern: '^\\d{0,0}$' } }), '{"a":"abc"}', false],
    ];
    for (const [s, line, usual] of cases) expect(outcomes(s, line), line).toEqual({ scanner: false, usual });
    // and what these schemas accept still reads
    expect(outcomes(object({ a: { type: 'string', pattern: '^\\d{0,0}$' } }), '{"a":""}')).toEqual({ scanner: true, usual: true });
    expect(outcomes(object({ a: { type: 'string', pattern: '^\\d{1,3}$' } }), '{"a":"123"}')).toEqual({ scanner: true, usual: true });
  });
});
