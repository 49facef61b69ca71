/**
 * escapeControl: makes an untrusted process string (args, comm, cwd, typed line) safe to print on
 * the administrator's terminal. C0 controls, DEL, C1 controls (which include 8-bit CSI/OSC) and the
 * Unicode bidirectional overrides are replaced by visible escapes, so no process can write escape
 * sequences (ESC, CSI, OSC) or reorder text on the terminal that shows it.
 */

// C0, DEL, C1, line/paragraph separators, bidi embeddings/overrides/isolates, BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
const UNSAFE_GLOBAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function replaceOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `s` with every control character shown as an escape (`\e`, `\n`, `\x07`, `\u{202e}`...). */
export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_GLOBAL, replaceOne) : s;
}
