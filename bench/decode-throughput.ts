/**
 * Decode throughput: packed sensor records (a realistic fork/exec/exit mix) through RecordDecoder
 * into the reused ProcessEvent, in-process. Prints events/s.
 *   node dist/bench/decode-throughput.js
 */
import { RecordDecoder } from '../src/sensor/record-decoder.js';
import { FdType, makeDev, newProcessEvent } from '../src/sensor/process-event.js';
import { argv, buildRecord, cwd, Kind } from '../test/support/record-builder.js';
import { isMain, median, printFigures } from './bench-util.js';

export function run(): { eventsPerSec: number; bytesPerRecord: number } {
  const pts = makeDev(136, 2);
  const fds: [number, number][] = [[FdType.char, pts], [FdType.char, pts], [FdType.char, pts]];
  const batch: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const pid = 10000 + i;
    batch.push(buildRecord({ kind: Kind.fork, pid, ppid: 9000, tty: pts, fds, comm: 'bash' }));
    batch.push(
      buildRecord({
        kind: Kind.exec, pid, ppid: 9000, tty: pts, fds, comm: 'grep',
        filename: Buffer.from('/usr/bin/grep'),
        args: argv('grep', '-rn', '--color=auto', `pattern${i}`, 'src/'),
        cwd: cwd('/home/alice/projects/sessiontop'),
        cgroup: Buffer.from('session-4.scope'),
      }),
    );
    batch.push(buildRecord({ kind: Kind.exit, pid, ppid: 9000, comm: 'grep', aux: [0] }));
  }
  const buf = new Uint8Array(Buffer.concat(batch));
  const decoder = new RecordDecoder(buf, Date.now());
  const event = newProcessEvent();
  let sink = 0;
  const onEvent = (e: typeof event): void => {
    sink += e.pid;
  };
  for (let i = 0; i < 50; i++) decoder.decode(buf.length, event, onEvent); // warm up
  const rates: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    for (let i = 0; i < 100; i++) n += decoder.decode(buf.length, event, onEvent);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(n / s);
  }
  if (sink === 0) throw new Error('nothing decoded');
  return { eventsPerSec: Math.round(median(rates)), bytesPerRecord: Math.round(buf.length / batch.length) };
}

if (isMain(import.meta.url)) {
  const r = run();
  printFigures('decode throughput (fork/exec/exit mix, median of 7 rounds)', {
    'events/s': r.eventsPerSec,
    'bytes per record': r.bytesPerRecord,
  });
}
