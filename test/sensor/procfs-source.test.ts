/**
 * The /proc polling source on this kernel: snapshot at start, then fork/exec/setsid/end synthesized
 * by diffing, fed into a ProcessTable.
 */

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHostInfo } from '../../src/model/host-info.js';
import { ProcessTable } from '../../src/model/process-table.js';
import { ProcfsSource } from '../../src/sensor/procfs-source.js';
import type { EventAction, ProcessEvent } from '../../src/sensor/process-event.js';
import { findProcess, killTracked, marker, sleep, track, waitFor } from './real-processes.js';

/** /bin/sh is a symlink (to dash here): process.name is the real executable's basename. */
const SH = basename(realpathSync('/bin/sh'));

interface Harness {
  source: ProcfsSource;
  table: ProcessTable;
  log: { action: EventAction; pid: number; executable: string; args: string[]; exitCode: number; signal: number }[];
}

async function startSource(opts: { intervalMs?: number; snapshot?: boolean } = {}): Promise<Harness> {
  const host = readHostInfo();
  const table = new ProcessTable({ host });
  const source = new ProcfsSource({ bootTimeMs: host.bootTimeMs, intervalMs: opts.intervalMs ?? 60_000, snapshot: opts.snapshot ?? true });
  const log: Harness['log'] = [];
  await source.start((e: ProcessEvent) => {
    log.push({ action: e.action, pid: e.pid, executable: e.executable, args: [...e.args], exitCode: e.exitCode, signal: e.signal });
    table.apply(e);
  });
  return { source, table, log };
}

/** Polls until `probe` holds (the source is polled by hand: no timer involved). */
async function pollUntil(h: Harness, what: string, probe: () => boolean): Promise<void> {
  await waitFor(what, () => {
    h.source.poll();
    return probe() ? true : undefined;
  });
}

