/** The `?` help screen: every key, for live and for replay. */

export const COMMON_KEYS: readonly [string, string][] = [
  ['↑ ↓  k j', 'move in the focused list (or scroll the detail / help)'],
  ['PgUp PgDn', 'a page up / down'],
  ['Home End', 'first / last row'],
  ['Tab', 'switch between the sessions list and the process tree'],
  ['Enter', 'details of the selected process (sessions list: its entry leader; a folded line: expand / fold it)'],
  ['Esc', 'close the detail, help or terminal, cancel a prompt, back to the sessions list'],
  ['/', 'search the arguments and working directories of every process'],
  ['n N', 'next / previous search match'],
  ['f', 'follow the most active session (and its newest process)'],
  ['t', 'show / hide start times in the tree'],
  ['v', 'verbose: show / hide shell noise (prompt helpers, subshells)'],
  ['o', "the selected session's terminal: its screen now (live) or at the cursor (replay); needs --tty-output"],
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

const KEY_COLUMN = 15;

/** The help text, wrapped to `width` columns (descriptions continue under themselves). */
export function helpLines(mode: 'live' | 'replay', width = 80): string[] {
  const keys = [...COMMON_KEYS, ...(mode === 'live' ? LIVE_KEYS : REPLAY_KEYS)];
  const out: string[] = [];
  out.push(mode === 'live' ? 'sessiontop — live view. Keys:' : 'sessiontop — replay. Keys:');
  out.push('');
  for (const [k, what] of keys) {
    const lines = wrap(what, Math.max(20, width - KEY_COLUMN - 1));
    lines.forEach((l, i) => out.push(`${(i === 0 ? `  ${k}` : '').padEnd(KEY_COLUMN)} ${l}`));
  }
  out.push('');
  for (const para of [
    'Highlighted (▸) commands were entered by a person at a terminal; » lines are what they typed.',
    'Exit codes other than 0 and signals are shown in red, with how long the process ran.',
    'Every string from a process is shown with its control characters escaped (\\e, \\x07, \\xNN).',
  ]) {
    out.push(...wrap(para, Math.max(20, width - 1)));
  }
  return out;
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
