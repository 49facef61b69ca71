/**
 * A validating scanner for recording lines, working on their bytes: what a parse worker runs
 * instead of `JSON.parse` and the compiled schema check for a line it fully understands.
 *
 * It walks the line once, checking that the whole line is JSON text that `JSON.parse` would accept
 * (strings with their escapes, numbers, literals, whitespace) and that every value has the type,
 * range, pattern or enum the record schema gives its field (the same JSON Schema the compiled check
 * is built from: json-schema-check.ts). Of the values, it builds only those that reading a valid
 * line looks at (LINE_FACT_FIELDS in line-to-event.ts) into one reused skeleton line that has
 * nothing else; everything else is checked and skipped, so a line costs no object and few strings.
 *
 * It answers null ("not understood: read this line the usual way") for anything it does not
 * fully understand or that the schema check would reject: a key it does not know (the schema
 * ignores unknown fields; the scanner leaves them to `JSON.parse`), a key given twice, a key with
 * an escape, a string that is not valid UTF-8, a value of the wrong type or out of range, a schema
 * construct it does not support. So a line it accepts reads exactly as `JSON.parse` + the compiled
 * check would read it, and any other line goes that way itself. Keys may come in any order (each
 * object node learns which key follows which, so the writer's own order is the cheap case).
 *
 * Most of a line repeats earlier lines: the host, a session's leaders, a parent, the stdio devices,
 * names and paths. An object node remembers the bytes of the last objects it accepted with the
 * values built from them, and a string node its last strings with their text; the same bytes again
 * are compared, not checked again (a node whose values do not repeat stops trying for a while).
 *
 * It walks the schema's nodes as data (one small set of functions): code generated per object
 * (as the compiled check is) ran no faster here and took seconds of compiling in every new worker.
 *
 * The skeleton is reused: it is valid until the next scan. Arrays (argument vectors, skipped byte
 * ranges) are built afresh for each line, or shared with the line whose bytes a memo repeats.
 */

import { ISO_DATE_TIME_PATTERN, isIsoDateTimeBytes } from './ecs-time.js';
import { isUnderstoodKeyword, type JsonSchemaNode } from './json-schema-check.js';
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

/**
 * A string node remembers the last CACHE_ENTRIES strings it accepted (up to CACHE_BYTES long) by
 * their bytes, with their text: a repeat is neither decoded nor tested again. A node whose strings
 * do not repeat (times, arguments) stops remembering for a while (as an object node's memo).
 */
const CACHE_ENTRIES = 4;
const CACHE_BYTES = 128;

/**
 * Objects recur line after line (the host, a session's leaders, a parent, the stdio devices): each
 * object node remembers the text of the last MEMO_ENTRIES objects it checked (up to MEMO_BYTES
 * each) with the values built from them, and takes the same bytes again without a second look.
 * A node whose objects do not recur (every line's own process) stops trying for a while.
 */
const MEMO_ENTRIES = 8;
const MEMO_BYTES = 1024;
const MEMO_ROUND = 1024;
const MEMO_PAUSE = 16384;
/** Shorter objects are compared byte by byte here (a native compare costs more). */
const SHORT_OBJECT = 48;
/** Objects shorter than this cost less to scan again than to look up: a node of such objects stops trying. */
const MEMO_MIN_BYTES = 40;

/** One alternative a string must pass: its pattern and its allowed values (null: none given). */
interface StringTest {
  pattern: RegExp | null;
  values: Set<unknown> | null;
}

/** The objects an object node checked last: their bytes, and the values built from them. */
class ObjectMemo {
  readonly bytes: Buffer[] = [];
  readonly length = new Int32Array(MEMO_ENTRIES);
  readonly kept: unknown[][] = [];
  /** The entry to replace next. */
  next = 0;
  /** The entry that matched (or was stored) last: tried first. */
  last = 0;
  tries = 0;
  hits = 0;
  /** Objects still to scan without trying the memo. */
  paused = 0;

