/** The `?` help screen: every key, for live and for replay. */

export const COMMON_KEYS: readonly [string, string][] = [
  ['↑ ↓  k j', 'move in the focused list (or scroll the detail / help)'],
  ['PgUp PgDn', 'a page up / down'],
  ['Home End', 'first / last row'],
  ['Tab', 'switch between the sessions list and the process tree'],
  ['Enter', 'details of the selected process (sessions list: its entry leader; a folded line: expand / fold it)'],
  ['Esc', 'close the detail or help, cancel a prompt, back to the sessions list'],
  ['/', 'search the arguments and working directories of every process'],
  ['n N', 'next / previous search match'],
  ['f', 'follow the most active session (and its newest process)'],
  ['t', 'show / hide start times in the tree'],
  ['v', 'verbose: show / hide shell noise (prompt helpers, subshells)'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit (the terminal is restored)'],
];

export const LIVE_KEYS: readonly [string, string][] = [
  ['← →', 'focus the sessions list / the process tree'],
  ['p', 'pause the view (capture and recording continue)'],
  ['r', 'start recording to a file (asks for its name) / stop recording'],
];

export const REPLAY_KEYS: readonly [string, string][] = [
  ['Space  p', 'play / pause'],
  ['+ -', 'faster / slower'],
  ['← →', 'step one event back / forward'],
  ['g G', 'go to the start / the end of the recording'],
  ['s  :', 'seek to a time: 12:03:04, 2024-05-01T12:03:04Z, +30s, -5m, 50%'],
];

export function helpLines(mode: 'live' | 'replay'): string[] {
  const keys = [...COMMON_KEYS, ...(mode === 'live' ? LIVE_KEYS : REPLAY_KEYS)];
  const out: string[] = [];
  out.push(mode === 'live' ? 'sessiontop — live view. Keys:' : 'sessiontop — replay. Keys:');
  out.push('');
  for (const [k, what] of keys) out.push(`  ${k.padEnd(12)} ${what}`);
  out.push('');
  out.push('Highlighted commands were entered by a person at a terminal; » lines are what they typed.');
  out.push('Exit codes other than 0 and signals are shown in red, with how long the process ran.');
  out.push('Every string from a process is shown with its control characters escaped (\\e, \\x07, \\xNN).');
  return out;
}
