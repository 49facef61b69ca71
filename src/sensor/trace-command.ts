/**
 * `sessiontop trace`: decoded sensor events as JSON lines on stdout (like execsnoop), to see exactly
 * what the kernel side reports.
 */
import { once } from 'node:events';
import { escapeControlInJson } from '../record/escape-control.js';
import { BpfSource, type BpfSourceOptions } from './bpf-source.js';
import { traceRecord } from './trace-format.js';
import type { EventAction } from './process-event.js';

export interface TraceOptions extends BpfSourceOptions {
  /** Stop after this many seconds (0: until interrupted). */
  durationSec: number;
  /** Only these actions (empty: all). */
  actions: EventAction[];
  /** Only events of these pids (empty: all). */
  pids: number[];
}

export async function runTrace(options: TraceOptions): Promise<number> {
  const source = new BpfSource(options);
  const actions = new Set(options.actions);
  const pids = new Set(options.pids);
  let pending = '';
  let stopped = false;
  const out = process.stdout;
  let flushTimer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    if (pending && !out.destroyed) out.write(pending);
    pending = '';
  };

  await source.start((e) => {
    if (actions.size && !actions.has(e.action)) return;
    if (pids.size && !pids.has(e.pid) && !(e.action === 'lost')) return;
    pending += escapeControlInJson(JSON.stringify(traceRecord(e))) + '\n';
    if (pending.length > 1 << 16) flush();
  });
  flushTimer = setInterval(flush, 100);
  const probes = source.stats()?.probes ?? [];
  for (const p of probes) {
    if (!p.attached) process.stderr.write(`sessiontop: typed-line probe not attached to ${p.path}: ${p.error ?? 'unknown error'}\n`);
  }

  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      if (stopped) return;
      stopped = true;
      resolve();
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, finish);
    out.on('error', finish); // EPIPE: the reader went away
    if (options.durationSec > 0) setTimeout(finish, options.durationSec * 1000).unref();
  });
  await done;
  clearInterval(flushTimer);
  await source.stop();
  flush();
  if (!out.destroyed && out.writableNeedDrain) await once(out, 'drain').catch(() => undefined);
  return 0;
}
