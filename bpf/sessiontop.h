/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sessiontop record layout, shared by the BPF programs (bpf/sessiontop.bpf.c), the addon (addon/) and the
 * decoder (src/sensor/record-layout.ts, checked against this header by test/sensor/record-layout.test.ts).
 *
 * Every record is one struct st_record header followed by a payload of kind-specific byte strings,
 * padded to 8 bytes. All integers are little-endian host order. Device numbers use the kernel's
 * internal dev_t encoding: major << 20 | minor.
 *
 * Bump ST_RECORD_VERSION on any change; the decoder refuses records of another version.
 */
#ifndef SESSIONTOP_H
#define SESSIONTOP_H

#define ST_RECORD_VERSION 4

#define ST_COMM_LEN 16
#define ST_FILENAME_MAX 4096 /* bytes of bprm->filename kept (incl. NUL while reading) */
#define ST_ARGS_DEFAULT 16384 /* default argv bound */
#define ST_ARGS_LIMIT 65536 /* largest argv bound the scratch buffer allows */
#define ST_CWD_MAX 4096 /* bytes of path components kept (cwd, and the executable's path) */
#define ST_CWD_DEPTH 48 /* dentry levels walked */
#define ST_NAME_MAX 256 /* one path component, incl. NUL */
#define ST_CGROUP_MAX 256 /* cgroup leaf name */
#define ST_ENV_MAX 4096 /* environment bytes kept (only for children of sshd) */
#define ST_TYPED_DEFAULT 1024 /* default typed-line bound */
#define ST_TYPED_LIMIT 4096 /* largest typed-line bound */
#define ST_TTY_CHUNK 4096 /* terminal output bytes kept per record (one write's head) */
#define ST_TTY_IOV_MAX 8 /* iovecs of one writev read (the rest is counted as skipped) */
#define ST_TTY_RATE_DEFAULT 65536 /* terminal output bytes per process per second */
#define ST_TTY_MAX_DEFAULT (1 << 20) /* terminal output bytes per process in total */

enum st_kind {
	ST_FORK = 1, /* a new process (not a thread); header describes the child */
	ST_EXEC = 2, /* successful execve; payload: filename, args, cwd, cgroup, env */
	ST_EXIT = 3, /* whole-process exit; aux[0] = raw wait status (code << 8 | sig | 0x80 core) */
	ST_SETSID = 4, /* setsid() succeeded; header is the caller after the call */
	ST_SETPGID = 5, /* setpgid() succeeded; aux[0] = target pid, aux[1] = new pgid */
	ST_ID_CHANGE = 6, /* a set*id() call succeeded; aux[0] = enum st_id_call */
	ST_TYPED = 7, /* a line entered at an interactive shell; payload: the line, then the shell's cwd */
	ST_TTY_OUTPUT = 8, /* a write to the writer's controlling terminal (only with terminal-output capture);
			      payload: the bytes kept. The header's stdio fields are not filled (fd_type NONE). */
};

/* The shell a typed line comes from (typed records: aux[2]; shell_exes map values). */
enum st_shell {
	ST_SHELL_BASH = 1,
	ST_SHELL_ZSH = 2,
	ST_SHELL_DASH = 3, /* and other shells that read a canonical-mode terminal on fd 0 */
};

/* Which probe saw a typed line (typed records: aux[3]). */
enum st_typed_via {
	ST_VIA_RETURN = 1, /* the line editor returned it (readline, zleentry's read request) */
	ST_VIA_ACCEPT = 2, /* accept-line ran inside a read begun before the sensor attached */
	ST_VIA_READ = 3, /* read(2) of a canonical-mode controlling terminal on fd 0 */
};

/* Attach cookie of the readline uprobes: ST_COOKIE_BASH_ONLY when they sit in a shared libreadline
 * (then only processes whose executable is a bash found at start count), else 0. The accept-line
 * uprobes (bash's rl_newline, zsh's acceptline) carry the index of their st_line_target instead. */
#define ST_COOKIE_BASH_ONLY 1

/* Key of the shell_exes map: an executable's inode, as stat(2) shows it (dev in the kernel's
 * internal encoding, major << 20 | minor). */
struct st_exe_key {
	unsigned long long ino;
	unsigned int dev;
	unsigned int pad;
};

enum st_exe_flags {
	ST_EXE_LINE_VAR = 1 << 0, /* line_var: offset of bash's rl_line_buffer from mm->start_code */
};

/* Value of the shell_exes map: one shell binary found when the sensor started. */
struct st_shell_exe {
	unsigned int kind; /* enum st_shell */
	unsigned int flags; /* enum st_exe_flags */
	long long line_var;
};

enum st_target_flags {
	ST_TARGET_BASH_ONLY = 1 << 0, /* shared library: only executables in shell_exes of this kind */
	ST_TARGET_LINE_VAR = 1 << 1, /* line is valid */
};

