/** Executable basenames of interactive shells (the model's rules and the UI's shell noise share them). */
export const SHELL_NAMES: ReadonlySet<string> = new Set(['bash', 'rbash', 'sh', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'tcsh', 'csh', 'busybox']);

export function isShellName(name: string): boolean {
  return SHELL_NAMES.has(name);
}
