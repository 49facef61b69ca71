/** The key table: the `?` help and the status line's hints come from it and agree. */
import { describe, expect, it } from 'vitest';
import { COMMON_KEYS, LIVE_KEYS, REPLAY_KEYS, helpLines, keyHints } from '../../src/ui/help-text.js';

describe('key table', () => {
  it('gives the status line its hints, in their order', () => {
    expect(keyHints('live')).toBe('? help  q quit  Tab pane  Enter detail  / search  f follow  p pause  r rec  t time  v verbose');
    expect(keyHints('replay')).toBe('? help  q quit  Space play  +/- speed  ←/→ step  g/G start/end  s seek  / search');
  });
  it('every hinted key is in the help of its mode', () => {
    for (const mode of ['live', 'replay'] as const) {
      const help = helpLines(mode, 200).join('\n');
      for (const k of [...COMMON_KEYS, ...(mode === 'live' ? LIVE_KEYS : REPLAY_KEYS)]) {
        expect(help).toContain(`  ${k.keys}`);
        if (k.hint?.[mode] !== undefined) expect(keyHints(mode)).toContain(k.hint.text);
      }
    }
  });
});
