/**
 * The keys of the view as one table: the `?` help screen and the status line's key hints are both
 * generated from it (key-bindings.ts maps the keys to commands).
 */

export interface KeyHelp {
  /** As shown in the help: `PgUp PgDn`. */
  keys: string;
  what: string;
  /** Short form for the status line's hints, with its place there per mode (absent: not hinted). */
  hint?: { text: string; live?: number; replay?: number };
}

export const COMMON_KEYS: readonly KeyHelp[] = [
  { keys: '↑ ↓  k j', what: 'move in the focused list (or scroll the detail / help / results)' },
  { keys: 'PgUp PgDn', what: 'a page up / down' },
  { keys: 'Home End', what: 'first / last row' },
  { keys: 'Tab', what: 'switch between the sessions list and the process tree', hint: { text: 'Tab pane', live: 3 } },
  {
    keys: 'Enter',
    what: 'details of the selected process: its ancestry first, then every field (sessions list: the entry leader; a folded line: expand / fold it; results: go there)',
    hint: { text: 'Enter detail', live: 4 },
  },
  { keys: 'Esc  q', what: 'close the detail, help, result list or terminal; Esc also cancels a prompt, clears the search, goes back to the sessions list' },
  {
    keys: '/  F3',
    what: 'search typed lines (and where they were typed), arguments and working directories of every session',
    hint: { text: '/ search', live: 5, replay: 8 },
  },
  { keys: 'n N', what: 'next / previous search match' },
  { keys: 'w', what: 'list every match: who typed or ran it, in which session, when' },
  {
    keys: '\\  F4',
    what: 'filter the sessions: user:NAME type:sshd host:NAME from:IP tty:pts/3 state:ended, bare words, -WORD excludes',
    hint: { text: '\\ filter', live: 6 },
  },
  { keys: 'o  F6', what: 'sort the sessions: human logins first (default), login time, user, idle, processes, activity', hint: { text: 'o sort', live: 7 } },
  { keys: 'f', what: 'follow the session where a person typed or ran a command last (and its newest row)', hint: { text: 'f follow', live: 8 } },
  { keys: 't', what: 'show / hide start times in the tree' },
  { keys: 'v', what: 'verbose: show / hide shell noise (prompt helpers, subshells, rc-file and logout-file commands)', hint: { text: 'v verbose', live: 11 } },
  { keys: '?  F1', what: 'this help', hint: { text: 'F1 help', live: 1, replay: 1 } },
  { keys: 'q  F10', what: 'quit from the main view (while recording: press it twice); Ctrl-C quits at once', hint: { text: 'q quit', live: 2, replay: 2 } },
  { keys: 'O', what: "the selected session's terminal: its screen now (live) or at the cursor (replay); needs --tty-output" },
];

export const LIVE_KEYS: readonly KeyHelp[] = [
  { keys: '← →', what: 'focus the sessions list / the process tree' },
  { keys: 'p', what: 'pause the view (capture and recording continue)', hint: { text: 'p pause', live: 9 } },
  { keys: 'r', what: 'start recording to a file (asks for its name) / stop recording', hint: { text: 'r rec', live: 10 } },
];

export const REPLAY_KEYS: readonly KeyHelp[] = [
  { keys: 'Space  p', what: 'play / pause', hint: { text: 'Space play', replay: 3 } },
  { keys: '+ -', what: 'faster / slower', hint: { text: '+/- speed', replay: 4 } },
  { keys: '[ ]', what: 'previous / next typed line or command of the selected session', hint: { text: '[ ] prev/next in session', replay: 5 } },
  { keys: '← →', what: 'step one event of the whole recording back / forward', hint: { text: '←/→ step', replay: 6 } },
  { keys: 'g G', what: 'go to the start / the end of the recording' },
  { keys: 's  :', what: 'seek to a time: 12:03:04, 2024-05-01T12:03:04Z, +30s, -5m, 50%', hint: { text: 's seek', replay: 7 } },
];

function keysOf(mode: 'live' | 'replay'): KeyHelp[] {
  return [...COMMON_KEYS, ...(mode === 'live' ? LIVE_KEYS : REPLAY_KEYS)];
}

/** The status line's key hints for `mode`, from the key table. */
export function keyHints(mode: 'live' | 'replay'): string {
  const hinted: [number, string][] = [];
  for (const k of keysOf(mode)) {
    const rank = k.hint?.[mode];
    if (k.hint !== undefined && rank !== undefined) hinted.push([rank, k.hint.text]);
  }
  return hinted
    .sort((a, b) => a[0] - b[0])
    .map(([, text]) => text)
    .join('  ');
}

const KEY_COLUMN = 15;

/** The help text, wrapped to `width` columns (descriptions continue under themselves). */
export function helpLines(mode: 'live' | 'replay', width = 80): string[] {
  const keys = keysOf(mode);
  const out: string[] = [];
  out.push(mode === 'live' ? 'sessiontop — live view. Keys:' : 'sessiontop — replay. Keys:');
  out.push('');
  for (const { keys: k, what } of keys) {
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
