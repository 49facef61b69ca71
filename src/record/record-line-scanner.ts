/**
 * A validating scanner for recording lines, working on their bytes: what a parse worker runs
 * instead of `JSON.parse` and the compiled schema check for a line it fully understands.
 *
 * It walks the line once, checking that the whole line is JSON text that `JSON.parse` would accept
 * (strings with their escapes, numbers, literals, whitespace) and that every value has the type,
 * range, pattern or enum the record schema gives its field (the same JSON Schema the compiled check
 * is built from: json-schema-check.ts). Of the values, it builds only those that reading a valid
 * line looks at (LINE_FACT_FIELDS in line-to-event.ts), into one reused skeleton line that has
 * nothing else; the rest is checked and skipped, so a line costs no object and few strings.
 *
 * It answers null ("not understood: read this line the usual way") for anything it does not fully
 * understand or that the schema check would reject: a key it does not know (the schema ignores
 * unknown fields; the scanner leaves them to `JSON.parse`), a key given twice, a key with an
 * escape, a string that is not valid UTF-8, a value of the wrong type or out of range, a schema
 * construct it does not support. So a line it accepts reads exactly as `JSON.parse` + the compiled
 * check would read it, and any other line goes that way itself. Keys may come in any order.
 *
 * Like the compiled check, the scanner is generated code: one function per object and array of the
 * schema, with each key matched byte by byte and each value checked and stored in place (a store
 * to a known field of one object shape). Objects recur line after line (the host, a session's
 * leaders, a parent, the stdio devices): an object node remembers the bytes of the last few objects
 * it accepted, with the values built from them, and takes the same bytes again without a second
 * look; a node whose objects do not recur (each line's own process) stops trying for a while.
 *
 * The skeleton is reused: it is valid until the next scan. Arrays (argument vectors, skipped byte
 * ranges) are built afresh for each line, or shared with the line whose bytes a memo repeats.
 */

import type { JsonSchemaNode } from './json-schema-check.js';
import { LINE_FACT_FIELDS } from './line-to-event.js';
import type { RecordLine } from './schema.js';

// ---------------------------------------------------------------------- the compiled schema

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

/** Keywords the scanner understands, and those that do not change what is valid (as the compiled check). */
const KNOWN_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'items',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'additionalProperties',
  '$schema',
  'description',
  'title',
]);

/** One alternative a string must pass: its pattern and its allowed values (null: none given). */
interface StringTest {
  pattern: RegExp | null;
  values: Set<unknown> | null;
}

class ScanNode {
  type = T_UNSUPPORTED;
  use = CHECK;
  id = 0;
  // object
  names: string[] = [];
  children: ScanNode[] = [];
  required: boolean[] = [];
  // array
  items: ScanNode | null = null;
  // string: any alternative passes (none: any string)
  tests: StringTest[] = [];
  // integer, number
  minimum = -Infinity;
  maximum = Infinity;
  exclusiveMinimum = -Infinity;
  exclusiveMaximum = Infinity;
}

