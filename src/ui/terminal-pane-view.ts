/**
 * The terminal pane's snapshot part: the selected entry session's screen (TerminalScreen) with a
 * title saying whose it is, its size, how much was captured and skipped, and the session id that
 * `sessiontop export --session` takes.
 */
import type { EntrySession } from '../model/types.js';
import { ttyName } from '../text/tty-name.js';
import type { HostModelView } from './model-feed.js';
import { byteSize } from './number-format.js';
import { userLabel } from './session-row-view.js';
import type { TerminalScreen } from './terminal-screen.js';
import { safeText } from '../text/terminal-text.js';
import type { TerminalPaneView } from './ui-snapshot.js';

export function terminalPaneView(
  screen: TerminalScreen,
  session: EntrySession | null,
  names: HostModelView['names'] | undefined,
  height: number,
  mode: 'live' | 'replay',
): TerminalPaneView {
  const log = session?.terminal ?? null;
  screen.sync(log);
  height = Math.max(0, height - 1); // the subtitle line
  if (session === null) return { title: 'terminal (o or Esc closes)', subtitle: '', rows: [], height, empty: 'select a session in the sessions list' };
  const tty = log?.tty ?? session.tty;
  const who = `${names === undefined ? String(session.user >>> 0) : userLabel(session.user, names)} ${tty === 0 ? '-' : safeText(ttyName(tty))}`;
  const leader = `${session.leader.pid} ${safeText(session.leader.name)}`;
  if (log === null) {
    return {
      title: `terminal of ${who} · leader ${leader} (o or Esc closes)`,
      subtitle: `session ${safeText(session.id)}`,
      rows: [],
      height,
      empty: mode === 'live' ? 'no terminal output captured (opt-in: start sessiontop with --tty-output)' : 'no terminal output in the recording (recorded without --tty-output?)',
    };
  }
  const v = screen.view(height, log);
  let stats = `${byteSize(v.bytes)} captured`;
  if (v.skipped > 0) stats += ` · ${byteSize(v.skipped)} skipped (rate limit or bound)`;
  if (v.capped) stats += ' · a writer reached its bound';
  if (v.dropped > 0) stats += ' · oldest output beyond the pane memory dropped';
  return {
    title: `terminal of ${who} · leader ${leader} · ${v.columns}×${v.height} (o or Esc closes)`,
    subtitle: `${stats} · session ${safeText(session.id)}`,
    rows: v.rows,
    height,
    empty: 'the screen is empty',
  };
}
