/** The `?` help screen: every key, for live and for replay. */

export const COMMON_KEYS: readonly [string, string][] = [
  ['↑ ↓  k j', 'move in the focused list (or scroll the detail / help / results)'],
  ['PgUp PgDn', 'a page up / down'],
  ['Home End', 'first / last row'],
  ['Tab', 'switch between the sessions list and the process tree'],
  ['Enter', 'details of the selected process: its ancestry first, then every field (sessions list: the entry leader; a folded line: expand / fold it; results: go there)'],
  ['Esc  q', 'close the detail, help or result list; Esc also cancels a prompt, clears the search, goes back to the sessions list'],
  ['/  F3', 'search typed lines (and where they were typed), arguments and working directories of every session'],
  ['n N', 'next / previous search match'],
  ['w', 'list every match: who typed or ran it, in which session, when'],
  ['\\  F4', 'filter the sessions: user:NAME type:sshd host:NAME from:IP tty:pts/3 state:ended, bare words, -WORD excludes'],
  ['o  F6', 'sort the sessions: human logins first (default), login time, user, idle, processes, activity'],
  ['f', 'follow the session where a person typed or ran a command last (and its newest row)'],
  ['t', 'show / hide start times in the tree'],
  ['v', 'verbose: show / hide shell noise (prompt helpers, subshells, rc-file and logout-file commands)'],
  ['?  F1', 'this help'],
  ['q  F10', 'quit from the main view (while recording: press it twice); Ctrl-C quits at once'],
];

export const LIVE_KEYS: readonly [string, string][] = [
  ['← →', 'focus the sessions list / the process tree'],
  ['p', 'pause the view (capture and recording continue)'],
  ['r', 'start recording to a file (asks for its name) / stop recording'],
];

export const REPLAY_KEYS: readonly [string, string][] = [
  ['Space  p', 'play / pause'],
  ['+ -', 'faster / slower'],
  ['[ ]', 'previous / next typed line or command of the selected session'],
  ['← →', 'step one event of the whole recording back / forward'],
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
    'Highlighted (▸) commands were entered by a person at a terminal (a typed line introduced them); » lines are what they typed. ×N: N identical finished commands folded into one row.',
    'STATE: active, detached (the login ended; a tmux or screen it started still runs), ended HH:MM (the logout time).',
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