  constructor() {
    for (let i = 0; i < MEMO_ENTRIES; i++) {
      this.bytes.push(Buffer.alloc(MEMO_BYTES));
      this.kept.push([]);
    }
  }
}

/** The strings a string node accepted last: entry i's bytes at i × CACHE_BYTES, its length and text. */
class StringCache {
  readonly bytes = new Uint8Array(CACHE_ENTRIES * CACHE_BYTES);
  readonly view = new DataView(this.bytes.buffer);
  readonly length = new Int32Array(CACHE_ENTRIES).fill(-1);
  readonly value: string[] = new Array<string>(CACHE_ENTRIES).fill('');
  next = 0;
  last = 0;
  tries = 0;
  hits = 0;
  paused = 0;
}

class ScanNode {
  type = T_UNSUPPORTED;
  use = CHECK;
  // object
  names: string[] = [];
  keys: Uint8Array[] = [];
  /** Each key's whole 4-byte words as little-endian int32s (compared a word at a time). */
  keyWords: Int32Array[] = [];
  children: ScanNode[] = [];
  required: boolean[] = [];
  requiredCount = 0;
  /** 1 for a required key, by key index. */
  requiredKeys = new Uint8Array(0);
  /** First of this object's slots in the scanner's seen-key stamps. */
  stampBase = 0;
  /** Where a key is looked for first (after the last one found). */
  hint = 0;
  /** Which key came after key i last time (entry keys.length: first in the object): tried first. */
  follow = new Int32Array(1);
  skeleton: Record<string, unknown> | null = null;
  /** Keys of the children a skeleton holds, their nodes and their key indexes. */
  kept: string[] = [];
  keptNodes: ScanNode[] = [];
  keptIndex: number[] = [];
  /** Sets every field of the skeleton to undefined. */
  clear: (o: Record<string, unknown>) => void = () => {};
  /** Sets the field of key index `k` (a kept one) of the skeleton. */
  set: (o: Record<string, unknown>, k: number, v: unknown) => void = () => {};
  memo: ObjectMemo | null = null;
  // array
  items: ScanNode | null = null;
  // string: any alternative passes (none: any string)
  tests: StringTest[] = [];
  /** The one test is the schema's date-time pattern (ecs-time.ts checks it on bytes). */
  dateTime = false;
  // integer, number
  minimum = -Infinity;
  maximum = Infinity;
  exclusiveMinimum = -Infinity;
  exclusiveMaximum = Infinity;
  // the last string accepted, by its raw bytes
  /** The strings it accepted last (a string node that builds or tests its value). */
  cache: StringCache | null = null;
}

export class RecordLineScanner {
  private readonly root: ScanNode;
  private stamps: Float64Array;
  private visit = 0;
  private b: Buffer = Buffer.alloc(0);
  /** `b` as a DataView: 4 bytes read at a time. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** The value just built (BUILD and SKELETON nodes). */
  private out: unknown = undefined;
  /** The number just read. */
  private num = 0;
  /** The string just skipped had an escape / a byte over 0x7f. */
  private escaped = false;
  private wide = false;

  /** `schema`: the record schema's field types as JSON Schema (recordLineJsonSchema()). */
  constructor(schema: JsonSchemaNode, keep: readonly string[] = LINE_FACT_FIELDS) {
    let stamps = 0;
    const compile = (s: JsonSchemaNode): ScanNode => {
      const n = compileNode(s, compile);
      if (n.type === T_OBJECT) {
        n.stampBase = stamps;
        stamps += n.keys.length;
      }
      return n;
    };
    this.root = compile(schema);
    if (this.root.type !== T_OBJECT) throw new Error('record-line-scanner: the schema of a line is not an object');
    this.stamps = new Float64Array(stamps);
    for (const path of keep) markKept(this.root, path);
    makeSkeletons(this.root);
  }

