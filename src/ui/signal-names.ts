/** Linux signal numbers → names (generic numbering, as on x86 and arm). */

const NAMES = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];

export function signalName(signal: number): string {
  const n = signal & 0x7f;
  const name = NAMES[n];
  if (name !== undefined && name !== '') return name;
  if (n >= 34 && n <= 64) return n === 34 ? 'SIGRTMIN' : n === 64 ? 'SIGRTMAX' : `SIGRTMIN+${n - 34}`;
  return `signal ${n}`;
}