/* Value of the line_targets map, indexed by an accept-line uprobe's cookie: where the line editor's
 * globals are, as offsets from the probed function's address in the same file. */
struct st_line_target {
	long long line; /* bash: rl_line_buffer (char *); zsh: zleline (wide characters) */
	long long len; /* zsh: zlell (int, characters in zleline) */
	long long context; /* zsh: zlecontext (int, ZLCON_* of the read in progress) */
	unsigned int kind; /* enum st_shell */
	unsigned int flags; /* enum st_target_flags */
};

#define ST_LINE_TARGETS 64 /* entries of the line_targets map */

/* A shell reading its command lines from the terminal asks read(2) for a block; dash's `read`
 * builtin asks for one byte at a time. Reads of fewer bytes are not command lines. */
#define ST_READ_MIN_COUNT 64

enum st_id_call {
	ST_SETUID = 1,
	ST_SETREUID = 2,
	ST_SETRESUID = 3,
	ST_SETGID = 4,
	ST_SETREGID = 5,
	ST_SETRESGID = 6,
};

enum st_fd_type {
	ST_FD_NONE = 0, /* closed */
	ST_FD_CHR = 1, /* character device: dev is its rdev */
	ST_FD_FILE = 2, /* regular file: dev is the superblock dev */
	ST_FD_PIPE = 3,
	ST_FD_SOCK = 4,
	ST_FD_OTHER = 5,
};

enum st_flags {
	ST_F_ARGS_TRUNC = 1 << 0, /* argv longer than the bound */
	ST_F_TYPED_TRUNC = 1 << 1, /* typed line longer than the bound */
	ST_F_CWD_TRUNC = 1 << 2, /* cwd deeper/longer than the bound: components stop early */
	ST_F_FILENAME_TRUNC = 1 << 3,
	ST_F_ENV = 1 << 4, /* env payload present (parent is sshd) */
	ST_F_EXE_TRUNC = 1 << 5, /* executable path deeper/longer than the bound */
	ST_F_TTY_CAP = 1 << 6, /* tty output: the process reached its total bound; nothing more of it is kept */
	ST_F_TTY_ONLCR = 1 << 7, /* tty output: the terminal turns each \n into \r\n (termios OPOST and ONLCR) */
};

struct st_record {
	unsigned short kind; /* 0: enum st_kind */
	unsigned short version; /* 2: ST_RECORD_VERSION */
	unsigned int size; /* 4: bytes of this record incl. header, multiple of 8 */
	unsigned long long ts_ns; /* 8: bpf_ktime_get_boot_ns() */
	unsigned long long start_ns; /* 16: group leader's start_boottime */
	unsigned int pid; /* 24: tgid, initial pid namespace */
	unsigned int ppid; /* 28: real_parent's tgid */
	unsigned int pgid; /* 32 */
	unsigned int sid; /* 36 */
	unsigned int uid, euid, suid; /* 40, 44, 48 */
	unsigned int gid, egid, sgid; /* 52, 56, 60 */
	unsigned int login_uid; /* 64: audit login uid, 0xffffffff = unset */
	unsigned int session_id; /* 68: audit session id, 0xffffffff = unset */
	unsigned int tty_dev; /* 72: controlling tty, 0 = none */
	unsigned int fd_dev[3]; /* 76: stdin, stdout, stderr */
	unsigned char fd_type[3]; /* 88: enum st_fd_type */
	unsigned char pad0; /* 91 */
	unsigned int flags; /* 92: enum st_flags */
	char comm[ST_COMM_LEN]; /* 96 */
	unsigned int aux[4]; /* 112: exec: aux[0] = args bytes kept, aux[1] = args bytes in total,
				 aux[2] = executable path bytes (components, like cwd);
				 typed: aux[0] = line bytes kept, aux[1] = line bytes in total (capped),
				 aux[2] = enum st_shell, aux[3] = enum st_typed_via;
				 tty output: aux[0] = bytes kept, aux[1] = bytes of this process skipped before
				 them since its previous record (rate limit, total bound), aux[2] = window size
				 rows << 16 | columns, aux[3] = bytes of this write not kept (after the kept ones) */
	unsigned short len[4]; /* 128: exec: filename, cwd, cgroup, env byte counts; typed: len[1] = cwd */
	/* 136: payload. exec: filename (as passed to execve) | args (NUL-separated, as in memory) |
	 * cwd components leaf-first, each NUL-terminated | cgroup leaf | env (NUL-separated) |
	 * executable path components (the file actually run, as /proc/<pid>/exe), leaf-first.
	 * typed: line | the shell's cwd when the line was entered, components leaf-first, like exec's.
	 * tty output: the bytes written. */
};

#define ST_HEADER_SIZE 136

#endif /* SESSIONTOP_H */
