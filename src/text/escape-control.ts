/**
 * escapeControl: makes an untrusted process string (args, comm, cwd, typed line) safe to print on
 * the administrator's terminal. Replaced by visible escapes:
 * - C0 controls, DEL and C1 controls (which include 8-bit CSI/OSC): no process can write escape
 *   sequences (ESC, CSI, OSC) to the terminal that shows it;
 * - bidirectional embeddings/overrides/isolates, line/paragraph separators, BOM, and zero-width or
 *   invisible formatting characters: no text can be reordered or hidden;
 * - the lone surrogates U+DC80–U+DCFF that sessiontop uses for bytes that are not UTF-8, shown as
 *   `\xNN` (the byte they stand for), and any other unpaired surrogate.
 */

const UNSAFE_SOURCE =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufeff\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u2060-\\u2064\\ufff9-\\ufffb]' +
  '|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_GLOBAL = new RegExp(UNSAFE_SOURCE, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function replaceOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code & 0xff).toString(16).padStart(2, '0')}`;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** `s` with every control, invisible or undecodable character shown as an escape (`\e`, `\n`, `\x07`, `\xff`, `\u{202e}`...). */
export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_GLOBAL, replaceOne) : s;
}
