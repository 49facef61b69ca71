/**
 * `sessiontop trace`: decoded sensor events as JSON lines on stdout (like execsnoop), to see exactly
 * what the kernel side reports.
 */
import { once } from 'node:events';
import { BpfSource, type BpfSourceOptions } from '../sensor/bpf-source.js';
import { traceRecord } from './trace-format.js';
import { usageError } from '../exit-error.js';
import { escapeControl } from '../text/escape-control.js';
import { parseDurationSeconds } from '../text/time-size-grammar.js';
import type { ParsedArgs } from './command-line.js';
import { TRACE_ACTIONS } from './command-table.js';
import { sensorOptionValues, stringValue, wholeNumber } from './option-values.js';
import type { EventAction } from '../sensor/process-event.js';

export interface TraceOptions extends BpfSourceOptions {
  /** Stop after this many seconds (0: until interrupted). */
  durationSec: number;
  /** Only these actions (empty: all). */
  actions: EventAction[];
  /** Only events of these pids (empty: all). */
  pids: number[];
}

/** `trace`'s options from its parsed arguments (usage errors for bad values). */
export function traceOptionsFromArgs({ values }: ParsedArgs): TraceOptions {
  const list = (name: string): string[] => (stringValue(values, name) ?? '').split(',').filter(Boolean);
  const actions = list('action').map((a) => {
    if (!(TRACE_ACTIONS as readonly string[]).includes(a)) throw usageError(`--action: unknown action "${escapeControl(a)}" (one of ${TRACE_ACTIONS.join(', ')})`);
    return a as EventAction;
  });
  const pids = list('pid').map((p) => wholeNumber(p, '--pid', 1, 4194304));
  const duration = stringValue(values, 'duration');
  return { ...sensorOptionValues(values), durationSec: duration === undefined ? 0 : parseDurationSeconds(duration, '--duration'), actions, pids };
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
    pending += JSON.stringify(traceRecord(e)) + '\n';
    if (pending.length > 1 << 16) flush();
  });
  flushTimer = setInterval(flush, 100);
  const probes = source.stats()?.probes ?? [];
  for (const p of probes) {
    if (!p.attached) process.stderr.write(`sessiontop: typed-line probe not attached to ${p.path} (${p.probe}): ${p.error ?? 'unknown error'}\n`);
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
