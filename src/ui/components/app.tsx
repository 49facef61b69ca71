/**
 * The root component: renders the store's latest snapshot (useSyncExternalStore) and hands every
 * key to the store. Nothing here reads the model.
 */

import { Box, useInput, useStdin } from 'ink';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { functionKeyOf } from '../function-keys.js';
import { NO_KEY, type KeyInfo } from '../key-bindings.js';
import type { UiStore } from '../ui-store.js';
import { DetailPane } from './detail-pane.js';
import { HeaderBar } from './header-bar.js';
import { HelpPane } from './help-pane.js';
import { ResultsPane } from './results-pane.js';
import { SegmentLine } from './segment-line.js';
import { SessionsPane } from './sessions-pane.js';
import { StatusLine } from './status-line.js';
import { TerminalPane } from './terminal-pane.js';
import { TooSmall } from './too-small.js';
import { TreePane } from './tree-pane.js';

export function App({ store }: { store: UiStore }) {
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const onKey = useCallback((input: string, key: KeyInfo) => store.handleKey(input, key), [store]);
  useInput(onKey);
  // Ink hands function keys over as an empty input: read them from the raw input
  const { internal_eventEmitter: rawInput } = useStdin();
  useEffect(() => {
    const onRaw = (data: unknown): void => {
      const fn = typeof data === 'string' ? functionKeyOf(data) : 0;
      if (fn !== 0) store.handleKey('', { ...NO_KEY, fn });
    };
    rawInput.on('input', onRaw);
    return () => {
      rawInput.removeListener('input', onRaw);
    };
  }, [rawInput, store]);
  const { layout } = snap;
  if (layout.tooSmall) return <TooSmall cols={layout.cols} rows={layout.rows} />;
  const width = layout.cols;
  const flags = `${snap.sessionsFilter !== '' ? `[filter ${snap.sessionsFilter}]` : ''}${snap.sessionsSort !== 'login' ? `[sort ${snap.sessionsSort}]` : ''}${snap.timestamps ? '[t]' : ''}${snap.verbose ? '[v]' : ''}`;
  return (
    // No overflow clipping: every pane draws exactly its share of rows − 1 lines, each at most
    // `width` cells (clipping would make Ink re-slice every line of every frame).
    <Box flexDirection="column" width={width} height={layout.usable}>
      <HeaderBar header={snap.header} width={width} now={snap.now} />
      {snap.notice !== '' ? <SegmentLine segments={[{ text: `! ${snap.notice}`, color: 'yellow', bold: true }]} width={width} /> : null}
      {snap.overlay === 'detail' && snap.detail !== null ? (
        <DetailPane pane={snap.detail} width={width} />
      ) : snap.overlay === 'help' && snap.help !== null ? (
        <HelpPane pane={snap.help} width={width} />
      ) : snap.overlay === 'results' && snap.results !== null ? (
        <ResultsPane pane={snap.results} width={width} />
      ) : snap.overlay === 'terminal' && snap.terminal !== null ? (
        <TerminalPane pane={snap.terminal} width={width} />
      ) : (
        <>
          <SessionsPane pane={snap.sessions} width={width} now={snap.now} sparkWidth={snap.sessionSparkWidth} />
          <TreePane pane={snap.tree} width={width} now={snap.now} timestamps={snap.timestamps} />
        </>
      )}
      <StatusLine status={snap.status} width={width} flags={flags} />
    </Box>
  );
}
