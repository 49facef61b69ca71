/**
 * The live feed of several hosts (`sessiontop --ssh DEST …`): the local host's live feed (unless
 * `--no-local`) and one model per remote host fed by its ssh stream (remote-host-model.ts). Every
 * host is a view of its own, with its connection state, so the sessions list groups by host; a
 * host that is not reached yet shows as an empty model labelled with its destination.
 */

import { ProcessTable } from '../model/process-table.js';
import type { HostInfo } from '../model/types.js';
import { escapeControl } from '../text/escape-control.js';
import { NO_NAMES } from '../text/user-names.js';
import { RemoteHostModel } from '../remote/remote-host-model.js';
import type { SshSettings } from '../remote/ssh-command.js';
import { SshStreamSource } from '../remote/ssh-stream-source.js';
import type { LiveModelFeed } from './live-model-feed.js';
import type { FeedHeader, FeedListener, HostConnectionView, HostModelView, LiveControls, ModelFeed } from './model-feed.js';

const LOCAL_CONNECTION: HostConnectionView = { state: 'local', reason: '', retryAt: 0, notice: '', attempts: 0 };
/** While a host waits to retry, the header's countdown is redrawn this often. */
const COUNTDOWN_MS = 1000;

export class MultiHostFeed implements ModelFeed {
  readonly mode = 'live' as const;
  readonly replay = null;
  readonly remotes: RemoteHostModel[];
  private readonly local: LiveModelFeed | null;
  private readonly placeholders = new Map<RemoteHostModel, ProcessTable>();
  private views: HostModelView[] = [];
  private viewTables: (ProcessTable | null)[] = [];
  private listener: FeedListener | null = null;
  private timer: NodeJS.Timeout | null = null;
  private badLines = 0;
  private lastBad = '';

  constructor(local: LiveModelFeed | null, ssh: SshSettings) {
    this.local = local;
    this.remotes = ssh.destinations.map((destination) => {
      const source = new SshStreamSource({ settings: ssh, destination, mode: 'record', retry: true });
      return new RemoteHostModel(source, {
        onBackfill: () => this.listener?.changed(),
        onEvent: (e, node) => this.listener?.event(node, e.time),
        onStatus: () => this.listener?.changed(),
        onBadLine: (reason, m) => {
          this.badLines++;
          this.lastBad = escapeControl(`${m.destination}: ${reason}`);
        },
      });
    });
  }

  /** The local host (or the first remote's destination) for the startup frame. */
  get hostName(): string {
    return this.local?.host.name ?? `${this.remotes.length} hosts`;
  }

  /** Recording from this view is of one host only: `sessiontop record --ssh` records them all. */
  readonly live: LiveControls | null = null;

  async start(listener: FeedListener): Promise<void> {
    this.listener = listener;
    for (const r of this.remotes) r.start();
    this.timer = setInterval(() => {
      if (this.remotes.some((r) => r.status.state === 'retrying')) listener.changed();
    }, COUNTDOWN_MS);
    this.timer.unref?.();
    if (this.local !== null) await this.local.start(listener);
    else listener.changed();
  }

  hosts(): readonly HostModelView[] {
    const tables: (ProcessTable | null)[] = this.remotes.map((r) => r.table);
    if (this.views.length === 0 || tables.some((t, i) => t !== this.viewTables[i])) {
      this.viewTables = tables;
      const views: HostModelView[] = [];
      const local = this.local;
      if (local !== null) views.push({ host: local.host, table: local.table, names: local.names, connection: LOCAL_CONNECTION });
      for (const r of this.remotes) {
        const table = r.table ?? this.placeholderOf(r);
        views.push({ host: r.host ?? table.host, table, names: r.names ?? NO_NAMES, connection: r.status });
      }
      this.views = views;
    }
    return this.views;
  }

  now(): number {
    return Date.now();
  }

  header(): FeedHeader {
    const live = this.remotes.filter((r) => r.status.state === 'live').length;
    const hostsNote = `${live} of ${this.remotes.length} remote host${this.remotes.length === 1 ? '' : 's'} live`;
    const badNote = this.badLines > 0 ? `${this.badLines} bad line${this.badLines === 1 ? '' : 's'} from remote hosts; last: ${this.lastBad}` : '';
    let lost = 0;
    for (const r of this.remotes) lost += r.table?.stats().lost ?? 0;
    if (this.local !== null) {
      const h = this.local.header();
      return { ...h, lost: h.lost + lost, notice: [h.notice, hostsNote, badNote].filter((s) => s !== '').join(' · ') };
    }
    return {
      source: 'ssh',
      state: live > 0 ? 'live' : 'starting',
      notice: [hostsNote, badNote].filter((s) => s !== '').join(' · '),
      lost,
      recording: null,
      badLines: this.badLines,
      replay: null,
    };
  }

  async close(): Promise<string> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    const [problem] = await Promise.all([this.local?.close() ?? Promise.resolve(''), ...this.remotes.map((r) => r.stop())]);
    return problem ?? '';
  }

  /** An empty model standing for a host not reached yet (its label is the destination). */
  private placeholderOf(r: RemoteHostModel): ProcessTable {
    let t = this.placeholders.get(r);
    if (t === undefined) {
      const host: HostInfo = { name: r.destination, bootId: '', pidNsIno: 0, kernel: '', bootTimeMs: 0, via: r.destination };
      t = new ProcessTable({ host });
      this.placeholders.set(r, t);
    }
    return t;
  }
}
