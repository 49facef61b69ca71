/**
 * The screen of one entry session, as its person saw it: the session's terminal output (the
 * model's TerminalOutput log) fed to a real terminal emulator (@xterm/headless), whose cells are
 * then read back as plain, escaped, styled segments for the terminal pane.
 *
 * Nothing of the captured bytes ever reaches the administrator's terminal as bytes: the emulator
 * interprets them (cursor moves, colours, clears, alternate screen), its answers to queries go
 * nowhere, and only the resulting cell contents are drawn, each character through the same
 * escaping as every other process string (`safeText`), so a cell holding a control, bidi or
 * invisible character shows as a visible escape.
 *
 * Feeding is incremental: the log counts the chunks ever appended, so an update writes only the
 * new ones. A different log object (another session, a replay seek that restored a checkpoint) or
 * chunks dropped before they were fed rebuild the emulator from the chunks the log holds.
 */
import xtermHeadless from '@xterm/headless';
import type { IBufferCell, Terminal as XTerm } from '@xterm/headless';
import type { TerminalOutput } from '../model/types.js';
import type { Segment } from './components/segment-line.js';
import { safeText } from '../text/terminal-text.js';

const { Terminal } = xtermHeadless as unknown as { Terminal: typeof XTerm };

export const DEFAULT_COLUMNS = 80;
export const DEFAULT_ROWS = 24;

/** The pane's picture of a session's screen (plain data for the snapshot). */
export interface TerminalScreenView {
  /** Rows of the screen shown (the bottom ones when the pane is shorter), as styled, escaped segments. */
  rows: Segment[][];
  columns: number;
  height: number;
  /** Bytes captured and skipped over the session; some writer reached its bound. */
  bytes: number;
  skipped: number;
  capped: boolean;
  /** Chunks the model dropped (beyond its per-session bound) before the oldest it holds. */
  dropped: number;
}

const ANSI_NAMES = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'gray',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
  'whiteBright',
] as const;

export class TerminalScreen {
  private term: XTerm | null = null;
  private log: TerminalOutput | null = null;
  private fed = 0;
  private writes = 0;
  private cell: IBufferCell | null = null;

  /** @param onUpdate called when the emulator has processed written output (redraw then). */
  constructor(private readonly onUpdate: () => void = () => {}) {}

  /** Output written but not yet processed by the emulator. */
  get busy(): boolean {
    return this.writes > 0;
  }

  /** Brings the emulator up to date with `log` (null: nothing to show; the emulator is freed). */
  sync(log: TerminalOutput | null): void {
    if (log === null) {
      this.dispose();
      return;
    }
    const first = log.appended - log.chunks.length;
    if (this.term === null || log !== this.log || this.fed < first || this.fed > log.appended) {
      this.dispose();
      const c0 = log.chunks[0];
      const columns = c0 !== undefined && c0.columns > 0 ? c0.columns : log.columns > 0 ? log.columns : DEFAULT_COLUMNS;
      const rows = c0 !== undefined && c0.rows > 0 ? c0.rows : log.rows > 0 ? log.rows : DEFAULT_ROWS;
      // logLevel off: the emulator would console.error every parse error, and hostile output makes many
      this.term = new Terminal({ cols: columns, rows, scrollback: 0, allowProposedApi: true, logLevel: 'off' });
      this.log = log;
      this.fed = first;
    }
    const term = this.term;
    let text = '';
    for (let seq = this.fed; seq < log.appended; seq++) {
      const c = log.chunks[seq - first];
      if (c === undefined) continue;
      if (c.rows > 0 && c.columns > 0 && (c.rows !== term.rows || c.columns !== term.cols)) {
        if (text !== '') this.write(text);
        text = '';
        term.resize(c.columns, c.rows);
      }
      text += c.text;
    }
    if (text !== '') this.write(text);
    this.fed = log.appended;
  }

  /** Resolves once everything written so far has been processed (tests, export of a screen). */
  flushed(): Promise<void> {
    const term = this.term;
    if (term === null) return Promise.resolve();
    return new Promise((resolve) => term.write('', resolve));
  }

