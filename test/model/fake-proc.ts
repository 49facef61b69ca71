/** A fake /proc tree for model tests (the procfs readers take a procRoot). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimProcess } from './synthetic-host.js';

/** One fake /proc/<pid> directory: stat (52 fields), status, cmdline. */
export interface FakeProc {
  pid: number;
  ppid: number;
  pgid?: number;
  sid?: number;
  comm: string;
  startTicks: number;
  state?: string;
  exitStatus?: number;
  uid?: number;
  args?: string[];
}

export function writeFakeProc(root: string, p: FakeProc): void {
  const dir = join(root, String(p.pid));
  mkdirSync(dir, { recursive: true });
  const f = new Array<string>(53).fill('0'); // f[N] = stat field N (3..52)
  f[3] = p.state ?? 'S';
  f[4] = String(p.ppid);
  f[5] = String(p.pgid ?? p.pid);
  f[6] = String(p.sid ?? p.pid);
  f[8] = '-1';
  f[22] = String(p.startTicks);
  f[52] = String(p.exitStatus ?? 0);
  writeFileSync(join(dir, 'stat'), `${p.pid} (${p.comm}) ${f.slice(3).join(' ')}\n`);
  const uid = p.uid ?? 0;
  writeFileSync(join(dir, 'status'), `Name:\t${p.comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  writeFileSync(join(dir, 'cmdline'), `${(p.args ?? [p.comm]).join('\0')}\0`);
}

/** What /proc would show for a simulated process that is still alive. */
export const fakeOf = (p: SimProcess): FakeProc => ({
  pid: p.pid,
  ppid: p.ppid,
  pgid: p.pgid,
  sid: p.sid,
  comm: p.comm,
  startTicks: p.startTicks,
  uid: p.uid,
  args: p.args,
});