function compileNode(s: JsonSchemaNode): ScanNode {
  const n = new ScanNode();
  for (const k of Object.keys(s)) if (!KNOWN_KEYWORDS.has(k)) return n; // unsupported: never understood
  if (s.format !== undefined && s.pattern === undefined) return n;
  if (s.anyOf !== undefined) {
    // alternatives of strings only (ip: ipv4 | ipv6)
    if (s.type !== undefined && s.type !== 'string') return n;
    if (s.pattern !== undefined || s.enum !== undefined) return n;
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
      const required = s.required ?? [];
      if (required.some((r) => !names.includes(r))) return n;
      // a key matched byte by byte: printable ASCII without quote or backslash
      if (names.some((k) => !/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(k))) return n;
      n.type = T_OBJECT;
      n.names = names;
      n.children = names.map((k) => compileNode(props[k] as JsonSchemaNode));
      n.required = names.map((k) => required.includes(k));
      return n;
    }
    case 'array':
      if (s.items === undefined) return n;
      n.type = T_ARRAY;
      n.items = compileNode(s.items);
      return n;
    case 'string':
      n.type = T_STRING;
      if (s.pattern !== undefined || s.enum !== undefined) {
        n.tests = [{ pattern: s.pattern !== undefined ? new RegExp(s.pattern) : null, values: s.enum !== undefined ? new Set(s.enum) : null }];
      }
      return n;
    case 'integer':
    case 'number':
      if (s.enum !== undefined) return n;
      n.type = s.type === 'integer' ? T_INTEGER : T_NUMBER;
      if (s.minimum !== undefined) n.minimum = s.minimum;
      if (s.maximum !== undefined) n.maximum = s.maximum;
      if (s.exclusiveMinimum !== undefined) n.exclusiveMinimum = s.exclusiveMinimum;
      if (s.exclusiveMaximum !== undefined) n.exclusiveMaximum = s.exclusiveMaximum;
      return n;
    case 'boolean':
      if (s.enum !== undefined) return n;
      n.type = T_BOOLEAN;
      return n;
    default:
      return n;
  }
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

// ---------------------------------------------------------------------- helpers of the generated code

/** What a helper hands back besides a position. */
interface ScanState {
  num: number;
  str: string;
  /** The array or built object a generated function just finished. */
  out: unknown;
  /** The string just skipped had an escape / a byte over 0x7f. */
  escaped: boolean;
  wide: boolean;
}

/**
 * A string node remembers the last CACHE_ENTRIES strings it accepted (up to CACHE_BYTES long) by
 * their bytes, with their text: a repeat is neither decoded nor tested again. A node whose strings
 * do not repeat (times, arguments) stops remembering for a while.
 */
const CACHE_ENTRIES = 4;
const CACHE_BYTES = 128;

/** A string node's tests, and the strings it accepted last. */
interface StringCache {
  tests: StringTest[];
  /** Entry i's bytes at i × CACHE_BYTES. */
  bytes: Uint8Array;
  length: Int32Array;
  value: string[];
  next: number;
  last: number;
  tries: number;
  hits: number;
  paused: number;
}

function newCache(tests: StringTest[]): StringCache {
  return {
    tests,
    bytes: new Uint8Array(CACHE_ENTRIES * CACHE_BYTES),
    length: new Int32Array(CACHE_ENTRIES).fill(-1),
    value: new Array<string>(CACHE_ENTRIES).fill(''),
    next: 0,
    last: 0,
    tries: 0,
    hits: 0,
    paused: 0,
  };
}

/** How many objects a node remembers, how long each may be, and when a node gives up trying. */
const MEMO_ENTRIES = 8;
const MEMO_BYTES = 1024;
const MEMO_ROUND = 1024;
const MEMO_PAUSE = 16384;
/** Objects up to this length are compared byte by byte here (a native compare costs more). */
const SHORT_OBJECT = 48;
/** Objects shorter than this cost less to scan again than to look up: a node of such objects stops trying. */
const MEMO_MIN_BYTES = 40;

/** The objects an object node accepted last: their bytes, and the values built from them. */
interface ObjectMemo {
  bytes: Uint8Array[];
  length: Int32Array;
  kept: unknown[];
  /** The entry to replace next. */
  next: number;
  /** The entry that matched (or was stored) last: tried first. */
  last: number;
  tries: number;
  hits: number;
  /** Objects still to scan without trying the memo. */
  paused: number;
}

function newMemo(): ObjectMemo {
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < MEMO_ENTRIES; i++) bytes.push(new Uint8Array(MEMO_BYTES));
  return { bytes, length: new Int32Array(MEMO_ENTRIES), kept: new Array<unknown>(MEMO_ENTRIES).fill(undefined), next: 0, last: 0, tries: 0, hits: 0, paused: 0 };
}

/** Buffer's own decoders (what `toString` calls, without its argument checks). */
interface NodeBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** What the one-character escapes stand for, by the character after the backslash. */
const ESCAPED: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

