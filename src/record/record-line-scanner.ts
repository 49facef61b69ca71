/**
 * A validating scanner for recording lines, working on their bytes: what a parse worker runs
 * instead of `JSON.parse` and the compiled schema check for a line it fully understands.
 *
 * It has two halves. The byte walk is native (addon/line-scanner.h, in the sensor's addon): it walks
 * the line once, checking that the whole line is JSON text that `JSON.parse` would accept (strings
 * with their escapes and UTF-8, numbers, literals, whitespace) and that every value has the type,
 * range, date-time form, digit run or enum value its field's schema node gives, and writes the
 * values the reading keeps as a tape of numbers. This half compiles the schema into the nodes the
 * walk follows (the same JSON Schema the compiled check is built from: json-schema-check.ts), tests
 * the strings of patterns the walk does not know (IP addresses), and reads the tape back into one
 * reused skeleton line that has only LINE_FACT_FIELDS (line-to-event.ts): a line costs no object but
 * the arrays it holds, and few strings.
 *
 * It answers null ("not understood: read this line the usual way") for anything it does not fully
 * understand or that the schema check would reject: a key it does not know (the schema ignores
 * unknown fields; the scanner leaves them to `JSON.parse`), a key given twice, a key with an escape,
 * a string that is not valid UTF-8, a date-time, digit run or enum value with an escape or a byte
 * over 0x7f, a value of the wrong type or out of range, a schema construct it does not support. So
 * a line it accepts reads exactly as `JSON.parse` + the compiled check would read it, and any other
 * line goes that way itself. Keys may come in any order (each object node learns which key follows
 * which, so the writer's own order is the cheap case).
 *
 * Most strings repeat line after line (the host, names, paths, a session's leaders): the walk keeps
 * a table of the strings it handed over, found by their bytes, and a repeat comes as its entry's
 * number, decoded once here. A node whose strings do not repeat (times, arguments) stops using the
 * table for a while.
 *
 * Without the addon (it could not be loaded: see native-addon.ts), there is no scanner: the
 * constructor throws and every line takes the usual path.
 *
 * The skeleton is reused: it is valid until the next scan. Arrays (argument vectors, skipped byte
 * ranges) are built afresh for each line.
 */

import { loadAddon, SensorError, type NativeLineScanner, type NativeScanNode } from '../sensor/native-addon.js';
import { ISO_DATE_TIME_PATTERN } from './ecs-time.js';
import { isHandledKeyword, isUnderstoodKeyword, type JsonSchemaNode } from './json-schema-check.js';
import { LINE_FACT_FIELDS } from './line-to-event.js';
import type { RecordLine } from './schema.js';

/** What the scanner does with a value: checks it only, builds it afresh, or fills a reused object. */
const CHECK = 0;
const BUILD = 1;
const SKELETON = 2;

const T_UNSUPPORTED = 0;
const T_OBJECT = 1;
const T_ARRAY = 2;
const T_STRING = 3;
const T_INTEGER = 4;
const T_NUMBER = 5;
const T_BOOLEAN = 6;

/** Tape operations: the numbers of addon/line-scanner.h. */
const OP_SKELETON = 1;
const OP_NUMBER = 2;
const OP_BOOL = 3;
const OP_STRING = 4;
const OP_NEW_STRING = 5;
const OP_RAW_STRING = 6;
const OP_ARRAY = 7;
const OP_OBJECT = 8;
const OP_END = 9;
/** String flags on the tape: the string has escapes, bytes over 0x7f. */
const ESCAPED_FLAG = 1;
const WIDE_FLAG = 2;

/** Tape entries per line: a line that needs more is not understood (read the usual way). */
const TAPE_ENTRIES = 1 << 16;

/** A pattern the walk checks itself: a run of ASCII digits, `^\d{m,n}$`. */
const DIGITS_PATTERN = /^\^\\d\{(\d+),(\d+)\}\$$/;

