/**
 * One remote host's model: applies the events of its ssh stream to a ProcessTable (the same
 * `apply` path as live and replay), and keeps that model right across reconnections.
 *
 * Each connection starts with a `snapshot` line per live remote process (the remote `record`'s
 * backfill; `snapshot --json` is nothing else). A batch of snapshot lines ends at the first other
 * event, after a quiet moment with no line (the remote writes its backfill in one go), or when
 * the stream ends. Then its nodes are resolved and handed over in start order, and — after a
 * reconnection to the same boot — every process the model still had alive but the new backfill
 * did not list is ended with its exit unknown (it ended while the host was unreachable), through
 * the table like any other event, so a recording and the view agree.
 *
 * While the connection is lost, the table stays as it was (the view shows it dimmed). A new boot
 * id (the host rebooted) starts a new table.
 */

import { nodeHeaderToEvent } from '../model/node-facts.js';
import { ProcessTable } from '../model/process-table.js';
import type { HostInfo, ProcessNode, ProcessTableOptions } from '../model/types.js';
import type { RecordingHost } from '../record/line-to-event.js';
import type { NameLookup } from '../text/user-names.js';
import { newProcessEvent, type ProcessEvent } from '../sensor/process-event.js';
import type { ConnectionStatus, SshStreamSource } from './ssh-stream-source.js';

export interface RemoteModelHandlers {
  /** A connection's backfill, resolved, oldest first (a recorder writes its snapshot lines). */
  onBackfill?(nodes: ProcessNode[], model: RemoteHostModel): void;
  /** One applied event (also the synthesized ends after a reconnection). */
  onEvent?(e: ProcessEvent, node: ProcessNode | null, model: RemoteHostModel): void;
  /** The connection status changed. */
  onStatus?(model: RemoteHostModel): void;
  /** A line of the stream was not a valid recording line. */
  onBadLine?(reason: string, model: RemoteHostModel): void;
}

export interface RemoteHostModelOptions {
  tableOptions?: Omit<ProcessTableOptions, 'host'>;
  /** How long without a line ends a batch of snapshot lines (default 250 ms). */
  quietMs?: number;
}

export class RemoteHostModel {
  readonly source: SshStreamSource;
  private readonly handlers: RemoteModelHandlers;
  private readonly tableOptions: Omit<ProcessTableOptions, 'host'>;
  private readonly quietMs: number;
  private current: { host: RecordingHost; table: ProcessTable } | null = null;
  /** Connection whose backfill was last resolved, and the one being collected. */
  private resolvedConnection = 0;
  private batchConnection = 0;
  private batch: ProcessNode[] = [];
  private readonly batchSeen = new Set<ProcessNode>();
  /** The table already held a resolved backfill (so a new one may end processes). */
  private tableHadBackfill = false;
  private quietTimer: NodeJS.Timeout | null = null;
  private readonly endEvent = newProcessEvent();

  constructor(source: SshStreamSource, handlers: RemoteModelHandlers = {}, options: RemoteHostModelOptions = {}) {
    this.source = source;
    this.handlers = handlers;
    this.tableOptions = options.tableOptions ?? {};
    this.quietMs = options.quietMs ?? 250;
  }

  /** The ssh destination (the host's label). */
  get destination(): string {
    return this.source.destination;
  }

  get status(): Readonly<ConnectionStatus> {
    return this.source.status;
  }

  /** The host as its stream describes it (null before the first line). */
  get host(): HostInfo | null {
    return this.current?.host.info ?? null;
  }

  get table(): ProcessTable | null {
    return this.current?.table ?? null;
  }

  /** uid/gid names the stream carried. */
  get names(): NameLookup | null {
    return this.current?.host.names ?? null;
  }

  start(): void {
    this.source.start({
      onEvent: (e, host, connection) => this.onEvent(e, host, connection),
      onChunkEnd: () => this.armQuietTimer(),
      onStatus: (st) => {
        if (st.state !== 'live' && st.state !== 'connecting') this.finishBatch();
        this.handlers.onStatus?.(this);
      },
      onBadLine: (reason) => this.handlers.onBadLine?.(reason, this),
    });
  }

  async stop(): Promise<void> {
    await this.source.stop();
    this.finishBatch();
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** Resolves the snapshot lines received so far (a one-shot snapshot calls it at the end). */
  finishBatch(): void {
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = null;
    if (this.batchConnection === 0 || this.batchConnection === this.resolvedConnection) return;
    const cur = this.current;
    this.resolvedConnection = this.batchConnection;
    if (cur === null) return;
    const table = cur.table;
    table.finishBackfill();
    const nodes = this.batch.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
    this.batch = [];
    this.handlers.onBackfill?.(nodes, this);
    if (this.tableHadBackfill) {
      // processes that ended while the host was unreachable: their end was never seen
      let time = 0;
      for (const n of nodes) if (n.lastActivity > time) time = n.lastActivity;
      if (time === 0) time = Date.now();
      const gone: ProcessNode[] = [];
      for (const n of table.processes()) if (!n.exited && !this.batchSeen.has(n)) gone.push(n);
      const e = this.endEvent;
      for (const n of gone) {
        nodeHeaderToEvent(n, 'end', time, e);
        e.exitUnknown = true;
        const node = table.apply(e);
        this.handlers.onEvent?.(e, node, this);
      }
    }
    this.batchSeen.clear();
    this.tableHadBackfill = true;
  }

  private onEvent(e: ProcessEvent, host: RecordingHost, connection: number): void {
    let cur = this.current;
    if (cur === null || cur.host !== host) {
      // first line, or the host rebooted (another boot id): a new model
      this.finishBatch();
      cur = { host, table: new ProcessTable({ ...this.tableOptions, host: host.info }) };
      this.current = cur;
      this.tableHadBackfill = false;
      this.batch = [];
      this.batchSeen.clear();
    }
    if (e.action === 'snapshot' && connection === this.resolvedConnection) {
      // a snapshot line after its batch was resolved (the backfill came in two flushes)
      const node = cur.table.apply(e);
      cur.table.finishBackfill();
      if (node !== null) this.handlers.onBackfill?.([node], this);
      return;
    }
    if (e.action === 'snapshot') {
      if (connection !== this.batchConnection) {
        this.batchConnection = connection;
        this.batch = [];
        this.batchSeen.clear();
      }
      const node = cur.table.apply(e);
      if (node !== null && !this.batchSeen.has(node)) {
        this.batchSeen.add(node);
        this.batch.push(node);
      }
      return;
    }
    this.finishBatch();
    const node = cur.table.apply(e);
    this.handlers.onEvent?.(e, node, this);
  }

  private armQuietTimer(): void {
    if (this.batchConnection === this.resolvedConnection || this.batchConnection === 0) return;
    if (this.quietTimer !== null) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.finishBatch(), this.quietMs);
    this.quietTimer.unref?.();
  }
}
