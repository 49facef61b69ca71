/**
 * The live eBPF source: opens the sensor, drains its ring buffer into one reused Uint8Array and
 * decodes the records into ProcessEvents. It drains when the addon signals that records are waiting
 * (one wake-up per batch, at least `coalesceMs` apart) and on a timer as a backstop (a record that
 * came without a kernel wake-up is otherwise seen when the watch is re-armed); kernel-side losses are polled from the
 * sensor's counters and delivered as `lost` events, so nothing disappears silently.
 */
import { type EventSource, newProcessEvent, type ProcessEvent, resetProcessEvent } from './process-event.js';
import { RecordDecoder } from './record-decoder.js';
import {
  asSensorError,
  loadAddon,
  type NativeSensor,
  type SensorOptions,
  type SensorStats,
} from './native-addon.js';
import { findTypedProbes } from './shell-binaries.js';
import { TtyOutputCoalescer } from './tty-output-coalescer.js';

export interface BpfSourceOptions {
  /** Ring buffer bytes (power of two; default 16 MiB). */
  ringBytes?: number;
  /** argv bytes kept per exec (default 16 KiB). */
  argsMax?: number;
  /** Typed-line bytes kept (default 1 KiB). */
  typedMax?: number;
  /** Capture lines typed at interactive bash, zsh and dash. Default true; false loads no typed-line probe. */
  typed?: boolean;
  /** Capture what processes write to their controlling terminal (`text_output` events). Default false. */
  ttyOutput?: boolean;
  /** Terminal output bytes kept per process per second (default 64 KiB; 0: unbounded). */
  ttyRate?: number;
  /** Terminal output bytes kept per process in total (default 1 MiB; 0: unbounded). */
  ttyMaxBytes?: number;
  /** Shell binaries to consider besides the usual paths and /etc/shells (bash, zsh or dash by name). */
  extraShells?: string[];
  /** Backstop drain interval, ms (default 50). */
  intervalMs?: number;
  /** After a drain, ms that records gather before the next wake-up (default 10; 0..1000). */
  coalesceMs?: number;
  /** Drain buffer bytes (default 4 MiB). */
  bufferBytes?: number;
  debug?: boolean;
}

export class BpfSource implements EventSource {
  readonly name = 'bpf' as const;
  readonly degraded = false;
  private sensor: NativeSensor | undefined;
  private decoder: RecordDecoder | undefined;
  private buffer: Uint8Array;
  private event: ProcessEvent = newProcessEvent();
  private onEvent: ((e: ProcessEvent) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lostSeen = 0;
  private draining = false;
  private readonly options: BpfSourceOptions;
  private readonly tty: TtyOutputCoalescer | null;

  constructor(options: BpfSourceOptions = {}) {
    this.options = options;
    this.tty = options.ttyOutput === true ? new TtyOutputCoalescer() : null;
    this.buffer = new Uint8Array(options.bufferBytes ?? 4 << 20);
  }

  /**
   * Loads and attaches the BPF programs; records start accumulating in the ring buffer at once.
   * Call before a /proc backfill so nothing started during the scan is missed. Throws SensorError.
   */
  open(): void {
    if (this.sensor) return;
    const addon = loadAddon();
    try {
      this.adopt(addon.open(this.sensorOptions()));
    } catch (err) {
      throw asSensorError(err);
    }
  }

  /** Like open(), but the programs load and attach on a worker thread (the verifier takes a while). */
  async openAsync(): Promise<void> {
    if (this.sensor) return;
    const addon = loadAddon();
    try {
      const sensor = await addon.openAsync(this.sensorOptions());
      if (this.sensor) sensor.close();
      else this.adopt(sensor);
    } catch (err) {
      throw asSensorError(err);
    }
  }

  private sensorOptions(): SensorOptions {
    const opts: SensorOptions = { debug: this.options.debug ?? false };
    if (this.options.ringBytes !== undefined) opts.ringBytes = this.options.ringBytes;
    if (this.options.argsMax !== undefined) opts.argsMax = this.options.argsMax;
    if (this.options.typedMax !== undefined) opts.typedMax = this.options.typedMax;
    if (this.options.typed ?? true) {
      const probes = findTypedProbes(this.options.extraShells);
      opts.typedTargets = probes.targets;
      opts.shells = probes.shells;
    }
    if (this.options.ttyOutput === true) {
      opts.ttyOutput = true;
      if (this.options.ttyRate !== undefined) opts.ttyRate = this.options.ttyRate;
      if (this.options.ttyMaxBytes !== undefined) opts.ttyMaxBytes = this.options.ttyMaxBytes;
    }
    return opts;
  }

  private adopt(sensor: NativeSensor): void {
    this.sensor = sensor;
    this.decoder = new RecordDecoder(this.buffer, loadAddon().bootClockOffsetMs(), this.tty);
  }

  async start(onEvent: (e: ProcessEvent) => void): Promise<void> {
    await this.openAsync();
    this.onEvent = onEvent;
    // the addon calls back on this thread's event loop, once per batch: drain at once
    this.sensor!.onReadable(() => this.drain(), this.options.coalesceMs ?? 10);
    this.timer = setInterval(() => this.drain(), this.options.intervalMs ?? 50);
    this.drain();
  }

  /** Drains everything waiting now and delivers it. Returns the number of events delivered. */
  drain(): number {
    const sensor = this.sensor;
    const decoder = this.decoder;
    const onEvent = this.onEvent;
    if (!sensor || !decoder || !onEvent || this.draining) return 0;
    this.draining = true;
    let delivered = 0;
    try {
      for (let rounds = 0; rounds < 64; rounds++) {
        const n = sensor.drain(this.buffer);
        if (n === 0) break;
        delivered += decoder.decode(n, this.event, onEvent);
        if (n < this.buffer.byteLength / 2) break;
      }
      this.tty?.flushDue(Date.now(), onEvent);
      this.reportLost(onEvent);
    } finally {
      this.draining = false;
    }
    return delivered;
  }

  stats(): SensorStats | undefined {
    return this.sensor?.stats();
  }

  /** Records the decoder could not understand (version or size mismatch). */
  get malformed(): number {
    return this.decoder?.counters.malformed ?? 0;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.sensor) return;
    this.drain();
    if (this.onEvent) this.tty?.flushAll(this.onEvent);
    this.sensor.close();
    this.sensor = undefined;
  }

  private reportLost(onEvent: (e: ProcessEvent) => void): void {
    const lost = this.sensor!.lost();
    if (lost <= this.lostSeen) return;
    const e = resetProcessEvent(this.event);
    e.action = 'lost';
    e.time = Date.now();
    e.lost = lost - this.lostSeen;
    this.lostSeen = lost;
    onEvent(e);
  }
}