/** One alternative a string must pass: its pattern and its allowed values (null: none given). */
interface StringTest {
  pattern: RegExp | null;
  /** The pattern as the schema spells it. */
  source: string | null;
  values: Set<unknown> | null;
}

class ScanNode {
  type = T_UNSUPPORTED;
  use = CHECK;
  // object
  names: string[] = [];
  children: ScanNode[] = [];
  required: boolean[] = [];
  skeleton: Record<string, unknown> | null = null;
  /** Sets every field of the skeleton to undefined. */
  clear: (o: Record<string, unknown>) => void = () => {};
  /** Sets the field of key index `k` (a kept one) of the skeleton. */
  set: (o: Record<string, unknown>, k: number, v: unknown) => void = () => {};
  // array
  items: ScanNode | null = null;
  // string: any alternative passes (none: any string)
  tests: StringTest[] = [];
  // integer, number
  minimum = -Infinity;
  maximum = Infinity;
  exclusiveMinimum = -Infinity;
  exclusiveMaximum = Infinity;
  // as the walk and the tape know it
  index = 0;
  /** The object this node is a field of (null: the line, or an array's items), and its key. */
  parent: ScanNode | null = null;
  key = 0;
  name = '';
  /** The tests are run here (a pattern the walk does not know); the last string that passed. */
  jsTest = false;
  passed: string | null = null;
}

export class RecordLineScanner {
  private readonly root: ScanNode;
  private readonly nodes: ScanNode[] = [];
  private readonly native: NativeLineScanner;
  private readonly tape = new Float64Array(TAPE_ENTRIES);
  /** The strings the walk's table holds, by entry. */
  private readonly strings: string[] = [];
  /** Arrays and objects being built (a kept array of objects), and their nodes. */
  private readonly open: unknown[] = [];
  private readonly openNodes: ScanNode[] = [];

  /**
   * `schema`: the record schema's field types as JSON Schema (recordLineJsonSchema()). Throws when
   * the addon cannot be loaded (SensorError ENOADDON): there is no scanner then.
   */
  constructor(schema: JsonSchemaNode, keep: readonly string[] = LINE_FACT_FIELDS) {
    const addon = loadAddon();
    // an addon built before the scanner moved into it (a stale build): no scanner, as without one
    if (typeof addon.LineScanner !== 'function') throw new SensorError('ENOADDON', 'the eBPF addon has no line scanner (built from older sources): run npm run build');
    this.root = compileNode(schema);
    if (this.root.type !== T_OBJECT) throw new Error('record-line-scanner: the schema of a line is not an object');
    for (const path of keep) markKept(this.root, path);
    makeSkeletons(this.root);
    number(this.root, null, 0, this.nodes);
    this.native = new addon.LineScanner(this.nodes.map(nativeNode), this.tape);
  }

