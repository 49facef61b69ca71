/**
 * Every way the UI can end besides `q`: SIGINT, SIGTERM, SIGHUP (the administrator's ssh dropped),
 * an uncaught exception or unhandled rejection. Each calls back once; `exit` restores the terminal
 * as a last resort, synchronously.
 */

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface ExitHandlers {
  onSignal(signal: StopSignal): void;
  onFatal(error: unknown): void;
  /** Runs synchronously inside process 'exit' (restore the terminal). */
  onExit(): void;
}

/** Installs the handlers; returns a function that removes them. */
export function installExitHandlers(h: ExitHandlers): () => void {
  const signal = (s: StopSignal) => () => h.onSignal(s);
  const bySignal = STOP_SIGNALS.map((s) => [s, signal(s)] as const);
  for (const [s, fn] of bySignal) process.on(s, fn);
  const fatal = (err: unknown): void => h.onFatal(err);
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  const exit = (): void => h.onExit();
  process.on('exit', exit);
  return () => {
    for (const [s, fn] of bySignal) process.off(s, fn);
    process.off('uncaughtException', fatal);
    process.off('unhandledRejection', fatal);
    process.off('exit', exit);
  };
}
