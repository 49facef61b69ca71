/**
 * Builds packed sensor records (bpf/sessiontop.h layout) in JS, for decoder tests and benchmarks.
 */
import { Flag, HEADER_SIZE, Kind, Off, RECORD_VERSION } from '../../src/sensor/record-layout.js';

export interface RecordSpec {
  kind: number;
  tsNs?: bigint;
  startNs?: bigint;
  pid?: number;
  ppid?: number;
  pgid?: number;
  sid?: number;
  uid?: number;
  tty?: number;
  fds?: [number, number][];
  comm?: string;
  flags?: number;
  aux?: number[];
  filename?: Buffer;
  args?: Buffer;
  cwd?: Buffer;
  cgroup?: Buffer;
  env?: Buffer;
  /** executable path components, leaf first (like cwd) */
  exe?: Buffer;
  line?: Buffer;
  /** tty output bytes (aux: [kept, skippedBefore, rows << 16 | columns, skippedAfter]; aux[0] defaults to output.length) */
  output?: Buffer;
  version?: number;
}

export function buildRecord(s: RecordSpec): Buffer {
  const payload =
    s.kind === Kind.exec
      ? Buffer.concat([s.filename ?? Buffer.alloc(0), s.args ?? Buffer.alloc(0), s.cwd ?? Buffer.alloc(0), s.cgroup ?? Buffer.alloc(0), s.env ?? Buffer.alloc(0), s.exe ?? Buffer.alloc(0)])
      : s.kind === Kind.typed
        ? Buffer.concat([s.line ?? Buffer.alloc(0), s.cwd ?? Buffer.alloc(0)])
        : s.kind === Kind.ttyOutput
          ? (s.output ?? Buffer.alloc(0))
          : Buffer.alloc(0);
  const size = (HEADER_SIZE + payload.length + 7) & ~7;
  const b = Buffer.alloc(size);
  b.writeUInt16LE(s.kind, Off.kind);
  b.writeUInt16LE(s.version ?? RECORD_VERSION, Off.version);
  b.writeUInt32LE(size, Off.size);
  b.writeBigUInt64LE(s.tsNs ?? 1_000_000_000n, Off.tsNs);
  b.writeBigUInt64LE(s.startNs ?? 500_000_000n, Off.startNs);
  b.writeUInt32LE(s.pid ?? 100, Off.pid);
  b.writeUInt32LE(s.ppid ?? 1, Off.ppid);
  b.writeUInt32LE(s.pgid ?? 100, Off.pgid);
  b.writeUInt32LE(s.sid ?? 100, Off.sid);
  for (let i = 0; i < 6; i++) b.writeUInt32LE(s.uid ?? 0, Off.uid + i * 4);
  b.writeUInt32LE(0xffffffff, Off.loginUid);
  b.writeUInt32LE(0xffffffff, Off.sessionId);
  b.writeUInt32LE(s.tty ?? 0, Off.ttyDev);
  (s.fds ?? []).forEach(([type, dev], i) => {
    b.writeUInt32LE(dev, Off.fdDev + i * 4);
    b[Off.fdType + i] = type;
  });
  b.writeUInt32LE(s.flags ?? 0, Off.flags);
  b.write((s.comm ?? 'proc').slice(0, 15), Off.comm, 'latin1');
  (s.aux ?? []).forEach((v, i) => b.writeUInt32LE(v, Off.aux + i * 4));
  if (s.kind === Kind.exec) {
    b.writeUInt16LE(s.filename?.length ?? 0, Off.len);
    b.writeUInt16LE(s.cwd?.length ?? 0, Off.len + 2);
    b.writeUInt16LE(s.cgroup?.length ?? 0, Off.len + 4);
    b.writeUInt16LE(s.env?.length ?? 0, Off.len + 6);
    b.writeUInt32LE(s.args?.length ?? 0, Off.aux);
    b.writeUInt32LE(s.exe?.length ?? 0, Off.aux + 8);
  }
  if (s.kind === Kind.typed) {
    b.writeUInt32LE(s.line?.length ?? 0, Off.aux);
    b.writeUInt16LE(s.cwd?.length ?? 0, Off.len + 2);
  }
  if (s.kind === Kind.ttyOutput && s.aux?.[0] === undefined) b.writeUInt32LE(s.output?.length ?? 0, Off.aux);
  payload.copy(b, HEADER_SIZE);
  return b;
}

/** argv as the kernel lays it out. */
export const argv = (...a: (string | Buffer)[]): Buffer => Buffer.concat(a.flatMap((x) => [Buffer.from(x), Buffer.of(0)]));
/** cwd components, leaf first, NUL-terminated. */
export const cwd = (path: string): Buffer => argv(...path.split('/').filter(Boolean).reverse());
export { Flag, Kind };