  /**
   * The line in `b[from, to)` (no newline), reduced to LINE_FACT_FIELDS, when it is JSON that
   * passes the schema's field-type check and the scanner understood all of it; else null (read it
   * with JSON.parse and the check: they give the outcome, bad or good). Valid until the next call.
   */
  scan(b: Buffer, from: number, to: number): RecordLine | null {
    const length = this.native.scan(b, from, to);
    if (length < 0) return null;
    const t = this.tape;
    const nodes = this.nodes;
    const strings = this.strings;
    const open = this.open;
    const openNodes = this.openNodes;
    const root = this.root;
    root.clear(root.skeleton as Record<string, unknown>);
    let depth = 0;
    for (let i = 0; i < length; ) {
      const op = t[i] as number;
      let node = nodes[t[i + 1] as number] as ScanNode;
      let v: unknown;
      switch (op) {
        case OP_SKELETON: {
          const o = node.skeleton as Record<string, unknown>;
          node.clear(o);
          v = o;
          i += 2;
          break;
        }
        case OP_NUMBER:
          v = t[i + 2];
          i += 3;
          break;
        case OP_BOOL:
          v = t[i + 2] === 1;
          i += 3;
          break;
        case OP_STRING:
          v = strings[t[i + 2] as number];
          i += 3;
          break;
        case OP_NEW_STRING:
          v = decode(b, t[i + 3] as number, t[i + 4] as number, t[i + 5] as number);
          strings[t[i + 2] as number] = v as string;
          i += 6;
          break;
        case OP_RAW_STRING:
          v = decode(b, t[i + 2] as number, t[i + 3] as number, t[i + 4] as number);
          i += 5;
          break;
        case OP_ARRAY:
        case OP_OBJECT:
          open[depth] = op === OP_ARRAY ? [] : {};
          openNodes[depth] = node;
          depth++;
          i += 2;
          continue;
        case OP_END:
          depth--;
          v = open[depth];
          node = openNodes[depth] as ScanNode;
          open[depth] = undefined;
          i += 1;
          break;
        default:
          throw new Error(`record-line-scanner: tape operation ${op} at ${i}`);
      }
      if (node.jsTest && v !== node.passed) {
        if (!passes(node.tests, v as string)) {
          this.keepNewStrings(b, i, length);
          open.fill(undefined, 0, depth);
          return null;
        }
        node.passed = v as string;
      }
      if (node.use === CHECK) continue;
      if (depth > 0) {
        const into = open[depth - 1];
        if (Array.isArray(into)) into.push(v);
        else (into as Record<string, unknown>)[node.name] = v;
      } else {
        const p = node.parent as ScanNode;
        p.set(p.skeleton as Record<string, unknown>, node.key, v);
      }
    }
    return root.skeleton as RecordLine;
  }

  /** Strings in the walk's table (it is emptied at the start of a line once half full). */
  tableSize(): number {
    return this.native.tableSize();
  }

  /** The strings the walk added to its table after `i` (a line given up here): kept all the same. */
  private keepNewStrings(b: Buffer, i: number, length: number): void {
    const t = this.tape;
    while (i < length) {
      const op = t[i] as number;
      if (op === OP_NEW_STRING) this.strings[t[i + 2] as number] = decode(b, t[i + 3] as number, t[i + 4] as number, t[i + 5] as number);
      i += op === OP_SKELETON || op === OP_ARRAY || op === OP_OBJECT ? 2 : op === OP_END ? 1 : op === OP_NEW_STRING ? 6 : op === OP_RAW_STRING ? 5 : 3;
    }
  }
}

/** A scanner built from `schema`, or null when the addon cannot be loaded here (lines then take the usual path). */
export function lineScannerOrNull(schema: JsonSchemaNode): RecordLineScanner | null {
  try {
    return new RecordLineScanner(schema);
  } catch (err) {
    if (err instanceof SensorError) return null;
    throw err;
  }
}

/** Buffer's own decoders (what `toString` calls, without its argument checks). */
interface NodeBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** What the one-character escapes stand for, by the character after the backslash. */
const ESCAPED: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

/** The text of a string's content `b[from, to)`, which the walk found to be a valid JSON string. */
function decode(b: Buffer, from: number, to: number, flags: number): string {
  if ((flags & ESCAPED_FLAG) === 0) return (flags & WIDE_FLAG) !== 0 ? (b as NodeBuffer).utf8Slice(from, to) : (b as NodeBuffer).latin1Slice(from, to);
  let out = '';
  let run = from;
  let i = from;
  while (i < to) {
    if (b[i] !== 0x5c) {
      i++;
      continue;
    }
    if (run < i) out += b.toString('utf8', run, i);
    const e = b[i + 1];
    if (e === 0x75) {
      out += String.fromCharCode(parseInt(b.toString('latin1', i + 2, i + 6), 16));
      i += 6;
    } else {
      out += ESCAPED[e as number] as string;
      i += 2;
    }
    run = i;
  }
  if (run < to) out += b.toString('utf8', run, to);
  return out;
}

