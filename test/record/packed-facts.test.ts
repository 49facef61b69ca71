import { describe, expect, it } from 'vitest';
import { newHostFacts, newLineHostFacts, type HostFacts, type LineHostFacts } from '../../src/record/line-to-event.js';
import { Kind, MAX_INTERNED, PackedFactsReader, PackedFactsWriter, PackedTables, Slot, STRIDE } from '../../src/record/packed-facts.js';
import { newProcessEvent, type ProcessEvent } from '../../src/sensor/process-event.js';

/** An event with every field away from its neutral value. */
function fullEvent(i: number): ProcessEvent {
  const e = newProcessEvent();
  Object.assign(e, {
    action: 'text_output',
    time: 1_714_557_600_123.456 + i,
    pid: 4_000_000_000 + i,
    ppid: 2,
    pgid: 3,
    sid: 4,
    startTicks: 2 ** 40 + 5,
    start: 1_714_557_000_000.25,
    uid: 1000,
    euid: 0,
    suid: 1001,
    gid: 1002,
    egid: 1003,
    sgid: 0xffffffff,
    loginUid: 1000,
    auditSessionId: 0xffffffff,
    tty: (136 << 20) | 3,
    stdinDev: 7,
    stdinType: 1,
    stdoutDev: 8,
    stdoutType: 3,
    stderrDev: 9,
    stderrType: 5,
    comm: 'bash',
    executable: '/usr/bin/bash',
    args: ['bash', '-c', `echo ${i}`, ''],
    argsTruncated: true,
    cwd: '/home/ops',
    cgroup: 'session-3.scope',
    sshConnection: '10.0.0.1 5555 10.0.0.2 22',
    exitCode: -1,
    signal: 9,
    coreDumped: true,
    exitUnknown: true,
    targetPid: 11,
    targetPgid: 12,
    line: `ls -la ${i} \u0000\u009b`,
    lineTruncated: true,
    shell: 'zsh',
    typedVia: 'accept',
    text: '\u001b[1mbold\u001b[0m é 🎉',
    ioBytes: 2 ** 53 - 1,
    ioSkipped: 17,
    ioSkips: [0, 4, 10, 3],
    ioCapped: true,
    ttyRows: 50,
    ttyColumns: 200,
    lost: 123,
  } satisfies Partial<ProcessEvent>);
  return e;
}

const hostFacts: HostFacts = { name: 'web1', bootId: 'b-1', via: 'ops@web1', pidNsIno: '4026531836', kernel: '6.18.0' };
const lineFacts: LineHostFacts = { hasStartTicks: true, uptime: 1234, userName: 'root', realUserName: 'ops', groupName: 'wheel', realGroupName: undefined };

