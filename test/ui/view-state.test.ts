/** The view state's pure reducer: the commands that depend on the view state alone. */
import { describe, expect, it } from 'vitest';
import { initialViewState, reduceView } from '../../src/ui/view-state.js';

describe('reduceView (the view-only commands, pure)', () => {
  it('edits prompts, switches panes, toggles help and start times without touching the input state', () => {
    const s0 = initialViewState();
    const frozen = Object.freeze({ ...s0 });
    const s1 = reduceView(frozen, { kind: 'search' })!;
    expect(s1.prompt).toEqual({ kind: 'search', text: '' });
    const s2 = reduceView(reduceView(s1, { kind: 'promptInput', text: 'vi€' })!, { kind: 'promptBackspace' })!;
    expect(s2.prompt!.text).toBe('vi');
    expect(s1.prompt!.text).toBe('');
    expect(reduceView(s2, { kind: 'promptCancel' })!.prompt).toBeNull();
    expect(reduceView(frozen, { kind: 'switchPane' })!.focus).toBe('tree');
    const help = reduceView(frozen, { kind: 'help' })!;
    expect(help.overlay).toBe('help');
    expect(reduceView(help, { kind: 'switchPane' })!.focus).toBe('sessions');
    expect(reduceView(frozen, { kind: 'timestamps' })!.timestamps).toBe(true);
    expect(frozen).toEqual(s0);
  });
  it('leaves the commands that need the model to the store', () => {
    for (const kind of ['open', 'back', 'follow', 'verbose', 'next', 'record', 'quit'] as const) expect(reduceView(initialViewState(), { kind })).toBeNull();
  });
});