function passes(tests: StringTest[], s: string): boolean {
  if (tests.length === 0) return true;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i] as StringTest;
    if ((t.pattern === null || t.pattern.test(s)) && (t.values === null || t.values.has(s))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------- compiling the schema

function compileNode(s: JsonSchemaNode): ScanNode {
  const n = new ScanNode();
  for (const k of Object.keys(s)) if (!isUnderstoodKeyword(k)) return n; // unsupported: always "not understood" (the keywords the compiled check knows)
  if (s.format !== undefined && s.pattern === undefined) return n;
  if (s.anyOf !== undefined) {
    // alternatives of strings only (ip: ipv4 | ipv6), nothing tested beside them
    if ((s.type !== undefined && s.type !== 'string') || !appliesAll(s, ['anyOf', 'type'])) return n;
    const tests: StringTest[] = [];
    let anyString = false;
    for (const alt of s.anyOf) {
      if (alt.anyOf !== undefined) return n;
      const a = compileNode(alt);
      if (a.type !== T_STRING) return n;
      if (a.tests.length === 0) anyString = true;
      tests.push(...a.tests);
    }
    n.type = T_STRING;
    n.tests = anyString ? [] : tests;
    return n;
  }
  switch (s.type) {
    case 'object': {
      const props = s.properties ?? {};
      const names = Object.keys(props);
      if (!appliesAll(s, ['type', 'properties', 'required'])) return n;
      for (const r of s.required ?? []) if (!names.includes(r)) return n;
      // keys the walk compares on their bytes: printable ASCII that JSON writes as it is
      if (!names.every(isPlainText)) return n;
      n.type = T_OBJECT;
      n.names = names;
      n.children = names.map((k) => compileNode(props[k] as JsonSchemaNode));
      n.required = names.map((k) => (s.required ?? []).includes(k));
      return n;
    }
    case 'array':
      if (s.items === undefined || !appliesAll(s, ['type', 'items'])) return n;
      n.type = T_ARRAY;
      n.items = compileNode(s.items);
      return n;
    case 'string':
      if (!appliesAll(s, ['type', 'pattern', 'enum'])) return n;
      n.type = T_STRING;
      if (s.pattern !== undefined || s.enum !== undefined) {
        n.tests = [{ pattern: s.pattern !== undefined ? new RegExp(s.pattern) : null, source: s.pattern ?? null, values: s.enum !== undefined ? new Set(s.enum) : null }];
      }
      return n;
    case 'integer':
    case 'number':
      if (!appliesAll(s, ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])) return n;
      n.type = s.type === 'integer' ? T_INTEGER : T_NUMBER;
      if (s.minimum !== undefined) n.minimum = s.minimum;
      if (s.maximum !== undefined) n.maximum = s.maximum;
      if (s.exclusiveMinimum !== undefined) n.exclusiveMinimum = s.exclusiveMinimum;
      if (s.exclusiveMaximum !== undefined) n.exclusiveMaximum = s.exclusiveMaximum;
      return n;
    case 'boolean':
      if (!appliesAll(s, ['type'])) return n;
      n.type = T_BOOLEAN;
      return n;
    default:
      return n;
  }
}

/**
 * Whether every keyword of `s` that the compiled check tests is one `applied` lists (the node's
 * branch tests it): anything else makes the node unsupported, never silently unchecked.
 */
function appliesAll(s: JsonSchemaNode, applied: readonly string[]): boolean {
  for (const k of Object.keys(s)) if (isHandledKeyword(k) && !applied.includes(k)) return false;
  return true;
}

/** Printable ASCII without a quote or a backslash: JSON writes it as it is, so its bytes are its text. */
function isPlainText(v: unknown): boolean {
  return typeof v === 'string' && /^[\x20-\x7e]*$/.test(v) && !v.includes('"') && !v.includes('\\');
}

/** Marks the field at `path` (dot-separated) as built, and the objects on the way as skeletons. */
function markKept(root: ScanNode, path: string): void {
  const parts = path === '@timestamp' ? [path] : path.split('.');
  root.use = SKELETON;
  let n = root;
  for (let i = 0; i < parts.length; i++) {
    if (n.type === T_UNSUPPORTED) return; // never understood: its lines go the usual way
    const k = n.names.indexOf(parts[i] as string);
    if (n.type !== T_OBJECT || k < 0) throw new Error(`record-line-scanner: no field ${path} in the schema`);
    const child = n.children[k] as ScanNode;
    if (i === parts.length - 1) markBuilt(child);
    else if (child.use !== BUILD) child.use = SKELETON;
    n = child;
  }
}