describe('packed facts: worker → main thread layout', () => {
  it('round-trips every ProcessEvent field, the host facts and the line facts, across batches', () => {
    const w = new PackedFactsWriter();
    const tables = new PackedTables();
    let spare: ArrayBuffer | null = null;
    let handedBack: ArrayBuffer | null = null;
    for (let batchNo = 0; batchNo < 3; batchNo++) {
      for (let i = 0; i < 5; i++) {
        w.begin(Kind.event, i + 1, 1000 * i, 99 + i, i === 4);
        w.setHost(hostFacts);
        w.setEvent(fullEvent(i), lineFacts);
      }
      w.begin(Kind.bad, 6, 5000, 10, false);
      w.setLocal(Slot.reason, 'not valid JSON');
      w.begin(Kind.tooLong, 7, 6000, 2_000_000, true);
      const batch = w.take(spare);
      // the buffer holds the records (with room to spare); the reader's buffer of the batch before,
      // handed back at the last take, is the one this batch was written in
      expect(batch.buffer.byteLength).toBeGreaterThanOrEqual(7 * STRIDE * 8);
      if (handedBack !== null) expect(batch.buffer).toBe(handedBack);
      // strings repeat across batches: sent once (the first batch), referred to afterwards
      if (batchNo > 0) expect(batch.interned.filter((v) => v === 'web1')).toEqual([]);
      const copy = structuredClone(batch, { transfer: [batch.buffer] });
      const r = new PackedFactsReader(copy, tables.receive(0, copy));
      expect(r.count).toBe(7);
      for (let i = 0; i < 5; i++) {
        const e = newProcessEvent();
        const x = newLineHostFacts();
        r.event(i, e, x);
        expect(e).toEqual(fullEvent(i));
        expect(x).toEqual(lineFacts);
        expect(r.host(i, newHostFacts())).toEqual(hostFacts);
        expect([r.num(i, Slot.kind), r.num(i, Slot.line), r.num(i, Slot.offset), r.num(i, Slot.length), r.num(i, Slot.unterminated)]).toEqual([
          Kind.event,
          i + 1,
          1000 * i,
          99 + i,
          i === 4 ? 1 : 0,
        ]);
        expect(r.str(i, Slot.reason)).toBeUndefined();
      }
      expect(r.num(5, Slot.kind)).toBe(Kind.bad);
      expect(r.str(5, Slot.reason)).toBe('not valid JSON');
      expect([r.num(6, Slot.kind), r.num(6, Slot.length), r.num(6, Slot.unterminated)]).toEqual([Kind.tooLong, 2_000_000, 1]);
      handedBack = spare;
      spare = copy.buffer;
    }
    // a spare smaller than the writer's buffer is not used
    w.take(new ArrayBuffer(8 * STRIDE));
    for (let i = 0; i < 3; i++) w.begin(Kind.tooLong, i + 1, i, 5, false);
    const batch = w.take();
    expect(batch.buffer.byteLength).toBeGreaterThan(8 * STRIDE);
    expect(new PackedFactsReader(batch, []).num(2, Slot.offset)).toBe(2);
  });

  it('neutral values stay neutral (empty strings, no args, absent host facts)', () => {
    const w = new PackedFactsWriter();
    const e = newProcessEvent();
    w.begin(Kind.event, 1, 0, 1, false);
    w.setHost({ name: '', bootId: '', via: '', pidNsIno: undefined, kernel: undefined });
    w.setEvent(e, newLineHostFacts());
    const batch = w.take();
    const r = new PackedFactsReader(batch, new PackedTables().receive(0, batch));
    const back = fullEvent(0);
    const x = newLineHostFacts();
    r.event(0, back, x);
    expect(back).toEqual(newProcessEvent());
    expect(x).toEqual(newLineHostFacts());
    expect(r.host(0, newHostFacts())).toEqual(newHostFacts());
  });

  it('the interned table starts afresh between batches once full; earlier batches keep theirs', () => {
    const w = new PackedFactsWriter();
    const tables = new PackedTables();
    const e = newProcessEvent();
    const x = newLineHostFacts();
    for (let i = 0; i < MAX_INTERNED; i++) {
      e.executable = `/bin/p${i}`;
      w.begin(Kind.event, i + 1, i, 1, false);
      w.setEvent(e, x);
    }
    const first = w.take();
    expect(first.reset).toBe(false);
    const firstReader = new PackedFactsReader(first, tables.receive(0, first));
    e.executable = '/bin/p0';
    w.begin(Kind.event, 1, 0, 1, false);
    w.setEvent(e, x);
    const second = w.take();
    expect(second.reset).toBe(true);
    expect(second.interned).toEqual(['/bin/p0']); // sent again: the old table is gone
    const secondReader = new PackedFactsReader(second, tables.receive(0, second));
    const out = newProcessEvent();
    secondReader.event(0, out, newLineHostFacts());
    expect(out.executable).toBe('/bin/p0');
    firstReader.event(MAX_INTERNED - 1, out, newLineHostFacts());
    expect(out.executable).toBe(`/bin/p${MAX_INTERNED - 1}`);
  });

  it('argument vectors and strings are interned apart ([\'ls\'] is not \'ls\')', () => {
    const w = new PackedFactsWriter();
    const e = newProcessEvent();
    e.executable = 'ls';
    e.args = ['ls'];
    w.begin(Kind.event, 1, 0, 1, false);
    w.setEvent(e, newLineHostFacts());
    const batch = w.take();
    const r = new PackedFactsReader(batch, new PackedTables().receive(0, batch));
    const out = newProcessEvent();
    r.event(0, out, newLineHostFacts());
    expect(out.executable).toBe('ls');
    expect(out.args).toEqual(['ls']);
  });
});
