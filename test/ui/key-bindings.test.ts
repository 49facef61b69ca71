import { describe, expect, it } from 'vitest';
import { commandForKey, type KeyInfo } from '../../src/ui/key-bindings.js';

const none: KeyInfo = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false };
const k = (over: Partial<KeyInfo>): KeyInfo => ({ ...none, ...over });
const live = { mode: 'live' as const, prompting: false };
const replay = { mode: 'replay' as const, prompting: false };
const prompt = { mode: 'live' as const, prompting: true };

describe('key bindings', () => {
  it('navigation and panes', () => {
    expect(commandForKey('', k({ upArrow: true }), live)).toEqual({ kind: 'move', delta: -1 });
    expect(commandForKey('j', none, live)).toEqual({ kind: 'move', delta: 1 });
    expect(commandForKey('', k({ pageDown: true }), live)).toEqual({ kind: 'page', delta: 1 });
    expect(commandForKey('', k({ home: true }), live)).toEqual({ kind: 'home' });
    expect(commandForKey('', k({ end: true }), live)).toEqual({ kind: 'end' });
    expect(commandForKey('', k({ tab: true }), live)).toEqual({ kind: 'switchPane' });
    expect(commandForKey('', k({ leftArrow: true }), live)).toEqual({ kind: 'focus', pane: 'sessions' });
    expect(commandForKey('', k({ rightArrow: true }), live)).toEqual({ kind: 'focus', pane: 'tree' });
    expect(commandForKey('', k({ return: true }), live)).toEqual({ kind: 'open' });
    expect(commandForKey('', k({ escape: true }), live)).toEqual({ kind: 'back' });
  });

  it('live keys', () => {
    for (const [input, kind] of [
      ['/', 'search'],
      ['n', 'next'],
      ['N', 'prev'],
      ['f', 'follow'],
      ['p', 'pause'],
      ['r', 'record'],
      ['?', 'help'],
      ['q', 'quit'],
      ['t', 'timestamps'],
      ['v', 'verbose'],
    ] as const) {
      expect(commandForKey(input, none, live)).toEqual({ kind });
    }
    expect(commandForKey('c', k({ ctrl: true }), live)).toEqual({ kind: 'quit', force: true });
    expect(commandForKey(' ', none, live)).toBeNull();
    expect(commandForKey('G', none, live)).toBeNull();
  });

  it('replay keys: arrows step, space/p play, +/- speed, g/G, s and : seek', () => {
    expect(commandForKey('', k({ leftArrow: true }), replay)).toEqual({ kind: 'stepBack' });
    expect(commandForKey('', k({ rightArrow: true }), replay)).toEqual({ kind: 'stepForward' });
    for (const [input, kind] of [
      [' ', 'playPause'],
      ['p', 'playPause'],
      ['+', 'faster'],
      ['=', 'faster'],
      ['-', 'slower'],
      ['g', 'toStart'],
      ['G', 'toEnd'],
      ['s', 'seek'],
      [':', 'seek'],
    ] as const) {
      expect(commandForKey(input, none, replay)).toEqual({ kind });
    }
  });

  it('while a prompt is open, keys edit it; control bytes of a paste are dropped', () => {
    expect(commandForKey('q', none, prompt)).toEqual({ kind: 'promptInput', text: 'q' });
    expect(commandForKey('a\x1b[2Jb', none, prompt)).toEqual({ kind: 'promptInput', text: 'a[2Jb' });
    expect(commandForKey('', k({ return: true }), prompt)).toEqual({ kind: 'promptSubmit' });
    expect(commandForKey('', k({ escape: true }), prompt)).toEqual({ kind: 'promptCancel' });
    expect(commandForKey('', k({ backspace: true }), prompt)).toEqual({ kind: 'promptBackspace' });
    expect(commandForKey('u', k({ ctrl: true }), prompt)).toEqual({ kind: 'promptClear' });
    expect(commandForKey('c', k({ ctrl: true }), prompt)).toEqual({ kind: 'quit', force: true });
    expect(commandForKey('', k({ upArrow: true }), prompt)).toBeNull();
  });
});
