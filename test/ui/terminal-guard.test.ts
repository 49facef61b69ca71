/**
 * Giving the terminal back: the alternate screen left and the cursor shown, once, in that order;
 * every exit path (SIGINT, SIGTERM, SIGHUP, uncaught errors, process exit) wired and unwired.
 */

import { describe, expect, it } from 'vitest';
import { installExitHandlers, STOP_SIGNALS } from '../../src/ui/exit-handlers.js';
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, SHOW_CURSOR, TerminalGuard } from '../../src/ui/terminal-guard.js';

function fakeTerminal() {
  const written: string[] = [];
  const raw: boolean[] = [];
  const out = { write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
  const input = { isTTY: true, setRawMode: (b: boolean) => raw.push(b) } as unknown as NodeJS.ReadStream;
  return { written, raw, out, input };
}

describe('TerminalGuard', () => {
  it('enters the alternate screen with the cursor hidden, and restores both once', () => {
    const t = fakeTerminal();
    const g = new TerminalGuard(t.out, t.input);
    g.restore(); // not entered: nothing to do
    expect(t.written).toEqual([]);
    g.enter();
    g.enter();
    expect(t.written.length).toBe(1);
    expect(t.written[0]!.startsWith(ENTER_ALT_SCREEN)).toBe(true);
    expect(t.written[0]!.endsWith(HIDE_CURSOR)).toBe(true);
    g.writeRaw('frame');
    g.restore();
    g.restore();
    expect(t.written.length).toBe(3);
    const last = t.written[2]!;
    expect(last.indexOf(LEAVE_ALT_SCREEN)).toBeGreaterThanOrEqual(0);
    expect(last.indexOf(SHOW_CURSOR)).toBeGreaterThan(last.indexOf(LEAVE_ALT_SCREEN));
    expect(t.raw).toEqual([false]);
    g.writeRaw('after');
    expect(t.written.length).toBe(3);
  });

  it('survives a terminal that is gone (writes throw)', () => {
    const out = {
      write: () => {
        throw Object.assign(new Error('EIO'), { code: 'EIO' });
      },
    } as unknown as NodeJS.WriteStream;
    const input = {
      isTTY: true,
      setRawMode: () => {
        throw new Error('EIO');
      },
    } as unknown as NodeJS.ReadStream;
    const g = new TerminalGuard(out, input);
    g.enter();
    expect(() => g.restore()).not.toThrow();
    expect(g.entered).toBe(false);
  });
});

describe('exit handlers', () => {
  it('calls back for each stop signal, uncaught errors and exit; uninstalling removes them all', () => {
    const before = {
      signals: STOP_SIGNALS.map((s) => process.listenerCount(s)),
      uncaught: process.listenerCount('uncaughtException'),
      rejection: process.listenerCount('unhandledRejection'),
      exit: process.listenerCount('exit'),
    };
    const seen: string[] = [];
    const off = installExitHandlers({
      onSignal: (s) => seen.push(s),
      onFatal: (e) => seen.push(`fatal ${(e as Error).message}`),
      onExit: () => seen.push('exit'),
    });
    for (const s of STOP_SIGNALS) process.emit(s, s);
    const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;
    emit('uncaughtException', new Error('boom'), 'uncaughtException');
    emit('exit', 0);
    expect(seen).toEqual(['SIGINT', 'SIGTERM', 'SIGHUP', 'fatal boom', 'exit']);
    off();
    expect(STOP_SIGNALS.map((s) => process.listenerCount(s))).toEqual(before.signals);
    expect(process.listenerCount('uncaughtException')).toBe(before.uncaught);
    expect(process.listenerCount('unhandledRejection')).toBe(before.rejection);
    expect(process.listenerCount('exit')).toBe(before.exit);
  });
});