function makeHelpers(st: ScanState) {
  function ws(b: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      const c = b[pos] as number;
      if (c > 0x20 || (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) break;
      pos++;
    }
    return pos;
  }

  /** After a key's closing quote: past the whitespace, the colon and the whitespace; −1 without a colon. */
  function colon(b: Uint8Array, pos: number, end: number): number {
    if (pos < end && b[pos] === 0x3a) pos++;
    else {
      pos = ws(b, pos, end);
      if (pos >= end || b[pos] !== 0x3a) return -1;
      pos++;
    }
    return pos < end && (b[pos] as number) > 0x20 ? pos : ws(b, pos, end);
  }

  /**
   * Past a string's content (`pos`: after its opening quote) to after its closing quote, or −1 when
   * it is not a JSON string (a control character, a bad escape, no end) or not valid UTF-8.
   */
  function skipString(b: Uint8Array, pos: number, end: number): number {
    st.escaped = false;
    st.wide = false;
    while (pos < end) {
      const c = b[pos] as number;
      if (c === 0x22) return pos + 1;
      if (c >= 0x20 && c < 0x80 && c !== 0x5c) {
        pos++;
        continue;
      }
      if (c === 0x5c) {
        if (pos + 1 >= end) return -1;
        const e = b[pos + 1];
        if (e === 0x75) {
          if (pos + 6 > end || hex4(b, pos + 2) < 0) return -1;
          pos += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          pos += 2;
        } else return -1;
        st.escaped = true;
        continue;
      }
      if (c < 0x20) return -1;
      const n = utf8Sequence(b, pos, end);
      if (n < 0) return -1;
      st.wide = true;
      pos += n;
    }
    return -1;
  }

  /** A string value after its opening quote, passing the node's tests: its end, the text in `st.str`; −1 otherwise. */
  function stringValue(b: Buffer, pos: number, end: number, c: StringCache): number {
    const stop = skipString(b, pos, end);
    if (stop < 0) return -1;
    const length = stop - 1 - pos;
    const remembering = c.paused === 0;
    if (remembering) {
      if (++c.tries === MEMO_ROUND) {
        if (c.hits < MEMO_ROUND / 8) c.paused = MEMO_PAUSE;
        c.tries = 0;
        c.hits = 0;
      }
      const bytes = c.bytes;
      let e = c.last;
      for (let tried = 0; tried < CACHE_ENTRIES; tried++) {
        if (tried > 0) e = e + 1 === CACHE_ENTRIES ? 0 : e + 1;
        if (c.length[e] !== length) continue;
        const at = e * CACHE_BYTES;
        let j = 0;
        while (j < length && bytes[at + j] === b[pos + j]) j++;
        if (j < length) continue;
        c.hits++;
        c.last = e;
        st.str = c.value[e] as string;
        return stop;
      }
    } else c.paused--;
    const s = decode(b, pos, stop - 1);
    if (!passes(c.tests, s)) return -1;
    if (remembering && length <= CACHE_BYTES) {
      const e = c.next;
      c.next = e + 1 === CACHE_ENTRIES ? 0 : e + 1;
      const bytes = c.bytes;
      const at = e * CACHE_BYTES;
      for (let j = 0; j < length; j++) bytes[at + j] = b[pos + j] as number;
      c.length[e] = length;
      c.value[e] = s;
      c.last = e;
    }
    st.str = s;
    return stop;
  }

  /** The text of a string's content `b[from, to)` just skipped (skipString set the flags). */
  function decode(b: Buffer, from: number, to: number): string {
    if (!st.escaped) return st.wide ? (b as NodeBuffer).utf8Slice(from, to) : (b as NodeBuffer).latin1Slice(from, to);
    let out = '';
    let run = from;
    let i = from;
    while (i < to) {
      if (b[i] !== 0x5c) {
        i++;
        continue;
      }
      if (run < i) out += b.toString('utf8', run, i);
      const e = b[i + 1] as number;
      if (e === 0x75) {
        out += String.fromCharCode(hex4(b, i + 2));
        i += 6;
      } else {
        out += ESCAPED[e] as string;
        i += 2;
      }
      run = i;
    }
    if (run < to) out += b.toString('utf8', run, to);
    return out;
  }

  /** A JSON number at `pos`: the position after it (its value in `st.num`), or −1. */
  function number(b: Buffer, pos: number, end: number): number {
    const start = pos;
    let negative = false;
    if (pos < end && b[pos] === 0x2d) {
      negative = true;
      pos++;
    }
    if (pos >= end) return -1;
    let c = b[pos] as number;
    let v = 0;
    let digits = 0;
    if (c === 0x30) {
      pos++;
      digits = 1;
    } else if (c >= 0x31 && c <= 0x39) {
      while (pos < end && (c = b[pos] as number) >= 0x30 && c <= 0x39) {
        v = v * 10 + (c - 0x30);
        digits++;
        pos++;
      }
    } else return -1;
    let exact = digits <= 15;
    if (pos < end && b[pos] === 0x2e) {
      pos++;
      const first = pos;
      while (pos < end && (c = b[pos] as number) >= 0x30 && c <= 0x39) pos++;
      if (pos === first) return -1;
      exact = false;
    }
    if (pos < end && (b[pos] === 0x65 || b[pos] === 0x45)) {
      pos++;
      if (pos < end && (b[pos] === 0x2b || b[pos] === 0x2d)) pos++;
      const first = pos;
      while (pos < end && (c = b[pos] as number) >= 0x30 && c <= 0x39) pos++;
      if (pos === first) return -1;
      exact = false;
    }
    // up to 15 digits the sum is exact; beyond, or with a fraction or an exponent, the correctly
    // rounded conversion JSON.parse makes too
    st.num = exact ? (negative ? -v : v) : Number(b.toString('latin1', start, pos));
    return pos;
  }

  /** The end of a remembered object that the bytes at `open` repeat (its entry in `memo.last`), or −1. */
  function recall(b: Buffer, memo: ObjectMemo, open: number, end: number): number {
    if (++memo.tries === MEMO_ROUND) {
      if (memo.hits < MEMO_ROUND / 8) memo.paused = MEMO_PAUSE;
      memo.tries = 0;
      memo.hits = 0;
    }
    let i = memo.last;
    for (let tried = 0; tried < MEMO_ENTRIES; tried++) {
      if (tried > 0) i = i + 1 === MEMO_ENTRIES ? 0 : i + 1;
      const length = memo.length[i] as number;
      if (length === 0 || open + length > end || b[open + length - 1] !== 0x7d) continue;
      const bytes = memo.bytes[i] as Uint8Array;
      if (length <= SHORT_OBJECT) {
        let k = 1;
        while (k < length && bytes[k] === b[open + k]) k++;
        if (k < length) continue;
      } else {
        // a few bytes spread over it first (a native compare costs more than most misses)
        let k = 1;
        while (k < 8 && bytes[(length * k) >> 3] === b[open + ((length * k) >> 3)]) k++;
        if (k < 8 || b.compare(bytes, 0, length, open, open + length) !== 0) continue;
      }
      memo.hits++;
      memo.last = i;
      return open + length;
    }
    return -1;
  }

  /** Keeps the object just accepted, `b[open, stop)`, with the values built from it. */
  function remember(b: Buffer, memo: ObjectMemo, open: number, stop: number, kept: unknown): void {
    const length = stop - open;
    if (length < MEMO_MIN_BYTES) {
      memo.paused = MEMO_PAUSE;
      return;
    }
    if (length > MEMO_BYTES) return;
    const i = memo.next;
    memo.next = i + 1 === MEMO_ENTRIES ? 0 : i + 1;
    const bytes = memo.bytes[i] as Uint8Array;
    if (length <= SHORT_OBJECT) for (let k = 0; k < length; k++) bytes[k] = b[open + k] as number;
    else bytes.set(b.subarray(open, stop));
    memo.length[i] = length;
    memo.last = i;
    memo.kept[i] = kept;
  }

  return { ws, colon, skipString, stringValue, number, recall, remember };
}

