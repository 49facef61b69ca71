/**
 * Byte offsets of struct st_record (bpf/sessiontop.h). test/sensor/record-layout.test.ts compiles the
 * C header and checks every offset here against offsetof(), so the two cannot drift apart.
 */
export const RECORD_VERSION = 4;
export const HEADER_SIZE = 136;

export const Off = {
  kind: 0,
  version: 2,
  size: 4,
  tsNs: 8,
  startNs: 16,
  pid: 24,
  ppid: 28,
  pgid: 32,
  sid: 36,
  uid: 40,
  euid: 44,
  suid: 48,
  gid: 52,
  egid: 56,
  sgid: 60,
  loginUid: 64,
  sessionId: 68,
  ttyDev: 72,
  fdDev: 76,
  fdType: 88,
  flags: 92,
  comm: 96,
  aux: 112,
  len: 128,
} as const;

export const COMM_LEN = 16;

export const Kind = {
  fork: 1,
  exec: 2,
  exit: 3,
  setsid: 4,
  setpgid: 5,
  idChange: 6,
  typed: 7,
  ttyOutput: 8,
} as const;

/** enum st_shell: the shell a typed line comes from. */
export const Shell = { bash: 1, zsh: 2, dash: 3 } as const;
/** Shell names by enum st_shell value. */
export const SHELL_NAMES = ['', 'bash', 'zsh', 'dash'] as const;

/** enum st_typed_via: which probe saw a typed line. */
export const TypedVia = { return: 1, accept: 2, read: 3 } as const;

export const Flag = {
  argsTruncated: 1 << 0,
  typedTruncated: 1 << 1,
  cwdTruncated: 1 << 2,
  filenameTruncated: 1 << 3,
  env: 1 << 4,
  exeTruncated: 1 << 5,
  ttyCapped: 1 << 6,
  ttyOnlcr: 1 << 7,
} as const;

/** Kernel limits compiled into the BPF object. */
export const ARGS_DEFAULT = 16384;
export const ARGS_LIMIT = 65536;
export const TYPED_DEFAULT = 1024;
export const TYPED_LIMIT = 4096;
/** Terminal output: bytes of one write kept per record, and the default per-process bounds. */
export const TTY_CHUNK = 4096;
export const TTY_RATE_DEFAULT = 65536;
export const TTY_MAX_DEFAULT = 1 << 20;
