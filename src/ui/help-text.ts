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
  { keys: '↑ ↓  k j', what: 'move in the focused list (or scroll the detail / help)' },
  { keys: 'PgUp PgDn', what: 'a page up / down' },
  { keys: 'Home End', what: 'first / last row' },
  { keys: 'Tab', what: 'switch between the sessions list and the process tree', hint: { text: 'Tab pane', live: 3 } },
  {
    keys: 'Enter',
    what: 'details of the selected process (sessions list: its entry leader; a folded line: expand / fold it)',
    hint: { text: 'Enter detail', live: 4 },
  },
  { keys: 'Esc', what: 'close the detail, help or terminal, cancel a prompt, back to the sessions list' },
  { keys: '/', what: 'search the arguments and working directories of every process', hint: { text: '/ search', live: 5, replay: 8 } },
  { keys: 'n N', what: 'next / previous search match' },
  { keys: 'f', what: 'follow the most active session (and its newest process)', hint: { text: 'f follow', live: 6 } },
  { keys: 't', what: 'show / hide start times in the tree', hint: { text: 't time', live: 9 } },
  { keys: 'v', what: 'verbose: show / hide shell noise (prompt helpers, subshells)', hint: { text: 'v verbose', live: 10 } },
  { keys: 'o', what: "the selected session's terminal: its screen now (live) or at the cursor (replay); needs --tty-output" },
  { keys: '?', what: 'this help', hint: { text: '? help', live: 1, replay: 1 } },
  { keys: 'q  Ctrl-C', what: 'quit (the terminal is restored)', hint: { text: 'q quit', live: 2, replay: 2 } },
];

export const LIVE_KEYS: readonly KeyHelp[] = [
  { keys: '← →', what: 'focus the sessions list / the process tree' },
  { keys: 'p', what: 'pause the view (capture and recording continue)', hint: { text: 'p pause', live: 7 } },
  { keys: 'r', what: 'start recording to a file (asks for its name) / stop recording', hint: { text: 'r rec', live: 8 } },
];

export const REPLAY_KEYS: readonly KeyHelp[] = [
  { keys: 'Space  p', what: 'play / pause', hint: { text: 'Space play', replay: 3 } },
  { keys: '+ -', what: 'faster / slower', hint: { text: '+/- speed', replay: 4 } },
  { keys: '← →', what: 'step one event back / forward', hint: { text: '←/→ step', replay: 5 } },
  { keys: 'g G', what: 'go to the start / the end of the recording', hint: { text: 'g/G start/end', replay: 6 } },
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