function passes(tests: StringTest[], s: string): boolean {
  if (tests.length === 0) return true;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i] as StringTest;
    if ((t.pattern === null || t.pattern.test(s)) && (t.values === null || t.values.has(s))) return true;
  }
  return false;
}

/** The value of 4 hex digits at `at`, −1 when they are not. */
function hex4(b: Uint8Array, at: number): number {
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const c = b[at + i] as number;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Bytes of the well-formed UTF-8 sequence at `pos` (its first byte ≥ 0x80), −1 when it is not
 * one: the shortest form of a scalar value (no surrogates, nothing over U+10FFFF).
 */
function utf8Sequence(b: Uint8Array, pos: number, end: number): number {
  const c = b[pos] as number;
  if (c >= 0xc2 && c <= 0xdf) return inRange(b, pos + 1, end, 0x80, 0xbf) ? 2 : -1;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return inRange(b, pos + 1, end, lo, hi) && inRange(b, pos + 2, end, 0x80, 0xbf) ? 3 : -1;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return inRange(b, pos + 1, end, lo, hi) && inRange(b, pos + 2, end, 0x80, 0xbf) && inRange(b, pos + 3, end, 0x80, 0xbf) ? 4 : -1;
  }
  return -1;
}

function inRange(b: Uint8Array, i: number, end: number, lo: number, hi: number): boolean {
  if (i >= end) return false;
  const x = b[i] as number;
  return x >= lo && x <= hi;
}