  /** The screen as segments: at most `height` rows (the bottom of the screen down to the cursor). */
  view(height: number, log: TerminalOutput): TerminalScreenView {
    const term = this.term;
    const rows: Segment[][] = [];
    const base = { columns: term?.cols ?? 0, height: term?.rows ?? 0, bytes: log.bytes, skipped: log.skipped, capped: log.capped, dropped: log.dropped };
    if (term === null) return { ...base, rows };
    const buf = term.buffer.active;
    this.cell ??= buf.getNullCell();
    const cell = this.cell;
    // the last rows that matter: down to the cursor, or to the last row holding something
    let bottom = buf.cursorY;
    for (let y = term.rows - 1; y > bottom; y--) {
      const line = buf.getLine(buf.viewportY + y);
      if (line !== undefined && line.translateToString(true) !== '') {
        bottom = y;
        break;
      }
    }
    const top = Math.max(0, bottom + 1 - height);
    for (let y = top; y <= bottom && rows.length < height; y++) {
      const line = buf.getLine(buf.viewportY + y);
      rows.push(line === undefined ? [] : lineSegments(line, term.cols, cell));
    }
    return { ...base, rows };
  }

  dispose(): void {
    this.term?.dispose();
    this.term = null;
    this.log = null;
    this.cell = null;
    this.fed = 0;
    this.writes = 0;
  }

  private write(text: string): void {
    this.writes++;
    const term = this.term;
    term?.write(text, () => {
      if (this.term !== term) return;
      this.writes--;
      if (this.writes === 0) this.onUpdate();
    });
  }
}

interface LineLike {
  getCell(x: number, cell?: IBufferCell): IBufferCell | undefined;
}

/** One screen row as segments of equal style, trailing unstyled blanks dropped. */
function lineSegments(line: LineLike, columns: number, cell: IBufferCell): Segment[] {
  const out: Segment[] = [];
  let text = '';
  let style: Omit<Segment, 'text'> = {};
  let key = '';
  let blanks = 0; // unstyled blanks not yet placed (dropped if nothing follows them)
  for (let x = 0; x < columns; x++) {
    const c = line.getCell(x, cell);
    if (c === undefined) break;
    if (c.getWidth() === 0) continue; // the second half of a wide character
    const chars = c.getChars();
    const s = cellStyle(c);
    const k = styleKey(s);
    if (k === '' && (chars === '' || chars === ' ')) {
      blanks++;
      continue;
    }
    if (blanks > 0) {
      if (key !== '') {
        if (text !== '') out.push({ text, ...style });
        text = '';
        style = {};
        key = '';
      }
      text += ' '.repeat(blanks);
      blanks = 0;
    }
    if (k !== key) {
      if (text !== '') out.push({ text, ...style });
      text = '';
      style = s;
      key = k;
    }
    text += chars === '' ? ' ' : safeText(chars);
  }
  if (text !== '') out.push({ text, ...style });
  return out;
}

function cellStyle(c: IBufferCell): Omit<Segment, 'text'> {
  const s: Omit<Segment, 'text'> = {};
  const fg = colorOf(c.isFgDefault(), c.isFgPalette(), c.isFgRGB(), c.getFgColor());
  const bg = colorOf(c.isBgDefault(), c.isBgPalette(), c.isBgRGB(), c.getBgColor());
  if (fg !== undefined) s.color = fg;
  if (bg !== undefined) s.backgroundColor = bg;
  if (c.isBold()) s.bold = true;
  if (c.isDim()) s.dim = true;
  if (c.isUnderline()) s.underline = true;
  if (c.isInverse()) s.inverse = true;
  return s;
}

function colorOf(isDefault: boolean, isPalette: boolean, isRgb: boolean, value: number): string | undefined {
  if (isDefault) return undefined;
  if (isPalette) return value < 16 ? ANSI_NAMES[value] : `ansi256(${value})`;
  if (isRgb) return `#${(value & 0xffffff).toString(16).padStart(6, '0')}`;
  return undefined;
}

function styleKey(s: Omit<Segment, 'text'>): string {
  return `${s.color ?? ''}|${s.backgroundColor ?? ''}|${s.bold === true ? 'b' : ''}${s.dim === true ? 'd' : ''}${s.underline === true ? 'u' : ''}${s.inverse === true ? 'i' : ''}`.replace(/^\|\|$/, '');
}
