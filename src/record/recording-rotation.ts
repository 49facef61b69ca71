/**
 * Rotation of a recording, done entirely through the open OutputDirectory (never by path, so a
 * directory swapped for a symlink mid-run cannot redirect a rename or an unlink).
 *
 * shiftRotated: FILE.KEEP is removed, FILE.i → FILE.(i+1), then the file just closed → FILE.1
 * (with KEEP 0 it is removed). A step that fails (something planted in a slot: a directory, a file
 * we may not remove) is skipped and reported; the recording goes on.
 *
 * createNext: creates FILE again (0600, O_EXCL|O_NOFOLLOW). When that fails (a symlink or file
 * planted at FILE in a shared sticky directory between the rename and the create), it creates
 * FILE.<epoch-ms>[-n] instead and says so, rather than stop recording.
 *
 * A file that could not be moved into FILE.1 stays under its name as a stray; the writer keeps at
 * most KEEP strays (pruneStrays removes the oldest), so planted slots cannot make disk use grow.
 *
 * A compression step hooks in after shiftRotated (FILE.1 is the file just rotated).
 */

import type { OpenedFile, OutputDirectory } from './output-directory.js';

export interface RotationOutcome {
  /** Problems met (one short clause each); empty when everything went as planned. */
  problems: string[];
  /** Whether the file just closed now is FILE.1 (or was removed, KEEP 0). */
  moved: boolean;
}

/** Shifts FILE.1 … FILE.KEEP and moves `current` (the file just closed) to FILE.1. */
export function shiftRotated(dir: OutputDirectory, name: string, current: string, keep: number): RotationOutcome {
  const problems: string[] = [];
  const attempt = (what: string, step: () => unknown): boolean => {
    try {
      step();
      return true;
    } catch (err) {
      problems.push(`${what}: ${(err as NodeJS.ErrnoException).code ?? 'failed'}`);
      return false;
    }
  };
  if (keep === 0) {
    const moved = attempt(`cannot remove ${current}`, () => dir.unlink(current));
    return { problems, moved };
  }
  attempt(`cannot remove ${name}.${keep}`, () => dir.unlink(`${name}.${keep}`));
  for (let i = keep - 1; i >= 1; i--) attempt(`cannot rename ${name}.${i}`, () => dir.rename(`${name}.${i}`, `${name}.${i + 1}`));
  const moved = attempt(`cannot rename ${current} to ${name}.1`, () => dir.rename(current, `${name}.1`));
  return { problems, moved };
}

/** Creates the next file: `name`, or a fresh `name.<ms>` when something occupies `name`. */
export function createNext(dir: OutputDirectory, name: string, now = Date.now()): { file: OpenedFile; name: string; problem: string | null } {
  try {
    return { file: dir.openFile(name, 'create'), name, problem: null };
  } catch (first) {
    const why = (first as { code?: string }).code ?? 'failed';
    for (let n = 0; n < 100; n++) {
      const alt = `${name}.${now}${n === 0 ? '' : `-${n}`}`;
      try {
        return { file: dir.openFile(alt, 'create'), name: alt, problem: `cannot create ${name} (${why}); writing to ${alt}` };
      } catch {
        // occupied too: try the next name
      }
    }
    throw first;
  }
}

/** Removes the oldest strays beyond `keep` (they are our own files: nobody else may remove or rename them). */
export function pruneStrays(dir: OutputDirectory, strays: string[], keep: number): void {
  while (strays.length > keep) {
    const oldest = strays.shift() as string;
    try {
      dir.unlink(oldest);
    } catch {
      // already gone or not removable: forget it
    }
  }
}
