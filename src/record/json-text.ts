/**
 * Small JSON text builders for the hand-written ECS line writer: a JSON string literal (with full
 * escaping of quotes, backslashes, control characters and lone surrogates), a string array, and
 * `flattened` for fragments kept between lines.
 */

import { escapeControlInJson } from '../text/escape-control.js';

/** Printable ASCII other than `"` and `\`: needs no escaping. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `s` as a JSON string literal. Recordings are read on terminals (`cat`, `tail -f`, `record -o -`),
 * so besides what JSON requires, every character escapeControl escapes (C1, bidi, line separators,
 * invisible characters) is written as a `\uXXXX` escape: the same value, no raw bytes a terminal
 * acts on.
 */
export function jsonString(s: string): string {
  // Short plain strings (paths, names, ids) are the common case; JSON.stringify handles the rest
  // (control characters, non-ASCII, lone surrogates → \udXXX) exactly as JSON requires.
  return s.length < 256 && PLAIN.test(s) ? `"${s}"` : escapeControlInJson(JSON.stringify(s));
}

/** `items` as a JSON array of strings. */
export function jsonStringArray(items: readonly string[]): string {
  const n = items.length;
  if (n === 0) return '[]';
  let out = `[${jsonString(items[0] as string)}`;
  for (let i = 1; i < n; i++) out += `,${jsonString(items[i] as string)}`;
  return `${out}]`;
}

/**
 * `s` stored as one flat string. V8 keeps a string built with `+` or a template as a tree of its
 * parts until something reads its characters; a fragment cached for the life of a process would
 * keep that whole tree (about 2.5× the text). Reading one character flattens it in place.
 */
export function flattened(s: string): string {
  s.charCodeAt(0);
  return s;
}