describe('ProcfsSource', () => {
  const sources: ProcfsSource[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    for (const c of children.splice(0)) c.kill('SIGKILL');
    killTracked();
  });
  const run = (cmd: string, args: string[]): ChildProcess => {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    children.push(c);
    return c;
  };

  it('is a degraded source named procfs that snapshots what exists at start', async () => {
    const m = marker(70);
    run('/bin/sleep', [m]);
    const pid = await waitFor('sleep', () => findProcess(['/bin/sleep', m]));
    const h = await startSource();
    sources.push(h.source);
    expect(h.source.name).toBe('procfs');
    expect(h.source.degraded).toBe(true);
    expect(h.log.every((e) => e.action === 'snapshot')).toBe(true);
    expect(h.log.some((e) => e.pid === 1)).toBe(true);
    expect(h.source.knownCount).toBe(h.log.length);
    const n = h.table.get(pid)!;
    expect(n.fromSnapshot).toBe(true);
    expect(n.args).toEqual(['/bin/sleep', m]);
    expect(n.parent?.pid).toBe(process.pid);
  });

  it('the same entity id at backfill and at the process end', async () => {
    const m = marker(71);
    const child = run('/bin/sleep', [m]);
    const pid = await waitFor('sleep', () => findProcess(['/bin/sleep', m]));
    const h = await startSource();
    sources.push(h.source);
    const node = h.table.get(pid)!;
    const id = node.entityId;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r)); // reaped by node: it vanishes from /proc
    await pollUntil(h, 'end', () => node.exited);
    expect(h.log.filter((e) => e.pid === pid).map((e) => e.action)).toEqual(['snapshot', 'end']);
    expect(h.table.get(pid)).toBe(node);
    expect(node.entityId).toBe(id);
    expect(node.end).toBeGreaterThanOrEqual(node.start);
    expect(node.exitCause).toBe('unknown'); // reaped between two polls: no exit code invented
  });

  it('synthesizes fork and exec for a new process, in start order (parents first)', async () => {
    const h = await startSource();
    sources.push(h.source);
    const m = marker(72);
    const sh = run('/bin/sh', ['-c', `/bin/sleep ${m} & wait`]);
    const pid = await waitFor('sleep', () => findProcess(['/bin/sleep', m]));
    await pollUntil(h, 'sleep seen', () => h.table.get(pid)?.executable !== undefined);
    const n = h.table.get(pid)!;
    expect(n.executable).toBe(realpathSync('/bin/sleep'));
    expect(n.args).toEqual(['/bin/sleep', m]);
    expect(n.fromSnapshot).toBe(false);
    expect(n.parent?.pid).toBe(sh.pid);
    expect(n.parent?.parent?.pid).toBe(process.pid);
    const actions = h.log.filter((e) => e.pid === sh.pid || e.pid === pid).map((e) => `${e.pid === pid ? 'sleep' : 'sh'}:${e.action}`);
    expect(actions).toEqual(['sh:fork', 'sh:exec', 'sleep:fork', 'sleep:exec']);
    expect(n.previous.map((p) => p.executable)).toEqual([realpathSync('/bin/sh')]);
  });

  it('a forked child still running its parent image gets no exec', async () => {
    const h = await startSource();
    sources.push(h.source);
    const m = marker(73);
    // the subshell ( ... ) is a fork of sh that does not exec (it runs a builtin loop)
    const script = `( while :; do sleep 1; done ) & : ${m}; wait`;
    const sh = run('/bin/sh', ['-c', script]);
    await waitFor('sh', () => findProcess(['/bin/sh', '-c', script]));
    const subshell = () => [...h.table.processes()].find((n) => n.ppid === sh.pid && n.name === SH);
    await pollUntil(h, 'subshell seen', () => subshell() !== undefined);
    const sub = subshell()!;
    track(sub.pid);
    expect(h.log.filter((e) => e.pid === sub.pid).map((e) => e.action)).toEqual(['fork']);
    expect(sub.args).toEqual(['/bin/sh', '-c', script]);
    expect(sub.previous).toEqual([]);
    process.kill(sub.pid, 'SIGKILL');
  });

  it('notices an exec of a known process (executable changed)', async () => {
    const m = marker(74);
    const sh = run('/bin/sh', ['-c', `sleep 0.5; exec /bin/sleep ${m}`]);
    await waitFor('sh', () => findProcess(['/bin/sh', '-c', `sleep 0.5; exec /bin/sleep ${m}`]));
    const h = await startSource();
    sources.push(h.source);
    const node = h.table.get(sh.pid!)!;
    expect(node.name).toBe(SH);
    await pollUntil(h, 'exec', () => node.name === 'sleep');
    expect(node.args).toEqual(['/bin/sleep', m]);
    expect(node.previous.at(-1)?.executable).toBe(realpathSync('/bin/sh'));
    expect(h.log.filter((e) => e.pid === sh.pid).map((e) => e.action)).toEqual(['snapshot', 'exec']);
  });

  it('notices setsid', async () => {
    if (!existsSync('/usr/bin/perl')) return;
    const perl = run('/usr/bin/perl', ['-MPOSIX', '-e', 'select(undef,undef,undef,0.4); POSIX::setsid(); sleep 30']);
    await waitFor('perl', () => findProcess(['/usr/bin/perl', '-MPOSIX', '-e', 'select(undef,undef,undef,0.4); POSIX::setsid(); sleep 30']));
    const h = await startSource();
    sources.push(h.source);
    const node = h.table.get(perl.pid!)!;
    expect(node.sessionLeader).not.toBe(node);
    await pollUntil(h, 'setsid', () => node.sid === node.pid);
    expect(node.sessionLeader).toBe(node);
    expect(h.log.filter((e) => e.pid === perl.pid).map((e) => e.action)).toEqual(['snapshot', 'setsid']);
  });

  it('reports the real exit status of zombies (code and signal)', async () => {
    const h = await startSource();
    sources.push(h.source);
    const m1 = marker(75);
    const m2 = marker(75);
    // children that exit while their parent (now running sleep) never reaps them
    const a = run('/bin/sh', ['-c', `(exit 7) & exec /bin/sleep ${m1}`]);
    const b = run('/bin/sh', ['-c', `/bin/sleep 100 & kill -9 $!; exec /bin/sleep ${m2}`]);
    await waitFor('parents', () => (findProcess(['/bin/sleep', m1]) && findProcess(['/bin/sleep', m2])) || undefined);
    const zombieOf = (ppid: number) => [...h.table.processes()].find((n) => n.ppid === ppid && n.exited);
    await pollUntil(h, 'zombies', () => zombieOf(a.pid!) !== undefined && zombieOf(b.pid!) !== undefined);
    const za = zombieOf(a.pid!)!;
    const zb = zombieOf(b.pid!)!;
    expect([za.exitCode, za.signal, za.exitCause]).toEqual([7, 0, 'exited']);
    expect([zb.exitCode, zb.signal, zb.exitCause]).toEqual([0, 9, 'signaled']);
    // reported once, though the zombie stays until its parent goes
    const ends = h.log.filter((e) => e.pid === za.pid && e.action === 'end').length;
    h.source.poll();
    expect(h.log.filter((e) => e.pid === za.pid && e.action === 'end').length).toBe(ends);
    expect(ends).toBe(1);
  });

  it('polls on its own timer, never throws under churn, and stops', async () => {
    const h = await startSource({ intervalMs: 20, snapshot: false });
    sources.push(h.source);
    expect(h.log).toEqual([]);
    const churn = run('/bin/sh', ['-c', 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done']);
    for (let i = 0; i < 30; i++) expect(() => h.source.poll()).not.toThrow();
    await new Promise((r) => churn.once('exit', r));
    await sleep(100);
    const seen = h.log.length;
    expect(h.log.some((e) => e.pid === churn.pid && e.action === 'fork')).toBe(true);
    await h.source.stop();
    const m = marker(76);
    run('/bin/sleep', [m]);
    await waitFor('sleep', () => findProcess(['/bin/sleep', m]));
    await sleep(100);
    expect(h.log.length).toBe(seen);
    expect(h.log.some((e) => e.args[1] === m)).toBe(false);
  });
});