  /**
   * The line in `b[from, to)` (no newline), reduced to LINE_FACT_FIELDS, when it is JSON that
   * passes the schema's field-type check and the scanner understood all of it; else null (read it
   * with JSON.parse and the check: they give the outcome, bad or good). Valid until the next call.
   */
  scan(b: Buffer, from: number, to: number): RecordLine | null {
    if (b !== this.b) {
      this.b = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    let pos = this.ws(from, to);
    if (pos >= to || b[pos] !== 0x7b) return null;
    pos = this.object(this.root, pos + 1, to);
    if (pos < 0) return null;
    pos = this.ws(pos, to);
    return pos === to ? (this.out as RecordLine) : null;
  }

  // ------------------------------------------------------------------ JSON values

  private ws(pos: number, end: number): number {
    const b = this.b;
    while (pos < end) {
      const c = b[pos] as number;
      if (c > 0x20 || (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) break;
      pos++;
    }
    return pos;
  }

  /** A value of `node` at `pos` (no whitespace before it): the position after it, or −1. */
  private value(node: ScanNode, pos: number, end: number): number {
    if (pos >= end) return -1;
    const c = this.b[pos] as number;
    switch (node.type) {
      case T_OBJECT:
        return c === 0x7b ? this.object(node, pos + 1, end) : -1;
      case T_STRING:
        return c === 0x22 ? this.string(node, pos + 1, end) : -1;
      case T_INTEGER:
      case T_NUMBER: {
        if (c !== 0x2d && (c < 0x30 || c > 0x39)) return -1;
        pos = this.number(pos, end);
        if (pos < 0) return -1;
        const v = this.num;
        if (node.type === T_INTEGER ? !Number.isInteger(v) : !Number.isFinite(v)) return -1;
        if (v < node.minimum || v > node.maximum || v <= node.exclusiveMinimum || v >= node.exclusiveMaximum) return -1;
        this.out = v;
        return pos;
      }
      case T_BOOLEAN: {
        const b = this.b;
        if (c === 0x74 && pos + 4 <= end && b[pos + 1] === 0x72 && b[pos + 2] === 0x75 && b[pos + 3] === 0x65) {
          this.out = true;
          return pos + 4;
        }
        if (c === 0x66 && pos + 5 <= end && b[pos + 1] === 0x61 && b[pos + 2] === 0x6c && b[pos + 3] === 0x73 && b[pos + 4] === 0x65) {
          this.out = false;
          return pos + 5;
        }
        return -1;
      }
      case T_ARRAY:
        return c === 0x5b ? this.array(node, pos + 1, end) : -1;
      default:
        return -1;
    }
  }

  /** The members of an object after its `{`. */
  private object(node: ScanNode, pos: number, end: number): number {
    const memo = node.memo;
    if (memo !== null) {
      if (memo.paused > 0) memo.paused--;
      else {
        const at = this.recall(node, memo, pos - 1, end);
        if (at >= 0) return at;
      }
    }
    const stop = this.members(node, pos, end);
    if (stop >= 0 && memo !== null && memo.paused === 0) this.remember(node, memo, pos - 1, stop);
    return stop;
  }

  /** The end of a remembered object that the bytes at `open` repeat (its values restored), or −1. */
  private recall(node: ScanNode, memo: ObjectMemo, open: number, end: number): number {
    const b = this.b;
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
      const bytes = memo.bytes[i] as Buffer;
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
      this.out = node.use === SKELETON ? restore(node, memo.kept[i] as unknown[]) : undefined;
      return open + length;
    }
    return -1;
  }

  /** Keeps the object just checked, `b[open, stop)`, in the node's memo. */
  private remember(node: ScanNode, memo: ObjectMemo, open: number, stop: number): void {
    const length = stop - open;
    if (length < MEMO_MIN_BYTES) {
      memo.paused = MEMO_PAUSE;
      return;
    }
    if (length > MEMO_BYTES) return;
    const i = memo.next;
    memo.next = i + 1 === MEMO_ENTRIES ? 0 : i + 1;
    const bytes = memo.bytes[i] as Buffer;
    const b = this.b;
    if (length <= SHORT_OBJECT) for (let k = 0; k < length; k++) bytes[k] = b[open + k] as number;
    else bytes.set(b.subarray(open, stop));
    memo.length[i] = length;
    memo.last = i;
    if (node.use === SKELETON) memo.kept[i] = snapshot(node);
  }

  /** The members of an object after its `{`, checked (and built, or kept in the skeleton). */
  private members(node: ScanNode, pos: number, end: number): number {
    const b = this.b;
    const n = node.keys.length;
    // keys seen: bits for the first 60 (two 30-bit words), the stamps beyond
    let seenLow = 0;
    let seenHigh = 0;
    const visit = n > 60 ? ++this.visit : 0;
    let into: Record<string, unknown> | null = null;
    const skeleton = node.use === SKELETON;
    if (skeleton) {
      into = node.skeleton as Record<string, unknown>;
      node.clear(into);
    } else if (node.use === BUILD) into = {};
    let required = 0;
    pos = this.ws(pos, end);
    if (pos < end && b[pos] === 0x7d) {
      if (node.requiredCount !== 0) return -1;
      this.out = into;
      return pos + 1;
    }
    if (n === 0) return -1; // a key it does not know
    const follow = node.follow;
    const requiredKeys = node.requiredKeys;
    let previous = n; // the object's start
    for (;;) {
      if (pos >= end || b[pos] !== 0x22) return -1;
      const keyStart = ++pos;
      // the key that followed the previous one last time, then any key
      let k = follow[previous] as number;
      const expected = node.keys[k] as Uint8Array;
      const length = expected.length;
      let j = 0;
      if (keyStart + length < end && b[keyStart + length] === 0x22) {
        const words = node.keyWords[k] as Int32Array;
        const view = this.view;
        let w = 0;
        while (w < words.length && view.getInt32(keyStart + 4 * w, true) === words[w]) w++;
        if (w === words.length) {
          j = 4 * w;
          while (j < length && expected[j] === b[keyStart + j]) j++;
        }
      }
      if (j === length && length > 0) pos = keyStart + length;
      else {
        for (;;) {
          if (pos >= end) return -1;
          const c = b[pos] as number;
          if (c === 0x22) break;
          if (c === 0x5c || c < 0x20 || c > 0x7e) return -1;
          pos++;
        }
        k = this.key(node, keyStart, pos - keyStart);
        if (k < 0) return -1;
        follow[previous] = k;
      }
      previous = k;
      // a key given twice: JSON.parse keeps the last
      if (k < 30) {
        const bit = 1 << k;
        if ((seenLow & bit) !== 0) return -1;
        seenLow |= bit;
      } else if (k < 60) {
        const bit = 1 << (k - 30);
        if ((seenHigh & bit) !== 0) return -1;
        seenHigh |= bit;
      } else {
        const stamp = node.stampBase + k;
        if (this.stamps[stamp] === visit) return -1;
        this.stamps[stamp] = visit;
      }
      // `":` with no space between (the writer's way), else the general case
      pos++;
      if (pos < end && b[pos] === 0x3a) pos++;
      else {
        pos = this.ws(pos, end);
        if (pos >= end || b[pos] !== 0x3a) return -1;
        pos++;
      }
      if (pos < end && (b[pos] as number) <= 0x20) pos = this.ws(pos, end);
      const child = node.children[k] as ScanNode;
      pos = this.value(child, pos, end);
      if (pos < 0) return -1;
      if (into !== null && child.use !== CHECK) {
        if (skeleton) node.set(into, k, this.out);
        else into[node.names[k] as string] = this.out;
      }
      required += requiredKeys[k] as number;
      if (pos < end && (b[pos] as number) <= 0x20) pos = this.ws(pos, end);
      if (pos >= end) return -1;
      const c = b[pos];
      if (c === 0x2c) {
        pos++;
        if (pos < end && (b[pos] as number) <= 0x20) pos = this.ws(pos, end);
        continue;
      }
      if (c !== 0x7d) return -1;
      if (required !== node.requiredCount) return -1;
      this.out = into;
      return pos + 1;
    }
  }

  /** Index of the key in `b[at, at + length)` among the object's keys, −1 when unknown. */
  private key(node: ScanNode, at: number, length: number): number {
    const keys = node.keys;
    const n = keys.length;
    const b = this.b;
    let i = node.hint;
    for (let tried = 0; tried < n; tried++) {
      const key = keys[i] as Uint8Array;
      if (key.length === length) {
        let j = 0;
        while (j < length && key[j] === b[at + j]) j++;
        if (j === length) {
          node.hint = i + 1 === n ? 0 : i + 1;
          return i;
        }
      }
      i = i + 1 === n ? 0 : i + 1;
    }
    return -1;
  }

  /** The elements of an array after its `[`. */
  private array(node: ScanNode, pos: number, end: number): number {
    const b = this.b;
    const items = node.items as ScanNode;
    const into: unknown[] | null = node.use === CHECK ? null : [];
    pos = this.ws(pos, end);
    if (pos < end && b[pos] === 0x5d) {
      this.out = into;
      return pos + 1;
    }
    for (;;) {
      pos = this.value(items, pos, end);
      if (pos < 0) return -1;
      if (into !== null) into.push(this.out);
      pos = this.ws(pos, end);
      if (pos >= end) return -1;
      const c = b[pos];
      if (c === 0x2c) {
        pos = this.ws(pos + 1, end);
        continue;
      }
      if (c !== 0x5d) return -1;
      this.out = into;
      return pos + 1;
    }
  }

  /** A string value after its opening quote: checked against the node's tests, built when kept. */
  private string(node: ScanNode, pos: number, end: number): number {
    const stop = this.skipString(pos, end);
    if (stop < 0) return -1;
    // a date-time in plain ASCII is checked on its bytes (the pattern's RegExp otherwise)
    const dateTime = node.dateTime && !this.escaped && !this.wide;
    if (node.use === CHECK) {
      if (node.tests.length === 0) return stop;
      if (dateTime) return isIsoDateTimeBytes(this.b, pos, stop - 1) ? stop : -1;
    }
    const length = stop - 1 - pos;
    const b = this.b;
    const c = node.cache ?? (node.cache = new StringCache());
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
        const cv = c.view;
        const view = this.view;
        const whole = length & ~3;
        let j = 0;
        while (j < whole && cv.getInt32(at + j, true) === view.getInt32(pos + j, true)) j += 4;
        if (j < whole) continue;
        while (j < length && bytes[at + j] === b[pos + j]) j++;
        if (j < length) continue;
        c.hits++;
        c.last = e;
        this.out = c.value[e];
        return stop;
      }
    } else c.paused--;
    let s: string;
    if (dateTime) {
      if (!isIsoDateTimeBytes(b, pos, stop - 1)) return -1;
      s = (b as NodeBuffer).latin1Slice(pos, stop - 1);
    } else {
      s = this.decode(pos, stop - 1);
      if (!passes(node.tests, s)) return -1;
    }
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
    this.out = s;
    return stop;
  }

  /**
   * Past a string's content (`pos`: after its opening quote) to after its closing quote, or −1 when
   * it is not a JSON string (a control character, a bad escape, no end) or not valid UTF-8.
   */
  private skipString(pos: number, end: number): number {
    const b = this.b;
    const view = this.view;
    this.escaped = false;
    this.wide = false;
    while (pos < end) {
      // 4 plain bytes at a time: none under 0x20, over 0x7f, a quote or a backslash
      while (pos + 4 <= end) {
        const v = view.getInt32(pos, true);
        const q = v ^ 0x22222222;
        const e = v ^ 0x5c5c5c5c;
        if ((v | (((v - 0x20202020) | 0) & ~v) | (((q - 0x01010101) | 0) & ~q) | (((e - 0x01010101) | 0) & ~e)) & 0x80808080) break;
        pos += 4;
      }
      if (pos >= end) break;
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
        this.escaped = true;
        continue;
      }
      if (c < 0x20) return -1;
      const n = utf8Sequence(b, pos, end);
      if (n < 0) return -1;
      this.wide = true;
      pos += n;
    }
    return -1;
  }

  /** The text of a string's content `b[from, to)` just skipped (skipString set the flags). */
  private decode(from: number, to: number): string {
    const b = this.b;
    if (!this.escaped) return this.wide ? (b as NodeBuffer).utf8Slice(from, to) : (b as NodeBuffer).latin1Slice(from, to);
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
        out += String.fromCharCode(hex4(b, i + 2));
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

  /** A JSON number at `pos`: the position after it (its value in `num`), or −1. */
  private number(pos: number, end: number): number {
    const b = this.b;
    const start = pos;
    let negative = false;
    if (b[pos] === 0x2d) {
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
    // up to 15 digits the sum is exact; beyond, or with a fraction or exponent, the correctly
    // rounded conversion JSON.parse uses too
    this.num = exact ? (negative ? -v : v) : Number(b.toString('latin1', start, pos));
    return pos;
  }
}

/** Buffer's own decoders (what `toString` calls, without its argument checks). */
interface NodeBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** What the one-character escapes stand for, by the character after the backslash. */
const ESCAPED: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };

