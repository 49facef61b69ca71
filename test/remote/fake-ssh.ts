/**
 * A stand-in for ssh in tests: a shell script that plays connection N (its Nth run) from files
 * out.N (stdout), err.N (stderr), sleep.N (seconds to wait) and code.N (exit status, default 255)
 * in its directory (or in the subdirectory named after the destination, when there is one), and
 * writes its arguments to args.N. Plus minimal recording lines.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fake ssh playing connection N from files out.N / err.N / code.N in `d`. */
export function fakeSsh(d: string): string {
  const path = join(d, 'ssh');
  writeFileSync(
    path,
    `#!/bin/sh
D='${d}'
# a directory named after the destination (the argument after --) plays that host, if there is one
dest=''; seen=''
for a in "$@"; do if [ -n "$seen" ] && [ -z "$dest" ]; then dest="$a"; fi; [ "$a" = "--" ] && seen=1; done
[ -n "$dest" ] && [ -d "$D/$dest" ] && D="$D/$dest"
n=$(cat "$D/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$D/count"
printf '%s\\n' "$@" > "$D/args.$n"
[ -f "$D/out.$n" ] && cat "$D/out.$n"
[ -f "$D/err.$n" ] && cat "$D/err.$n" >&2
[ -f "$D/sleep.$n" ] && sleep "$(cat "$D/sleep.$n")"
exit "$(cat "$D/code.$n" 2>/dev/null || echo 255)"
`,
  );
  chmodSync(path, 0o755);
  return path;
}

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
export function line(action: string, pid: number, opts: { ppid?: number; sid?: number; exe?: string; t?: number; boot?: string } = {}): string {
  return `${JSON.stringify({
    '@timestamp': new Date(opts.t ?? T0).toISOString(),
    event: { action },
    host: { name: 'web1', boot: { id: opts.boot ?? 'boot-1' } },
    process: {
      pid,
      start: new Date(T0 - 60_000 - pid).toISOString(),
      parent: { pid: opts.ppid ?? 1 },
      session_leader: { pid: opts.sid ?? pid },
      group_leader: { pid },
      executable: opts.exe ?? '/bin/bash',
      user: { id: '0' },
    },
    sessiontop: { start_ticks: 10_000 + pid },
  })}\n`;
}