function markBuilt(n: ScanNode): void {
  n.use = BUILD;
  for (const c of n.children) markBuilt(c);
  if (n.items !== null) markBuilt(n.items);
}

/**
 * Gives every skeleton node its reused object and the functions that clear and set its fields
 * (generated, so that each is a store to a known field of one object shape).
 */
function makeSkeletons(n: ScanNode): void {
  if (n.use === SKELETON) {
    const kept: number[] = [];
    n.children.forEach((c, i) => {
      if (c.use !== CHECK) kept.push(i);
    });
    const fields = kept.map((i) => `o[${JSON.stringify(n.names[i])}]`);
    const clear = fields.map((f) => `${f} = undefined;`).join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.skeleton = new Function(`const o = {};\n${clear}\nreturn o;`)() as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.clear = new Function('o', clear) as ScanNode['clear'];
    const cases = kept.map((i, j) => `case ${i}: ${fields[j] as string} = v; break;`).join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.set = new Function('o', 'k', 'v', `switch (k) {\n${cases}\n}`) as ScanNode['set'];
  }
  for (const c of n.children) makeSkeletons(c);
  if (n.items !== null) makeSkeletons(n.items);
}

/** Numbers the nodes in walk order (the line is 0) and decides which string tests the walk does. */
function number(n: ScanNode, parent: ScanNode | null, key: number, out: ScanNode[]): void {
  n.index = out.length;
  out.push(n);
  n.parent = parent;
  n.key = key;
  n.name = parent !== null ? (parent.names[key] as string) : '';
  if (n.type === T_STRING && n.tests.length > 0 && walkTest(n) === null) n.jsTest = true;
  n.children.forEach((c, i) => number(c, n, i, out));
  if (n.items !== null) number(n.items, null, 0, out);
}

/** The test of a string node the walk does itself, null when it is left to `passes` here. */
function walkTest(n: ScanNode): { dateTime: boolean; digits: [number, number] | null; values: string[] | null } | null {
  if (n.tests.length !== 1) return null;
  const t = n.tests[0] as StringTest;
  if (t.source !== null && t.values === null) {
    if (t.source === ISO_DATE_TIME_PATTERN) return { dateTime: true, digits: null, values: null };
    const d = DIGITS_PATTERN.exec(t.source);
    if (d !== null && Number(d[2]) > 0 && Number(d[1]) <= Number(d[2])) return { dateTime: false, digits: [Number(d[1]), Number(d[2])], values: null };
    return null;
  }
  if (t.source === null && t.values !== null) {
    const values = [...t.values];
    // plain printable ASCII that no JSON writer escapes: compared on their bytes
    if (values.every(isPlainText)) return { dateTime: false, digits: null, values: values as string[] };
  }
  return null;
}

/** A node as the addon takes it. */
function nativeNode(n: ScanNode): NativeScanNode {
  const test = n.type === T_STRING && !n.jsTest && n.tests.length > 0 ? walkTest(n) : null;
  return {
    type: n.type,
    use: n.use,
    keys: n.names,
    children: n.children.map((c) => c.index),
    required: n.required.map((r) => (r ? 1 : 0)),
    items: n.items !== null ? n.items.index : -1,
    dateTime: test?.dateTime ?? false,
    digitsMin: test?.digits?.[0] ?? 0,
    digitsMax: test?.digits?.[1] ?? 0,
    enumValues: test?.values ?? [],
    jsTest: n.jsTest,
    minimum: n.minimum,
    maximum: n.maximum,
    exclusiveMinimum: n.exclusiveMinimum,
    exclusiveMaximum: n.exclusiveMaximum,
  };
}