function passes(tests: StringTest[], s: string): boolean {
  if (tests.length === 0) return true;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i] as StringTest;
    if ((t.pattern === null || t.pattern.test(s)) && (t.values === null || t.values.has(s))) return true;
  }
  return false;
}

/** The value of 4 hex digits at `at`, −1 when they are not. */
function hex4(b: Buffer, at: number): number {
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
function utf8Sequence(b: Buffer, pos: number, end: number): number {
  const c = b[pos] as number;
  const cont = (i: number, lo: number, hi: number): boolean => {
    if (i >= end) return false;
    const x = b[i] as number;
    return x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(pos + 1, 0x80, 0xbf) ? 2 : -1;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(pos + 1, lo, hi) && cont(pos + 2, 0x80, 0xbf) ? 3 : -1;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(pos + 1, lo, hi) && cont(pos + 2, 0x80, 0xbf) && cont(pos + 3, 0x80, 0xbf) ? 4 : -1;
  }
  return -1;
}

// ---------------------------------------------------------------------- compiling the schema

function compileNode(s: JsonSchemaNode, compile: (s: JsonSchemaNode) => ScanNode): ScanNode {
  const n = new ScanNode();
  for (const k of Object.keys(s)) if (!isUnderstoodKeyword(k)) return n; // unsupported: always "not understood" (the keywords the compiled check knows)
  if (s.format !== undefined && s.pattern === undefined) return n;
  if (s.anyOf !== undefined) {
    // alternatives of strings only (ip: ipv4 | ipv6)
    if (s.type !== undefined && s.type !== 'string') return n;
    const tests: StringTest[] = [];
    let anyString = false;
    for (const alt of s.anyOf) {
      if (alt.anyOf !== undefined) return n;
      const a = compileNode(alt, compile);
      if (a.type !== T_STRING) return n;
      if (a.tests.length === 0) anyString = true;
      tests.push(...a.tests);
    }
    const own = s.type === 'string' ? compileNode({ ...s, anyOf: undefined }, compile) : null;
    if (own !== null && own.tests.length > 0) return n; // a pattern besides the alternatives
    n.type = T_STRING;
    n.tests = anyString ? [] : tests;
    return n;
  }
  switch (s.type) {
    case 'object': {
      const props = s.properties ?? {};
      const names = Object.keys(props);
      for (const r of s.required ?? []) if (!names.includes(r)) return n;
      n.type = T_OBJECT;
      n.names = names;
      n.keys = names.map((k) => new Uint8Array(Buffer.from(k, 'utf8')));
      n.keyWords = n.keys.map((k) => {
        const words = new Int32Array(k.length >> 2);
        const view = new DataView(k.buffer, k.byteOffset, k.byteLength);
        for (let w = 0; w < words.length; w++) words[w] = view.getInt32(w * 4, true);
        return words;
      });
      n.follow = new Int32Array(names.length + 1);
      n.children = names.map((k) => compile(props[k] as JsonSchemaNode));
      n.required = names.map((k) => (s.required ?? []).includes(k));
      n.requiredCount = n.required.filter(Boolean).length;
      n.requiredKeys = Uint8Array.from(n.required, (r) => (r ? 1 : 0));
      // a key that needs an escape or is not printable ASCII is never matched: the line is then not understood
      return n;
    }
    case 'array':
      if (s.items === undefined) return n;
      n.type = T_ARRAY;
      n.items = compile(s.items);
      return n;
    case 'string':
      n.type = T_STRING;
      if (s.pattern !== undefined || s.enum !== undefined) {
        n.tests = [{ pattern: s.pattern !== undefined ? new RegExp(s.pattern) : null, values: s.enum !== undefined ? new Set(s.enum) : null }];
        n.dateTime = s.pattern === ISO_DATE_TIME_PATTERN && s.enum === undefined;
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

/**
 * Gives every skeleton node its reused object and the functions that clear and set its fields
 * (generated, so that each is a store to a known field of one object shape), and every object node
 * but the line itself and those built afresh its memo.
 */
function makeSkeletons(n: ScanNode, isRoot = true): void {
  if (n.use === SKELETON) {
    const kept: number[] = [];
    n.children.forEach((c, i) => {
      if (c.use !== CHECK) kept.push(i);
    });
    n.kept = kept.map((i) => n.names[i] as string);
    n.keptNodes = kept.map((i) => n.children[i] as ScanNode);
    n.keptIndex = kept;
    const fields = n.kept.map((k) => `o[${JSON.stringify(k)}]`);
    const clear = fields.map((f) => `${f} = undefined;`).join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.skeleton = new Function(`const o = {};\n${clear}\nreturn o;`)() as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.clear = new Function('o', clear) as ScanNode['clear'];
    const cases = kept.map((i, j) => `case ${i}: ${fields[j] as string} = v; break;`).join('\n');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    n.set = new Function('o', 'k', 'v', `switch (k) {\n${cases}\n}`) as ScanNode['set'];
  }
  if (n.type === T_OBJECT && !isRoot && n.use !== BUILD) n.memo = new ObjectMemo();
  for (const c of n.children) makeSkeletons(c, false);
  if (n.items !== null) makeSkeletons(n.items, false);
}

/** The values of a skeleton's fields (a nested skeleton's as an array of its own). */
function snapshot(n: ScanNode): unknown[] {
  const o = n.skeleton as Record<string, unknown>;
  const out: unknown[] = [];
  for (let i = 0; i < n.kept.length; i++) {
    const v = o[n.kept[i] as string];
    out.push((n.keptNodes[i] as ScanNode).use === SKELETON && v !== undefined ? snapshot(n.keptNodes[i] as ScanNode) : v);
  }
  return out;
}

/** Puts a snapshot's values back into the skeleton (and the nested ones); returns the skeleton. */
function restore(n: ScanNode, values: unknown[]): Record<string, unknown> {
  const o = n.skeleton as Record<string, unknown>;
  n.clear(o);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) continue;
    const c = n.keptNodes[i] as ScanNode;
    n.set(o, n.keptIndex[i] as number, c.use === SKELETON ? restore(c, v as unknown[]) : v);
  }
  return o;
}
