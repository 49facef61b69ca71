/**
 * Function keys from the raw terminal input. Ink reports F1–F12 as an empty input with no key
 * flag, so the app reads them from the raw bytes: xterm (`ESC O P`…, `ESC [ 15 ~`…, with or
 * without modifiers `ESC [ 1 ; 2 P`), the Linux console (`ESC [ [ A`…) and rxvt (`ESC [ 11 ~`…).
 */

const SS3: Record<string, number> = { P: 1, Q: 2, R: 3, S: 4 };
const TILDE: Record<number, number> = { 11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 17: 6, 18: 7, 19: 8, 20: 9, 21: 10, 23: 11, 24: 12 };
const CONSOLE: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };

/** The function key (1–12) `data` is, 0 when it is none. */
export function functionKeyOf(data: string): number {
  if (data.length < 3 || data.charCodeAt(0) !== 0x1b) return 0;
  let m = /^\x1bO([PQRS])$/.exec(data) ?? /^\x1b\[1;\d+([PQRS])$/.exec(data);
  if (m !== null) return SS3[m[1] as string] ?? 0;
  m = /^\x1b\[(\d+)(?:;\d+)?~$/.exec(data);
  if (m !== null) return TILDE[Number(m[1])] ?? 0;
  m = /^\x1b\[\[([A-E])$/.exec(data);
  if (m !== null) return CONSOLE[m[1] as string] ?? 0;
  return 0;
}
