/**
 * Event counts in time buckets: the header's events/s (one-second buckets) and each session's
 * activity sparkline (five-second buckets). Counting an event is O(1) with no allocation once a key
 * has its ring; times are event times (wall clock live, recording time in a replay).
 */

export class BucketRing {
  readonly counts: Float64Array;
  /** Bucket number (time / bucketMs) of the newest slot. */
  private newest = Number.NEGATIVE_INFINITY;
  private head = 0;

  constructor(
    readonly size: number,
    readonly bucketMs: number,
  ) {
    this.counts = new Float64Array(size);
  }

  add(time: number, n = 1): void {
    const b = Math.floor(time / this.bucketMs);
    if (b > this.newest) this.advance(b);
    const age = this.newest - b;
    if (age >= this.size || age < 0) return; // older than the window (late event): dropped
    let idx = this.head - age;
    if (idx < 0) idx += this.size;
    this.counts[idx] = (this.counts[idx] as number) + n;
  }

  /** Counts oldest → newest, ending with the bucket that holds `now`. */
  series(now: number, out: number[] = []): number[] {
    const b = Math.floor(now / this.bucketMs);
    out.length = this.size;
    for (let i = 0; i < this.size; i++) {
      // slot for bucket (b - size + 1 + i)
      const bucket = b - this.size + 1 + i;
      const age = this.newest - bucket;
      if (age < 0 || age >= this.size) {
        out[i] = 0;
        continue;
      }
      let idx = this.head - age;
      if (idx < 0) idx += this.size;
      out[i] = this.counts[idx] as number;
    }
    return out;
  }

  /** Sum of the `n` buckets ending at the one holding `now`. */
  recent(now: number, n: number): number {
    const b = Math.floor(now / this.bucketMs);
    let sum = 0;
    for (let k = 0; k < n && k < this.size; k++) {
      const age = this.newest - (b - k);
      if (age < 0 || age >= this.size) continue;
      let idx = this.head - age;
      if (idx < 0) idx += this.size;
      sum += this.counts[idx] as number;
    }
    return sum;
  }

  /** Time of the newest event's bucket (−∞ when none). */
  get newestBucketTime(): number {
    return this.newest * this.bucketMs;
  }

  clear(): void {
    this.counts.fill(0);
    this.newest = Number.NEGATIVE_INFINITY;
    this.head = 0;
  }

  private advance(b: number): void {
    const steps = this.newest === Number.NEGATIVE_INFINITY ? this.size : b - this.newest;
    if (steps >= this.size) {
      this.counts.fill(0);
      this.head = 0;
    } else {
      for (let k = 0; k < steps; k++) {
        this.head = (this.head + 1) % this.size;
        this.counts[this.head] = 0;
      }
    }
    this.newest = b;
  }
}

export const EVENT_RATE_BUCKETS = 60;
export const SESSION_BUCKETS = 24;
export const SESSION_BUCKET_MS = 5_000;

/** Per-key activity rings plus one global events-per-second ring. */
export class ActivityHistory<K extends object> {
  readonly events = new BucketRing(EVENT_RATE_BUCKETS, 1000);
  /** Weak: a session the model evicted takes its ring with it. */
  private perKey = new WeakMap<K, BucketRing>();

  note(key: K | null, time: number): void {
    this.events.add(time);
    if (key === null) return;
    let ring = this.perKey.get(key);
    if (ring === undefined) {
      ring = new BucketRing(SESSION_BUCKETS, SESSION_BUCKET_MS);
      this.perKey.set(key, ring);
    }
    ring.add(time);
  }

  of(key: K): BucketRing | undefined {
    return this.perKey.get(key);
  }

  clear(): void {
    this.events.clear();
    this.perKey = new WeakMap<K, BucketRing>();
  }
}
