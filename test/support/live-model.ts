/**
 * The live model as the product runs it, in-process, for acceptance tests: a ProcessTable fed by
 * LiveFeed (eBPF opened first, /proc backfilled, then drained). Every applied event is kept as a
 * small frozen copy (`Seen`) next to the live node it concerned, so a test can assert both what was
 * reported at that moment and what the model says now.
 */
import { readHostInfo } from '../../src/model/host-info.js';
import { LiveFeed } from '../../src/model/live-feed.js';
import { ProcessTable } from '../../src/model/process-table.js';
import type { EntryType, HostInfo, ProcessNode } from '../../src/model/types.js';
import type { BpfSourceOptions } from '../../src/sensor/bpf-source.js';
import { BpfSource } from '../../src/sensor/bpf-source.js';
import type { EventAction, ProcessEvent } from '../../src/sensor/process-event.js';

/** What one event said, and what the model derived for its node right after applying it. */
export interface Seen {
  action: EventAction;
  time: number;
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  uid: number;
  euid: number;
  loginUid: number;
  auditSessionId: number;
  tty: number;
  executable: string;
  args: string[];
  line: string;
  lineTruncated: boolean;
  /** typed: the shell, the probe that saw the line, the shell's cwd then. */
  shell: string;
  typedVia: string;
  cwd: string;
  lost: number;
  /** The live node (keeps changing). */
  node: ProcessNode | null;
  /** Frozen at the event: */
  entryLeaderPid: number;
  entryLeaderId: string;
  entryType: EntryType | null;
  /** The node's entity id. */
  entityId: string;
  userEntered: boolean;
  interactive: boolean;
}

export class LiveModel {
  readonly seen: Seen[] = [];
  backfilled: ProcessNode[] = [];

  private constructor(
    readonly table: ProcessTable,
    readonly host: HostInfo,
    private feed: LiveFeed | undefined,
  ) {}

  static async start(bpf: BpfSourceOptions = {}): Promise<LiveModel> {
    const host = readHostInfo();
    const table = new ProcessTable({ host });
    const m = new LiveModel(table, host, undefined);
    m.feed = await LiveFeed.start(
      table,
      { source: 'bpf', host, bpf: { typed: true, ...bpf } },
      {
        onBackfill: (nodes) => {
          m.backfilled = nodes;
        },
        onEvent: (e, node) => m.record(e, node),
      },
    );
    return m;
  }

  private record(e: ProcessEvent, node: ProcessNode | null): void {
    // Only what a test might ask about (the model's own memory is what is under test, not ours).
    const leader = node?.entryLeader ?? null;
    this.seen.push({
      action: e.action,
      time: e.time,
      pid: e.pid,
      ppid: e.ppid,
      pgid: e.pgid,
      sid: e.sid,
      uid: e.uid,
      euid: e.euid,
      loginUid: e.loginUid,
      auditSessionId: e.auditSessionId,
      tty: e.tty,
      executable: e.executable,
      args: e.args.slice(),
      line: e.line,
      lineTruncated: e.lineTruncated,
      shell: e.shell,
      typedVia: e.typedVia,
      cwd: e.cwd,
      lost: e.lost,
      node,
      entryLeaderPid: leader?.pid ?? 0,
      entryLeaderId: leader?.entityId ?? '',
      entryType: leader?.entryType ?? null,
      entityId: node?.entityId ?? '',
      userEntered: node?.userEntered ?? false,
      interactive: node?.interactive ?? false,
    });
    if (this.seen.length > 500_000) this.seen.splice(0, 100_000);
  }

  get source(): BpfSource {
    return this.feed!.source as BpfSource;
  }

  lost(): number {
    return this.feed?.lost() ?? 0;
  }

  /** Reconciliations with /proc the feed ran after losses. */
  get reconciliations(): number {
    return this.feed?.reconciliations ?? 0;
  }

  /** Delivers whatever the kernel has now. */
  drain(): void {
    if (this.feed) this.source.drain();
  }

  find(pred: (s: Seen) => boolean): Seen[] {
    this.drain();
    return this.seen.filter(pred);
  }

  async waitFor(pred: (s: Seen) => boolean, count = 1, timeoutMs = 8000, what = 'events'): Promise<Seen[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(pred);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} ${what}; saw ${found.length}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Waits until the model has a node for `pid` satisfying `pred`. */
  async waitNode(pid: number, pred: (n: ProcessNode) => boolean = () => true, timeoutMs = 8000): Promise<ProcessNode> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.drain();
      const n = this.table.get(pid);
      if (n && pred(n)) return n;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for pid ${pid} in the model (${n ? describeNode(n) : 'absent'})`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    const f = this.feed;
    this.feed = undefined;
    await f?.stop();
  }
}

/** One line about a node, for failure messages and reports. */
export function describeNode(n: ProcessNode | null | undefined): string {
  if (!n) return 'null';
  const l = n.entryLeader;
  return (
    `pid ${n.pid} ${n.name} ppid ${n.ppid} pgid ${n.pgid} sid ${n.sid} euid ${n.euid} loginuid ${n.loginUid} ` +
    `auditsid ${n.auditSessionId} tty ${n.tty} interactive ${n.interactive} userEntered ${n.userEntered} ` +
    `entry ${l ? `${l.pid}/${l.name}/${l.entryType}` : 'none'}`
  );
}
