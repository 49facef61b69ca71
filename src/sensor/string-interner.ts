/**
 * Interns strings decoded from byte ranges that repeat from record to record (comm, executable
 * paths, working directories, cgroup names): the same bytes give the same string object, so the hot
 * path stops allocating them and the model keeps one copy. Entries are verified byte for byte (a
 * hash collision never returns the wrong string) and the table is bounded: it is simply emptied
 * when full.
 */
export class StringInterner {
  private readonly table = new Map<number, { bytes: Uint8Array; value: string }>();

  constructor(private readonly maxEntries = 8192) {}

  /** The string for bytes[start, end), made by `make` the first time those bytes are seen. */
  intern(bytes: Uint8Array, start: number, end: number, make: (bytes: Uint8Array, start: number, end: number) => string): string {
    const len = end - start;
    if (len === 0) return make(bytes, start, end);
    // FNV-1a over the bytes and the length
    let h = 0x811c9dc5 ^ len;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    const hit = this.table.get(h);
    if (hit !== undefined && hit.bytes.length === len) {
      const b = hit.bytes;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (b[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.value;
    }
    const value = make(bytes, start, end);
    if (this.table.size >= this.maxEntries) this.table.clear();
    this.table.set(h, { bytes: bytes.slice(start, end), value });
    return value;
  }
}
