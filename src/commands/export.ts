/**
 * `sessiontop export FILE... --session=ID [-o OUT] [--force] [--strict]`: one entry session's
 * terminal output as an asciicast v2 file (asciicast-export.ts). Without -o (or with `-o -`) it
 * goes to stdout. OUT is created like a recording: 0600, never through a symlink, never over an
 * existing file unless --force, and only once there is something to write (a bad id or a session
 * without output leaves nothing behind). Errors are one line; exit 2 for bad input.
 */

import { closeSync, fsyncSync, writeSync } from 'node:fs';
import { EXIT_OK, exitCodeOf, oneLineMessage, usageError } from '../exit-error.js';
import { exportAsciicast } from '../record/asciicast-export.js';
import type { BadLine } from '../record/recording-reader.js';
import { openOutputFile } from '../record/output-directory.js';
import { escapeControl } from '../text/escape-control.js';
import type { ParsedArgs } from './command-line.js';
import { stringValue } from './option-values.js';

export interface ExportCommandOptions {
  files: string[];
  session: string;
  /** Output path; undefined or `-`: stdout. */
  output?: string;
  force?: boolean;
  strict?: boolean;
}

const BUFFER_BYTES = 256 * 1024;

/** `export`'s options from its parsed arguments. */
export function exportOptionsFromArgs({ values, positionals }: ParsedArgs): ExportCommandOptions {
  const session = stringValue(values, 'session');
  if (session === undefined || session === '') throw usageError("export needs --session=ID (the entry leader's entity_id, as the detail panel, the O pane and snapshot --json show it)");
  const output = stringValue(values, 'output');
  return { files: positionals, session, force: values.force === true, strict: values.strict === true, ...(output !== undefined ? { output } : {}) };
}

export async function runExport(options: ExportCommandOptions): Promise<number> {
  const say = (msg: string): void => {
    try {
      writeSync(2, `sessiontop export: ${msg}\n`);
    } catch {
      // stderr gone
    }
  };
  let fd = -1;
  let toFile = false;
  let pending = '';
  const flush = (): void => {
    if (pending === '') return;
    writeAll(fd, pending);
    pending = '';
  };
  let reported = 0;
  try {
    exportAsciicast(
      options.files,
      options.session,
      {
        header: (line) => {
          if (options.output === undefined || options.output === '-') fd = 1;
          else {
            fd = openOutputFile(options.output, options.force === true ? 'force' : 'create').fd;
            toFile = true;
          }
          pending = `${line}\n`;
        },
        line: (line) => {
          pending += `${line}\n`;
          if (pending.length >= BUFFER_BYTES) flush();
        },
      },
      {
        strict: options.strict ?? false,
        onBadLine: (b: BadLine) => {
          if (reported++ < 20) say(`${escapeControl(b.file)}:${b.line}: ${escapeControl(b.reason)}`);
        },
        onWarning: (msg) => say(`warning: ${escapeControl(msg)}`),
      },
    );
    flush();
    if (toFile) fsyncSync(fd);
    return EXIT_OK;
  } catch (err) {
    if ((err as { code?: string }).code === 'EPIPE') return EXIT_OK;
    say(escapeControl(oneLineMessage(err)));
    return exitCodeOf(err);
  } finally {
    if (toFile && fd >= 0) closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}
