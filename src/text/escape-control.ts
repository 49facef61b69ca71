/**
 * escapeControl: makes an untrusted process string (args, comm, cwd, typed line) safe to print on
 * the administrator's terminal. Replaced by visible escapes:
 * - C0 controls, DEL and C1 controls (which include 8-bit CSI/OSC): no process can write escape
 *   sequences (ESC, CSI, OSC) to the terminal that shows it;
 * - bidirectional marks, embeddings, overrides and isolates (U+200E/F, U+061C, U+202A–202E,
 *   U+2066–2069), line/paragraph separators (U+2028/2029), BOM, soft hyphen, and zero-width or
 *   invisible characters (U+200B–200D, U+2060–2064, Hangul fillers U+115F/1160/3164/FFA0, tag
 *   characters U+E0000–E007F, variation selectors supplement...): no text can be reordered or
 *   hidden;
 * - the lone surrogates U+DC80–U+DCFF that sessiontop uses for bytes that are not UTF-8, shown as
 *   `\xNN` (the byte they stand for), and any other unpaired surrogate.
 */

// Surrogate pairs first (tag characters U+E0000–E007F, variation selectors U+E0100–E01EF, musical
// formatting U+1D173–1D17A), then single code units, then unpaired surrogates.
const UNSAFE_SOURCE =
  '\\udb40[\\udc00-\\udc7f\\udd00-\\uddef]|\\ud834[\\udd73-\\udd7a]' +
  '|[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb]' +
  '|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_GLOBAL = new RegExp(UNSAFE_SOURCE, 'g');

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function replaceOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0) as number;
  if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code & 0xff).toString(16).padStart(2, '0')}`;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Each UTF-16 code unit of `ch` as a JSON escape (`\u009b`, `\udb40\udc41`). */
function jsonEscapeOne(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/**
 * JSON text (e.g. from JSON.stringify) with every character escapeControl would escape written as
 * a JSON `\uXXXX` escape instead: the same value once parsed, but nothing in the bytes a terminal
 * acts on (raw C1 such as U+009B is valid JSON, and xterm.js-based terminals obey it) or that
 * reorders or hides text. Outside strings JSON has only ASCII punctuation, so every match is inside
 * a string.
 */
export function escapeControlInJson(json: string): string {
  return UNSAFE.test(json) ? json.replace(UNSAFE_GLOBAL, jsonEscapeOne) : json;
}

/** `s` with every control, invisible or undecodable character shown as an escape (`\e`, `\n`, `\x07`, `\xff`, `\u{202e}`...). */
export function escapeControl(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_GLOBAL, replaceOne) : s;
}
