/**
 * The TypeScript decoder's offsets must match the C header the BPF programs write: compile a probe
 * against bpf/sessiontop.h and compare every offsetof() and constant.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARGS_DEFAULT, ARGS_LIMIT, Flag, HEADER_SIZE, Kind, Off, RECORD_VERSION, Shell, SHELL_NAMES, TTY_CHUNK, TTY_MAX_DEFAULT, TTY_RATE_DEFAULT, TYPED_DEFAULT, TYPED_LIMIT, TypedVia } from '../../src/sensor/record-layout.js';
import { packageRoot } from '../../src/sensor/native-addon.js';

describe('record layout', () => {
  it('matches bpf/sessiontop.h', () => {
    const fields: Record<keyof typeof Off, string> = {
      kind: 'kind', version: 'version', size: 'size', tsNs: 'ts_ns', startNs: 'start_ns', pid: 'pid', ppid: 'ppid',
      pgid: 'pgid', sid: 'sid', uid: 'uid', euid: 'euid', suid: 'suid', gid: 'gid', egid: 'egid', sgid: 'sgid',
      loginUid: 'login_uid', sessionId: 'session_id', ttyDev: 'tty_dev', fdDev: 'fd_dev', fdType: 'fd_type',
      flags: 'flags', comm: 'comm', aux: 'aux', len: 'len',
    };
    const dir = mkdtempSync(join(tmpdir(), 'sessiontop-layout-'));
    const src = join(dir, 'probe.c');
    const lines = Object.entries(fields).map(
      ([ts, c]) => `printf("\\"${ts}\\":%zu,", offsetof(struct st_record, ${c}));`,
    );
    writeFileSync(
      src,
      `#include <stdio.h>\n#include <stddef.h>\n#include "sessiontop.h"\nint main(void){printf("{");${lines.join('')}` +
        `printf("\\"sizeof\\":%zu,\\"header\\":%d,\\"record_version\\":%d,\\"args_default\\":%d,\\"args_limit\\":%d,\\"typed_default\\":%d,\\"typed_limit\\":%d,\\"tty\\":[%d,%d,%d],",sizeof(struct st_record),ST_HEADER_SIZE,ST_RECORD_VERSION,ST_ARGS_DEFAULT,ST_ARGS_LIMIT,ST_TYPED_DEFAULT,ST_TYPED_LIMIT,ST_TTY_CHUNK,ST_TTY_RATE_DEFAULT,ST_TTY_MAX_DEFAULT);` +
        `printf("\\"kind_values\\":[%d,%d,%d,%d,%d,%d,%d,%d],\\"flag_values\\":[%d,%d,%d,%d,%d,%d,%d,%d]",ST_FORK,ST_EXEC,ST_EXIT,ST_SETSID,ST_SETPGID,ST_ID_CHANGE,ST_TYPED,ST_TTY_OUTPUT,ST_F_ARGS_TRUNC,ST_F_TYPED_TRUNC,ST_F_CWD_TRUNC,ST_F_FILENAME_TRUNC,ST_F_ENV,ST_F_EXE_TRUNC,ST_F_TTY_CAP,ST_F_TTY_ONLCR);` +
        // typed records: aux[2] = enum st_shell, aux[3] = enum st_typed_via; the typed-line maps' layouts
        `printf(",\\"shell_values\\":[%d,%d,%d],\\"via_values\\":[%d,%d,%d]",ST_SHELL_BASH,ST_SHELL_ZSH,ST_SHELL_DASH,ST_VIA_RETURN,ST_VIA_ACCEPT,ST_VIA_READ);` +
        `printf(",\\"maps\\":[%zu,%zu,%zu,%zu,%zu,%zu,%zu,%zu]}",sizeof(struct st_exe_key),offsetof(struct st_exe_key,dev),sizeof(struct st_shell_exe),offsetof(struct st_shell_exe,line_var),sizeof(struct st_line_target),offsetof(struct st_line_target,kind),offsetof(struct st_line_target,flags),(size_t)ST_COOKIE_BASH_ONLY);return 0;}\n`,
    );
    const bin = join(dir, 'probe');
    execFileSync('cc', ['-I', join(packageRoot(), 'bpf'), '-o', bin, src]);
    const c = JSON.parse(execFileSync(bin, { encoding: 'utf8' })) as Record<string, number | number[]>;
    for (const key of Object.keys(fields) as (keyof typeof Off)[]) expect([key, c[key]]).toEqual([key, Off[key]]);
    expect(c.sizeof).toBe(HEADER_SIZE);
    expect(c.header).toBe(HEADER_SIZE);
    expect(c.record_version).toBe(RECORD_VERSION);
    expect([c.args_default, c.args_limit, c.typed_default, c.typed_limit]).toEqual([ARGS_DEFAULT, ARGS_LIMIT, TYPED_DEFAULT, TYPED_LIMIT]);
    expect(c.tty).toEqual([TTY_CHUNK, TTY_RATE_DEFAULT, TTY_MAX_DEFAULT]);
    expect(c.kind_values).toEqual([Kind.fork, Kind.exec, Kind.exit, Kind.setsid, Kind.setpgid, Kind.idChange, Kind.typed, Kind.ttyOutput]);
    expect(c.shell_values).toEqual([Shell.bash, Shell.zsh, Shell.dash]);
    expect([SHELL_NAMES[Shell.bash], SHELL_NAMES[Shell.zsh], SHELL_NAMES[Shell.dash]]).toEqual(['bash', 'zsh', 'dash']);
    expect(c.via_values).toEqual([TypedVia.return, TypedVia.accept, TypedVia.read]);
    // the addon fills these maps from the same header the BPF programs read them with; pin their
    // layout so a change to one is a change to the record version too
    expect(c.maps).toEqual([16, 8, 16, 8, 32, 24, 28, 1]);
    expect(c.flag_values).toEqual([Flag.argsTruncated, Flag.typedTruncated, Flag.cwdTruncated, Flag.filenameTruncated, Flag.env, Flag.exeTruncated, Flag.ttyCapped, Flag.ttyOnlcr]);
  });
});
