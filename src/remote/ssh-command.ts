/**
 * The ssh argument vector for one remote host: validates `--ssh DEST`, `--ssh-option KEY=VALUE` and
 * `--remote-command CMD`, and builds `ssh [fixed options] [-o KEY=VALUE]... -- DEST WORD...`.
 *
 * ssh is always run with an argument vector (never through a local shell), but ssh itself joins
 * the words after DEST with spaces and hands them to the remote user's login shell. So nothing
 * that reaches that shell may need quoting: the remote command is split into words here and every
 * word must consist of characters no shell (sh, bash, zsh, csh, fish) treats specially; anything
 * else is refused with a usage error rather than quoted (quoting rules differ between shells).
 *
 * DEST may not start with `-` (it would be read as an option: `-oProxyCommand=...`), and `--` ends
 * ssh's options before it anyway. Option keys are ssh_config keywords; keys that would change what
 * the session is (run another remote or local command, ask for a terminal) are refused. No value
 * may hold control characters (a newline would smuggle a second config line).
 */

import { usageError } from '../exit-error.js';

export const DEFAULT_REMOTE_COMMAND = 'sudo -n sessiontop';

/** What a remote host runs after the remote command: a stream of recording lines, or one snapshot. */
export type RemoteMode = 'record' | 'snapshot';

export const REMOTE_ARGS: Readonly<Record<RemoteMode, readonly string[]>> = {
  record: ['record', '-o', '-'],
  snapshot: ['snapshot', '--json'],
};

/** One validated `--ssh-option`. */
export interface SshOption {
  key: string;
  value: string;
}

/** Everything needed to reach the remote hosts. */
export interface SshSettings {
  /** The `--ssh` destinations, in the order given (duplicates refused). */
  destinations: string[];
  options: SshOption[];
  /** The remote command, split into safe words. */
  remoteCommand: string[];
  /** The ssh client binary (default `ssh`, found on PATH). */
  sshBinary: string;
}

/**
 * Options sessiontop always passes: never prompt (the live view owns the terminal), no pty (the
 * stream is bytes, not a terminal), notice a dead peer within about 45 s, give up connecting after
 * 15 s. A `--ssh-option` with the same key comes after these and ssh takes the first value it
 * sees for most keywords, so these ones are refused as `--ssh-option` keys instead of overridden.
 */
const FIXED_OPTIONS: readonly string[] = ['BatchMode=yes', 'ServerAliveInterval=15', 'ServerAliveCountMax=3', 'ConnectTimeout=15'];

/** ssh_config keywords refused in `--ssh-option` (lower case), with the reason. */
const REFUSED_KEYS: ReadonlyMap<string, string> = new Map([
  ['remotecommand', 'sessiontop chooses the remote command (use --remote-command)'],
  ['localcommand', 'runs a local command'],
  ['permitlocalcommand', 'runs a local command'],
  ['requesttty', 'the stream must not go through a terminal'],
  ['sessiontype', 'sessiontop needs a command session'],
  ['stdinnull', 'sessiontop manages ssh\'s input'],
  ['forkafterauthentication', 'sessiontop must keep ssh in the foreground'],
  ['batchmode', 'always yes: ssh may not prompt while the live view owns the terminal'],
  ['serveraliveinterval', 'set by sessiontop (15 s) to notice a lost host'],
  ['serveralivecountmax', 'set by sessiontop (3) to notice a lost host'],
  ['connecttimeout', 'set by sessiontop (15 s)'],
]);

/** Characters a remote-command word may contain: none is special to any common shell. */
const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;
/** A destination: `host`, `user@host`, `[v6]`, `ssh://user@host:port`. */
const SAFE_DEST = /^[A-Za-z0-9_.@:%/[\]-]+$/;
const KEYWORD = /^[A-Za-z][A-Za-z0-9]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Shows an untrusted argument in a message without letting it act on a terminal. */
function shown(s: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Validates one `--ssh DEST`. */
export function parseDestination(dest: string): string {
  if (dest === '') throw usageError('--ssh needs a destination (user@host, host, or ssh://user@host:port)');
  if (dest.startsWith('-')) throw usageError(`--ssh ${shown(dest)}: a destination cannot start with "-" (ssh would read it as an option)`);
  if (!SAFE_DEST.test(dest)) {
    throw usageError(`--ssh ${shown(dest)}: a destination is user@host, host or ssh://user@host:port (letters, digits and _.@:%/[]- only)`);
  }
  return dest;
}

/** Validates one `--ssh-option KEY=VALUE`. */
export function parseSshOption(text: string): SshOption {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError(`--ssh-option ${shown(text)}: expected KEY=VALUE (for example ConnectTimeout=5 or Port=2222)`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!KEYWORD.test(key)) throw usageError(`--ssh-option ${shown(text)}: ${shown(key)} is not an ssh_config keyword`);
  const refused = REFUSED_KEYS.get(key.toLowerCase());
  if (refused !== undefined) throw usageError(`--ssh-option ${key}: not allowed (${refused})`);
  if (value === '') throw usageError(`--ssh-option ${key}: empty value`);
  if (CONTROL.test(value)) throw usageError(`--ssh-option ${key}: the value holds a control character`);
  return { key, value };
}

/** Splits `--remote-command` into words (on blanks), refusing anything a shell would interpret. */
export function parseRemoteCommand(text: string): string[] {
  const words = text.split(/[ \t]+/).filter((w) => w !== '');
  if (words.length === 0) throw usageError('--remote-command is empty (default: sudo -n sessiontop)');
  for (const w of words) {
    if (!SAFE_WORD.test(w)) {
      const bad = [...w].find((c) => !SAFE_WORD.test(c)) ?? '';
      throw usageError(
        `--remote-command: ${shown(w)} holds ${shown(bad)}: the remote shell would interpret it; give a plain command (letters, digits and _./:=@%+,- only), e.g. "sudo -n /usr/local/bin/sessiontop"`,
      );
    }
  }
  return words;
}

/** Validates every ssh-related option at once (a usage error, exit status 2, names what is wrong). */
export function parseSshSettings(input: { ssh?: readonly string[]; sshOptions?: readonly string[]; remoteCommand?: string; sshBinary?: string }): SshSettings {
  const destinations = (input.ssh ?? []).map(parseDestination);
  const seen = new Set<string>();
  for (const d of destinations) {
    if (seen.has(d)) throw usageError(`--ssh ${shown(d)} is given twice`);
    seen.add(d);
  }
  if (destinations.length === 0 && ((input.sshOptions?.length ?? 0) > 0 || input.remoteCommand !== undefined)) {
    throw usageError('--ssh-option and --remote-command go with --ssh DEST');
  }
  return {
    destinations,
    options: (input.sshOptions ?? []).map(parseSshOption),
    remoteCommand: parseRemoteCommand(input.remoteCommand ?? DEFAULT_REMOTE_COMMAND),
    sshBinary: input.sshBinary ?? 'ssh',
  };
}

/** The argument vector after the ssh binary for one destination and mode. */
export function sshArgv(settings: SshSettings, dest: string, mode: RemoteMode): string[] {
  const argv = ['-T', '-x', '-a'];
  for (const o of FIXED_OPTIONS) argv.push('-o', o);
  for (const o of settings.options) argv.push('-o', `${o.key}=${o.value}`);
  argv.push('--', parseDestination(dest), ...settings.remoteCommand, ...REMOTE_ARGS[mode]);
  return argv;
}