// ---------------------------------------------------------------------- code generation

/** Whether an object node has a memo: every object but the line itself and those built afresh. */
function hasMemo(n: ScanNode, root: ScanNode): boolean {
  return n.type === T_OBJECT && n !== root && n.use !== BUILD;
}

/**
 * The scanner's source: one function per object (`o<id>`) and array (`a<id>`), each skeleton held
 * in `s<id>` with its snapshot (`n<id>`) and restore (`r<id>`) functions, the memos in `M<id>`, the
 * string caches in `C[i]`; the helpers come in `h`, the shared state in `st`.
 */
function generate(root: ScanNode, caches: StringCache[]): string {
  let nextId = 0;
  const number = (n: ScanNode): void => {
    n.id = nextId++;
    for (const c of n.children) number(c);
    if (n.items !== null) number(n.items);
  };
  number(root);
  const out: string[] = [];
  const kept = (n: ScanNode): number[] => n.children.flatMap((c, i) => (c.use !== CHECK ? [i] : []));
  const field = (name: string): string => `[${JSON.stringify(name)}]`;

  /** Statements that read a value of `n` at `p` (no whitespace before it) and hand it to `put(expr)`, or return −1. */
  const valueCode = (n: ScanNode, put: ((expr: string) => string) | null): string => {
    const keep = put !== null && n.use !== CHECK;
    const give = (expr: string): string => (keep && put !== null ? put(expr) : '');
    switch (n.type) {
      case T_INTEGER:
      case T_NUMBER: {
        const test = n.type === T_INTEGER ? '!Number.isInteger(v)' : '!Number.isFinite(v)';
        const range: string[] = [];
        if (n.minimum !== -Infinity) range.push(`v < ${n.minimum}`);
        if (n.maximum !== Infinity) range.push(`v > ${n.maximum}`);
        if (n.exclusiveMinimum !== -Infinity) range.push(`v <= ${n.exclusiveMinimum}`);
        if (n.exclusiveMaximum !== Infinity) range.push(`v >= ${n.exclusiveMaximum}`);
        return `p = h.number(b, p, end); if (p < 0) return -1;
{ const v = st.num; if (${[test, ...range].join(' || ')}) return -1; ${give('v')} }`;
      }
      case T_BOOLEAN:
        return `if (p + 4 <= end && b[p] === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) { p += 4; ${give('true')} }
else if (p + 5 <= end && b[p] === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) { p += 5; ${give('false')} }
else return -1;`;
      case T_STRING: {
        if (!keep && n.tests.length === 0) return `if (p >= end || b[p] !== 0x22) return -1; p = h.skipString(b, p + 1, end); if (p < 0) return -1;`;
        caches.push(newCache(n.tests));
        return `if (p >= end || b[p] !== 0x22) return -1; p = h.stringValue(b, p + 1, end, C[${caches.length - 1}]); if (p < 0) return -1; ${give('st.str')}`;
      }
      case T_OBJECT:
        objectCode(n);
        return `if (p >= end || b[p] !== 0x7b) return -1; p = o${n.id}(p + 1, end); if (p < 0) return -1; ${give(n.use === SKELETON ? `s${n.id}` : 'st.out')}`;
      case T_ARRAY:
        arrayCode(n);
        return `if (p >= end || b[p] !== 0x5b) return -1; p = a${n.id}(p + 1, end); if (p < 0) return -1; ${give('st.out')}`;
      default:
        return 'return -1;';
    }
  };

  const arrayCode = (n: ScanNode): void => {
    const keep = n.use !== CHECK;
    const items = n.items as ScanNode;
    const item = valueCode(items, keep ? (expr) => `out.push(${expr});` : null);
    out.push(`function a${n.id}(p, end) {
${keep ? 'const out = [];' : ''}
p = h.ws(b, p, end);
if (p < end && b[p] === 0x5d) { ${keep ? 'st.out = out;' : ''} return p + 1; }
for (;;) {
${item}
p = h.ws(b, p, end);
if (p < end && b[p] === 0x2c) { p = h.ws(b, p + 1, end); continue; }
if (p < end && b[p] === 0x5d) { ${keep ? 'st.out = out;' : ''} return p + 1; }
return -1;
}
}`);
  };

  const objectCode = (n: ScanNode): void => {
    const id = n.id;
    const skeleton = n.use === SKELETON;
    const build = n.use === BUILD;
    const memo = hasMemo(n, root);
    const target = skeleton ? `s${id}` : 'o';
    const keptIdx = kept(n);
    if (skeleton) {
      // the skeleton, and its snapshot and restore for the memo
      out.push(`const s${id} = {${keptIdx.map((i) => `${JSON.stringify(n.names[i])}: undefined`).join(', ')}};`);
      const snap = keptIdx.map((i) => {
        const c = n.children[i] as ScanNode;
        const v = `s${id}${field(n.names[i] as string)}`;
        return c.use === SKELETON ? `${v} === undefined ? undefined : n${c.id}()` : v;
      });
      out.push(`function n${id}() { return [${snap.join(', ')}]; }`);
      const rest = keptIdx.map((i, j) => {
        const c = n.children[i] as ScanNode;
        const v = `s${id}${field(n.names[i] as string)}`;
        return c.use === SKELETON ? `${v} = v[${j}] === undefined ? undefined : (r${c.id}(v[${j}]), s${c.id});` : `${v} = v[${j}];`;
      });
      out.push(`function r${id}(v) { ${rest.join(' ')} }`);
    }
    if (memo) out.push(`const M${id} = h.newMemo();`);
    // keys grouped by their first byte
    const groups = new Map<number, number[]>();
    n.names.forEach((name, i) => {
      const c = name.charCodeAt(0);
      groups.set(c, [...(groups.get(c) ?? []), i]);
    });
    const words = Math.ceil(n.names.length / 30);
    const seenVars = Array.from({ length: words }, (_, w) => `seen${w}`);
    const cases: string[] = [];
    for (const [first, idxs] of groups) {
      const tries = idxs.map((i) => {
        const name = n.names[i] as string;
        const bytes = [...Buffer.from(name, 'latin1')];
        const conds = [`p + ${bytes.length} < end`, `b[p + ${bytes.length}] === 0x22`, ...bytes.slice(1).map((x, j) => `b[p + ${j + 1}] === ${x}`)];
        const word = `seen${Math.floor(i / 30)}`;
        const bit = 1 << i % 30;
        const child = n.children[i] as ScanNode;
        const put = child.use !== CHECK && (skeleton || build) ? (expr: string) => `${target}${field(name)} = ${expr};` : null;
        return `if (${conds.join(' && ')}) {
if ((${word} & ${bit}) !== 0) return -1; ${word} |= ${bit};
p = h.colon(b, p + ${bytes.length + 1}, end); if (p < 0) return -1;
${valueCode(child, put)}
break;
}`;
      });
      cases.push(`case ${first}:\n${tries.join('\n')}\nreturn -1;`);
    }
    const requiredChecks: string[] = [];
    for (let w = 0; w < words; w++) {
      let mask = 0;
      n.required.forEach((r, i) => {
        if (r && Math.floor(i / 30) === w) mask |= 1 << i % 30;
      });
      if (mask !== 0) requiredChecks.push(`(seen${w} & ${mask}) !== ${mask}`);
    }
    const clear = skeleton ? keptIdx.map((i) => `s${id}${field(n.names[i] as string)} = undefined;`).join(' ') : '';
    out.push(`function o${id}(p, end) {
${memo ? `const open = p - 1;
if (M${id}.paused > 0) M${id}.paused--;
else { const q = h.recall(b, M${id}, open, end); if (q >= 0) { ${skeleton ? `r${id}(M${id}.kept[M${id}.last]);` : ''} return q; } }` : ''}
${clear}
${build ? 'const o = {};' : ''}
${seenVars.map((v) => `let ${v} = 0;`).join(' ')}
p = h.ws(b, p, end);
if (p < end && b[p] === 0x7d) p++;
else for (;;) {
if (p >= end || b[p] !== 0x22) return -1;
p++;
switch (b[p]) {
${cases.join('\n')}
default: return -1;
}
p = h.ws(b, p, end);
if (p < end && b[p] === 0x2c) { p = h.ws(b, p + 1, end); continue; }
if (p < end && b[p] === 0x7d) { p++; break; }
return -1;
}
${requiredChecks.length > 0 ? `if (${requiredChecks.join(' || ')}) return -1;` : ''}
${memo ? `if (M${id}.paused === 0) h.remember(b, M${id}, open, p, ${skeleton ? `n${id}()` : 'undefined'});` : ''}
${build ? 'st.out = o;' : ''}
return p;
}`);
  };

  objectCode(root);
  return `let b = null;
${out.join('\n')}
return function scan(buf, from, to) {
b = buf;
let p = h.ws(b, from, to);
if (p >= to || b[p] !== 0x7b) return null;
p = o${root.id}(p + 1, to);
if (p < 0) return null;
return h.ws(b, p, to) === to ? s${root.id} : null;
};`;
}

