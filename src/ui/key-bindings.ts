/**
 * Keys → commands. Pure (no state, no I/O) so every binding is testable; the store carries the
 * commands out. `KeyInfo` is the subset of Ink's `Key` the bindings look at.
 */

export interface KeyInfo {
  upArrow: boolean;
  downArrow: boolean;
  leftArrow: boolean;
  rightArrow: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  ctrl: boolean;
  tab: boolean;
  backspace: boolean;
  delete: boolean;
  /** A function key F1–F12 (function-keys.ts reads it from the raw input), 0 or absent: none. */
  fn?: number;
}

export type Command =
  | { kind: 'move'; delta: number }
  | { kind: 'page'; delta: 1 | -1 }
  | { kind: 'home' }
  | { kind: 'end' }
  | { kind: 'switchPane' }
  | { kind: 'focus'; pane: 'sessions' | 'tree' }
  | { kind: 'open' }
  | { kind: 'back' }
  | { kind: 'search' }
  | { kind: 'filter' }
  | { kind: 'sort' }
  | { kind: 'results' }
  | { kind: 'stepSession'; dir: 1 | -1 }
  | { kind: 'next' }
  | { kind: 'prev' }
  | { kind: 'follow' }
  | { kind: 'pause' }
  | { kind: 'record' }
  | { kind: 'help' }
  | { kind: 'terminal' }
  | { kind: 'quit'; force?: boolean }
  | { kind: 'timestamps' }
  | { kind: 'verbose' }
  | { kind: 'playPause' }
  | { kind: 'faster' }
  | { kind: 'slower' }
  | { kind: 'stepForward' }
  | { kind: 'stepBack' }
  | { kind: 'toStart' }
  | { kind: 'toEnd' }
  | { kind: 'seek' }
  | { kind: 'promptInput'; text: string }
  | { kind: 'promptBackspace' }
  | { kind: 'promptClear' }
  | { kind: 'promptSubmit' }
  | { kind: 'promptCancel' };

export interface KeyContext {
  mode: 'live' | 'replay';
  /** An input line (search, seek, file name) is being typed. */
  prompting: boolean;
}

// Printable text only: what a paste may bring in beyond that is dropped.
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\u0000-\u001f\u007f-\u009f]/g;

/** htop's function keys: F1 help, F3 search, F4 filter, F6 sort, F10 quit. */
export function commandForFunctionKey(fn: number): Command | null {
  switch (fn) {
    case 1:
      return { kind: 'help' };
    case 3:
      return { kind: 'search' };
    case 4:
      return { kind: 'filter' };
    case 6:
      return { kind: 'sort' };
    case 10:
      return { kind: 'quit' };
  }
  return null;
}

export function commandForKey(input: string, key: KeyInfo, ctx: KeyContext): Command | null {
  if (key.ctrl && input === 'c') return { kind: 'quit', force: true };
  if (key.fn !== undefined && key.fn !== 0) return ctx.prompting ? null : commandForFunctionKey(key.fn);
  if (ctx.prompting) {
    if (key.return) return { kind: 'promptSubmit' };
    if (key.escape) return { kind: 'promptCancel' };
    if (key.backspace || key.delete) return { kind: 'promptBackspace' };
    if (key.ctrl && input === 'u') return { kind: 'promptClear' };
    if (key.ctrl || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return null;
    const text = input.replace(NON_PRINTABLE, '');
    return text === '' ? null : { kind: 'promptInput', text };
  }
  if (key.upArrow) return { kind: 'move', delta: -1 };
  if (key.downArrow) return { kind: 'move', delta: 1 };
  if (key.pageUp) return { kind: 'page', delta: -1 };
  if (key.pageDown) return { kind: 'page', delta: 1 };
  if (key.home) return { kind: 'home' };
  if (key.end) return { kind: 'end' };
  if (key.tab) return { kind: 'switchPane' };
  if (key.return) return { kind: 'open' };
  if (key.escape) return { kind: 'back' };
  if (key.leftArrow) return ctx.mode === 'live' ? { kind: 'focus', pane: 'sessions' } : { kind: 'stepBack' };
  if (key.rightArrow) return ctx.mode === 'live' ? { kind: 'focus', pane: 'tree' } : { kind: 'stepForward' };
  if (key.ctrl) return null;
  switch (input) {
    case 'k':
      return { kind: 'move', delta: -1 };
    case 'j':
      return { kind: 'move', delta: 1 };
    case '/':
      return { kind: 'search' };
    case 'n':
      return { kind: 'next' };
    case 'N':
      return { kind: 'prev' };
    case 'f':
      return { kind: 'follow' };
    case 't':
      return { kind: 'timestamps' };
    case 'v':
      return { kind: 'verbose' };
    case '?':
      return { kind: 'help' };
    case 'O':
      return { kind: 'terminal' };
    case 'q':
      return { kind: 'quit' };
    case 'r':
      return { kind: 'record' };
    case '\\':
      return { kind: 'filter' };
    case 'o':
      return { kind: 'sort' };
    case 'w':
      return { kind: 'results' };
  }
  if (ctx.mode === 'live') {
    if (input === 'p') return { kind: 'pause' };
    return null;
  }
  switch (input) {
    case ' ':
    case 'p':
      return { kind: 'playPause' };
    case '+':
    case '=':
      return { kind: 'faster' };
    case '-':
    case '_':
      return { kind: 'slower' };
    case 'g':
      return { kind: 'toStart' };
    case 'G':
      return { kind: 'toEnd' };
    case 's':
    case ':':
      return { kind: 'seek' };
    case ']':
      return { kind: 'stepSession', dir: 1 };
    case '[':
      return { kind: 'stepSession', dir: -1 };
  }
  return null;
}

export const NO_KEY: KeyInfo = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  tab: false,
  backspace: false,
  delete: false,
};

/**
 * Ink hands over a run of plain characters read together (fast typing, a paste, keys queued while
 * busy) as one input. This splits such a run into one key per character, so `q` in " q" or the Enter
 * of "10:00:15\r" is not lost. Escape sequences (arrows...) are already separate and pass through.
 */
export function splitKeys(input: string, key: KeyInfo): [string, KeyInfo][] {
  if (input.length <= 1 || input.startsWith('\x1b') || key.ctrl) return [[input, key]];
  const out: [string, KeyInfo][] = [];
  for (const ch of input) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\r' || ch === '\n') out.push(['', { ...NO_KEY, return: true }]);
    else if (ch === '\t') out.push(['', { ...NO_KEY, tab: true }]);
    else if (c === 0x7f || c === 0x08) out.push(['', { ...NO_KEY, backspace: true }]);
    else if (c < 0x20) out.push([String.fromCharCode(c + 0x60), { ...NO_KEY, ctrl: true }]);
    else out.push([ch, NO_KEY]);
  }
  return out;
}
