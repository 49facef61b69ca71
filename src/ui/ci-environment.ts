/**
 * Ink decides once, when it is first loaded (the `is-in-ci` package), that `CI` or
 * `CONTINUOUS_INTEGRATION` in the environment means "no live frames: print the last one at exit",
 * which leaves a person's terminal blank ("loading the interface…") when their shell happens to
 * export CI. sessiontop draws whenever stdout is a terminal: while Ink loads, those two variables
 * are hidden if stdout is a TTY, then put back as they were (child processes see them unchanged).
 */

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** Runs `load` (the dynamic import that first loads Ink) with CI detection off when stdout is a terminal. */
export async function loadWithoutCiDetection<T>(load: () => Promise<T>, isTerminal = process.stdout.isTTY === true): Promise<T> {
  if (!isTerminal) return load();
  const saved = new Map<string, string>();
  for (const name of CI_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) {
      saved.set(name, value);
      delete process.env[name];
    }
  }
  try {
    return await load();
  } finally {
    for (const [name, value] of saved) process.env[name] = value;
  }
}