// ---------------------------------------------------------------------- the scanner

export class RecordLineScanner {
  private readonly run: (b: Buffer, from: number, to: number) => RecordLine | null;

  /**
   * `schema`: the record schema's field types as JSON Schema (recordLineJsonSchema()); `keep`: the
   * fields to build (the rest is only checked).
   */
  constructor(schema: JsonSchemaNode, keep: readonly string[] = LINE_FACT_FIELDS) {
    const root = compileNode(schema);
    if (root.type !== T_OBJECT) throw new Error('record-line-scanner: the schema of a line is not an object');
    for (const path of keep) markKept(root, path);
    const caches: StringCache[] = [];
    const source = generate(root, caches);
    const st: ScanState = { num: 0, str: '', out: undefined, escaped: false, wide: false };
    const h = { ...makeHelpers(st), newMemo };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    this.run = new Function('h', 'st', 'C', source)(h, st, caches) as (b: Buffer, from: number, to: number) => RecordLine | null;
  }

  /**
   * The line in `b[from, to)` (no newline), reduced to LINE_FACT_FIELDS, when it is JSON that
   * passes the schema's field-type check and the scanner understood all of it; else null (read it
   * with JSON.parse and the check: they give the outcome, bad or good). Valid until the next call.
   */
  scan(b: Buffer, from: number, to: number): RecordLine | null {
    return this.run(b, from, to);
  }
}
