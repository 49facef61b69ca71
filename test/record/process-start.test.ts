/**
 * One `process.start` per process: a process backfilled from /proc (start from its clock ticks,
 * 10 ms steps) and then seen live (the sensor's nanosecond start, a few ms apart) keeps the start
 * it was first recorded with, on every line naming it and in the model.
 */
import { describe, expect, it } from 'vitest';
import { ProcessTable } from '../../src/model/process-table.js';
import type { HostInfo } from '../../src/model/types.js';
import { EcsDocumentBuilder } from '../../src/record/ecs-document.js';
import { newProcessEvent, type ProcessEvent } from '../../src/sensor/process-event.js';

const host: HostInfo = { name: 'h', bootId: 'b', pidNsIno: 1, kernel: 'k', bootTimeMs: 1_700_000_000_000 };
const ticks = 123_456;
const backfillStart = host.bootTimeMs + ticks * 10; // …528000 style
const liveStart = backfillStart - 3.105; // …524895 style, the same process

function ev(fields: Partial<ProcessEvent>): ProcessEvent {
  return Object.assign(newProcessEvent(), { ppid: 1, pgid: 500, sid: 500, startTicks: ticks, executable: '/usr/bin/bash', comm: 'bash', args: ['bash'] }, fields);
}

describe('process.start', () => {
  it('is the same on the backfill line, later live lines and in the model', () => {
    const table = new ProcessTable({ host });
    const doc = new EcsDocumentBuilder({ host });
    const t = host.bootTimeMs + 2_000_000;
    table.apply(ev({ action: 'snapshot', time: t, pid: 500, start: backfillStart }));
    const [node] = table.finishBackfill();
    const lines = [doc.snapshotLine(node!, t)];
    for (const [i, action] of (['setpgid', 'id_change', 'exec', 'end'] as const).entries()) {
      const e = ev({ action, time: t + 1000 + i, pid: 500, start: liveStart, targetPid: 500, targetPgid: 500 });
      lines.push(doc.eventLine(e, table.apply(e)));
    }
    const starts = lines.map((l) => (JSON.parse(l) as { process: { start: string } }).process.start);
    expect(new Set(starts).size).toBe(1);
    expect(starts[0]).toBe(new Date(backfillStart).toISOString().replace('Z', '000Z'));
    expect(table.get(500)!.start).toBe(backfillStart);
  });

  it('a start first unknown (a sparse line) is learned from the first event that gives one', () => {
    const table = new ProcessTable({ host });
    const t = host.bootTimeMs + 2_000_000;
    table.apply(ev({ action: 'setsid', time: t, pid: 600, start: 0 }));
    table.apply(ev({ action: 'id_change', time: t + 1, pid: 600, start: liveStart }));
    table.apply(ev({ action: 'id_change', time: t + 2, pid: 600, start: backfillStart }));
    expect(table.get(600)!.start).toBe(liveStart);
  });
});
