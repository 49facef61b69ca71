/**
 * Turns bytes a process controls (argv, comm, paths, typed lines) into JS strings without losing
 * any of them. Valid UTF-8 decodes as such; each byte of an invalid sequence becomes the lone
 * surrogate U+DC80+byte (Python's "surrogateescape"), which JSON.stringify writes as `\udcXX`, so a
 * recording keeps the exact bytes and a terminal view can show them as `\xXX`.
 */

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUntrusted(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(bytes, start, end);
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    return decodeWithEscapes(bytes, start, end);
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

function decodeWithEscapes(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n === 1) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (n > 0 && i + n <= end) {
      try {
        out += utf8.decode(bytes.subarray(i, i + n));
        i += n;
        continue;
      } catch {
        // fall through: not a valid sequence
      }
    }
    out += String.fromCharCode(0xdc00 | b);
    i++;
  }
  return out;
}

/** Reverses decodeUntrusted: the original bytes. */
export function encodeUntrusted(s: string): Buffer {
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(c & 0xff));
    } else {
      run += ch;
    }
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}
