// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sessiontop kernel sensor: process lifecycle (fork, exec, exit), session and group changes,
 * credential changes, and lines typed at interactive shells, as packed records (bpf/sessiontop.h)
 * in one ring buffer. libbpf-tools style: one shared record header, const volatile config set
 * before load, CO-RE reads only, one function per hook. Uses only BTF tracepoints, syscall
 * tracepoints and uprobes (no kprobes, fentry or LSM).
 */
#include "kernel-types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "sessiontop.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Configuration, written by the addon before load. */
const volatile __u32 args_max = ST_ARGS_DEFAULT;
const volatile __u32 typed_max = ST_TYPED_DEFAULT;
/* Terminal output capture (its programs load only when it is on; see the end of this file). */
const volatile __u32 tty_output = 0;
const volatile __u32 tty_rate = ST_TTY_RATE_DEFAULT; /* bytes per process per second, 0 = unbounded */
const volatile __u64 tty_max_bytes = ST_TTY_MAX_DEFAULT; /* bytes per process in total, 0 = unbounded */

/* Scratch space for variable-length records. Offsets into it are masked with ST_HALF_MASK and
 * lengths are bounded by it, so every access stays inside the buffer (2 * ST_HALF). The largest
 * record (header + filename + args + cwd + cgroup + env) is below ST_HALF. */
#define ST_HALF (1u << 17)
#define ST_HALF_MASK (ST_HALF - 1)
#define ST_SCRATCH_SIZE (2 * ST_HALF)

struct scratch {
	__u8 buf[ST_SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the addon */
} events SEC(".maps");

/* Failed ring buffer reserves/outputs; summed over CPUs by the addon. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* One scratch buffer per CPU. A per-CPU array caps values at 32 KiB, so this is a plain array
 * with one entry per possible CPU (max_entries set by the addon), indexed by the current CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* setpgid(pid, pgid) arguments between syscall entry and exit, by thread id. */
struct setpgid_args {
	__u32 pid;
	__u32 pgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct setpgid_args);
} setpgid_inflight SEC(".maps");

/* Ring buffer wake-ups are rate-limited: the first record after ST_WAKEUP_NS of quiet wakes the
 * reader at once, the following ones ride along (the reader drains a batch per wake-up, and on a
 * timer). A wake-up per record costs an IPI each (a VM exit under virtualisation). */
#define ST_WAKEUP_NS (10 * 1000 * 1000ULL)
__u64 last_wakeup_ns = 0;

static __always_inline __u64 wakeup_flags(void)
{
	__u64 now = bpf_ktime_get_ns();

	if (now - last_wakeup_ns < ST_WAKEUP_NS)
		return BPF_RB_NO_WAKEUP;
	last_wakeup_ns = now;
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

static __always_inline struct st_record *scratch_record(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&scratch_map, &cpu);
}

static __always_inline bool is_kernel_thread(struct task_struct *t)
{
	return BPF_CORE_READ(t, flags) & PF_KTHREAD;
}

static __always_inline void fill_fds(struct st_record *r, struct task_struct *t)
{
	struct files_struct *files = BPF_CORE_READ(t, files);
	struct fdtable *fdt;
	struct file **fds;
	unsigned int max_fds;

	r->fd_dev[0] = r->fd_dev[1] = r->fd_dev[2] = 0;
	r->fd_type[0] = r->fd_type[1] = r->fd_type[2] = ST_FD_NONE;
	if (!files)
		return;
	fdt = BPF_CORE_READ(files, fdt);
	max_fds = BPF_CORE_READ(fdt, max_fds);
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds)
		return;

#pragma unroll
	for (int i = 0; i < 3; i++) {
		struct file *f = NULL;
		struct inode *inode;
		umode_t mode;

		if (i >= max_fds)
			break;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[i]);
		if (!f)
			continue;
		inode = BPF_CORE_READ(f, f_inode);
		mode = BPF_CORE_READ(inode, i_mode) & S_IFMT;
		if (mode == S_IFCHR) {
			r->fd_type[i] = ST_FD_CHR;
			r->fd_dev[i] = BPF_CORE_READ(inode, i_rdev);
			continue;
		}
		r->fd_dev[i] = BPF_CORE_READ(inode, i_sb, s_dev);
		if (mode == S_IFREG)
			r->fd_type[i] = ST_FD_FILE;
		else if (mode == S_IFIFO)
			r->fd_type[i] = ST_FD_PIPE;
		else if (mode == S_IFSOCK)
			r->fd_type[i] = ST_FD_SOCK;
		else
			r->fd_type[i] = ST_FD_OTHER;
	}
}

/* The process facts every record carries, read from task t (a thread of the process). */
static __always_inline void fill_header(struct st_record *r, struct task_struct *t, __u16 kind)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	struct tty_struct *tty = BPF_CORE_READ(sig, tty);

	r->kind = kind;
	r->version = ST_RECORD_VERSION;
	r->size = ST_HEADER_SIZE;
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->start_ns = BPF_CORE_READ(leader, start_boottime);
	r->pid = BPF_CORE_READ(t, tgid);
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->pgid = BPF_CORE_READ(sig, pids[PIDTYPE_PGID], numbers[0].nr);
	r->sid = BPF_CORE_READ(sig, pids[PIDTYPE_SID], numbers[0].nr);
	r->uid = BPF_CORE_READ(cred, uid.val);
	r->euid = BPF_CORE_READ(cred, euid.val);
	r->suid = BPF_CORE_READ(cred, suid.val);
	r->gid = BPF_CORE_READ(cred, gid.val);
	r->egid = BPF_CORE_READ(cred, egid.val);
	r->sgid = BPF_CORE_READ(cred, sgid.val);
	if (bpf_core_field_exists(t->loginuid)) {
		r->login_uid = BPF_CORE_READ(t, loginuid.val);
		r->session_id = BPF_CORE_READ(t, sessionid);
	} else {
		r->login_uid = 0xffffffff;
		r->session_id = 0xffffffff;
	}
	r->tty_dev = 0;
	if (tty) {
		int major = BPF_CORE_READ(tty, driver, major);
		int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		r->tty_dev = ((__u32)major << 20) | ((__u32)minor & 0xfffff);
	}
	fill_fds(r, t);
	r->pad0 = 0;
	r->flags = 0;
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	r->aux[0] = r->aux[1] = r->aux[2] = r->aux[3] = 0;
	r->len[0] = r->len[1] = r->len[2] = r->len[3] = 0;
}

/* Submits a scratch record of `size` bytes (header included), padded to 8. */
static __always_inline void output_scratch(struct st_record *r, __u32 size)
{
	size = (size + 7) & ~7u;
	size &= ST_HALF_MASK;
	r->size = size;
	if (bpf_ringbuf_output(&events, r, size, wakeup_flags()))
		count_lost();
}

/* Submits a header-only record for task t. */
static __always_inline void output_header(struct task_struct *t, __u16 kind, __u32 aux0, __u32 aux1)
{
	struct st_record *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r) {
		count_lost();
		return;
	}
	fill_header(r, t, kind);
	r->aux[0] = aux0;
	r->aux[1] = aux1;
	bpf_ringbuf_submit(r, wakeup_flags());
}

/* State of the cwd walk across bpf_loop iterations. */
struct cwd_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u64 mnt_offset;
	__u32 off;
	__u32 start;
	__u32 flags;
	__u32 done;
};

/* One level of the walk: appends a component, or crosses a mount, or stops at the root. */
static long cwd_step(__u32 index, void *ctx)
{
	struct cwd_walk *w = ctx;
	/* local copies: BPF_CORE_READ must not see the (non-kernel) walk struct in its expression */
	struct dentry *dentry = w->dentry, *parent;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct st_record *r;
	const unsigned char *name;
	__u32 off;
	long n;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt)
		goto done;
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			goto done; /* the namespace's root mount */
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		w->vfsmnt = (struct vfsmount *)((__u8 *)up + w->mnt_offset);
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		goto done;
	if (w->off - w->start > ST_CWD_MAX - ST_NAME_MAX) {
		w->flags |= ST_F_CWD_TRUNC;
		goto done;
	}
	r = scratch_record();
	if (!r)
		goto done;
	name = BPF_CORE_READ(dentry, d_name.name);
	off = w->off & ST_HALF_MASK;
	n = bpf_probe_read_kernel_str((__u8 *)r + off, ST_NAME_MAX, name);
	if (n > 0)
		w->off = off + n;
	w->dentry = parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

/* Appends the components of `path`, leaf first, each NUL-terminated, walking dentries and crossing
 * mounts up to the task's root. Sets `trunc_flag` when the walk stops early. Returns the new offset;
 * *written gets the bytes appended. */
static __always_inline __u32 append_path(struct st_record *r, __u32 off, struct task_struct *t,
					 struct dentry *dentry, struct vfsmount *vfsmnt, __u32 trunc_flag, __u32 *written)
{
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	struct cwd_walk w = {};

	w.dentry = dentry;
	w.vfsmnt = vfsmnt;
	w.root_dentry = BPF_CORE_READ(fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(fs, root.mnt);
	w.mnt_offset = bpf_core_field_offset(struct mount, mnt);
	w.mnt = (struct mount *)((__u8 *)w.vfsmnt - w.mnt_offset);
	w.off = off;
	w.start = off;
	bpf_loop(ST_CWD_DEPTH, cwd_step, &w, 0);
	if (!w.done || w.flags)
		r->flags |= trunc_flag;
	*written = w.off - off;
	return w.off;
}

/* ---- terminal output: the watched processes ----------------------------------------------------
 * With terminal-output capture on, every process that has a controlling terminal is in tty_watched
 * (keyed by tgid), with its output budget. The write hooks look the writer up there first and
 * return at once for every other process on the host. Kept current by the fork, exec, setsid and
 * exit handlers; processes that existed before the sensor started are added by the addon from /proc.
 */
struct tty_watch {
	__u64 window_ns; /* start of the current one-second rate window */
	__u64 total; /* bytes kept so far */
	__u32 window_bytes; /* bytes kept in the current window */
	__u32 skipped; /* bytes skipped since the last record */
	__u32 capped; /* the total bound was reached */
	__u32 pad;
	/* The open file last found to be the controlling terminal, and its inode: a write through the
	 * same file (fds 0-2 of a login usually share one) skips the device checks. */
	__u64 term_file;
	__u64 term_inode;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct tty_watch);
} tty_watched SEC(".maps");

/* termios c_oflag bits (uapi) */
#define ST_OPOST 0x1
#define ST_ONLCR 0x4

/* The process facts of a tty output record: like fill_header, without the stdio walk (the model
 * takes a writer's facts from its fork/exec/snapshot, not from its output). */
static __always_inline void fill_tty_header(struct st_record *r, struct task_struct *t, struct tty_struct *tty)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	__u32 oflag = 0;

	r->kind = ST_TTY_OUTPUT;
	r->version = ST_RECORD_VERSION;
	r->size = ST_HEADER_SIZE;
	r->ts_ns = bpf_ktime_get_boot_ns();
	r->start_ns = BPF_CORE_READ(leader, start_boottime);
	r->pid = BPF_CORE_READ(t, tgid);
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->pgid = BPF_CORE_READ(sig, pids[PIDTYPE_PGID], numbers[0].nr);
	r->sid = BPF_CORE_READ(sig, pids[PIDTYPE_SID], numbers[0].nr);
	r->uid = BPF_CORE_READ(cred, uid.val);
	r->euid = BPF_CORE_READ(cred, euid.val);
	r->suid = BPF_CORE_READ(cred, suid.val);
	r->gid = BPF_CORE_READ(cred, gid.val);
	r->egid = BPF_CORE_READ(cred, egid.val);
	r->sgid = BPF_CORE_READ(cred, sgid.val);
	if (bpf_core_field_exists(t->loginuid)) {
		r->login_uid = BPF_CORE_READ(t, loginuid.val);
		r->session_id = BPF_CORE_READ(t, sessionid);
	} else {
		r->login_uid = 0xffffffff;
		r->session_id = 0xffffffff;
	}
	r->tty_dev = 0;
	r->aux[2] = 0;
	if (tty) {
		int major = BPF_CORE_READ(tty, driver, major);
		int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		r->tty_dev = ((__u32)major << 20) | ((__u32)minor & 0xfffff);
		r->aux[2] = ((__u32)BPF_CORE_READ(tty, winsize.ws_row) << 16) | BPF_CORE_READ(tty, winsize.ws_col);
		oflag = BPF_CORE_READ(tty, termios.c_oflag);
	}
	r->fd_dev[0] = r->fd_dev[1] = r->fd_dev[2] = 0;
	r->fd_type[0] = r->fd_type[1] = r->fd_type[2] = ST_FD_NONE;
	r->pad0 = 0;
	r->flags = (oflag & ST_OPOST) && (oflag & ST_ONLCR) ? ST_F_TTY_ONLCR : 0;
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	r->aux[0] = r->aux[1] = r->aux[3] = 0;
	r->len[0] = r->len[1] = r->len[2] = r->len[3] = 0;
}

/* fork: a child of a watched process is watched (with a budget of its own). */
static __always_inline void tty_watch_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid;
	struct tty_watch fresh = {};

	if (!tty_output)
		return;
	ptgid = BPF_CORE_READ(parent, tgid);
	if (!bpf_map_lookup_elem(&tty_watched, &ptgid))
		return;
	ctgid = BPF_CORE_READ(child, tgid);
	bpf_map_update_elem(&tty_watched, &ctgid, &fresh, BPF_NOEXIST);
}

/* exec: watched while it has a controlling terminal (the budget survives exec). */
static __always_inline void tty_watch_exec(struct task_struct *p)
{
	__u32 tgid;
	struct tty_watch fresh = {};

	if (!tty_output)
		return;
	tgid = BPF_CORE_READ(p, tgid);
	if (BPF_CORE_READ(p, signal, tty))
		bpf_map_update_elem(&tty_watched, &tgid, &fresh, BPF_NOEXIST);
	else
		bpf_map_delete_elem(&tty_watched, &tgid);
}

/* setsid: a new session has no controlling terminal (its next exec with one watches it again). */
static __always_inline void tty_watch_setsid(struct task_struct *t)
{
	__u32 tgid;

	if (!tty_output)
		return;
	tgid = BPF_CORE_READ(t, tgid);
	bpf_map_delete_elem(&tty_watched, &tgid);
}

/* exit: bytes skipped since the last record are reported (an empty record), then forgotten. */
static __always_inline void tty_watch_exit(struct task_struct *p)
{
	__u32 tgid;
	struct tty_watch *w;
	struct st_record *r;

	if (!tty_output)
		return;
	tgid = BPF_CORE_READ(p, tgid);
	w = bpf_map_lookup_elem(&tty_watched, &tgid);
	if (!w)
		return;
	if (w->skipped) {
		r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
		if (r) {
			fill_tty_header(r, p, BPF_CORE_READ(p, signal, tty));
			r->aux[1] = w->skipped;
			if (w->capped)
				r->flags |= ST_F_TTY_CAP;
			bpf_ringbuf_submit(r, wakeup_flags());
		} else {
			count_lost();
		}
	}
	bpf_map_delete_elem(&tty_watched, &tgid);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0; /* a thread */
	if (is_kernel_thread(child))
		return 0;
	output_header(child, ST_FORK, 0, 0);
	tty_watch_fork(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct st_record *r;
	struct mm_struct *mm;
	struct task_struct *parent;
	__u8 *buf;
	__u32 off = ST_HEADER_SIZE, limit, want;
	unsigned long arg_start, arg_end;
	char pcomm[4] = {};
	long n;

	if (is_kernel_thread(p))
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	buf = (__u8 *)r;
	fill_header(r, p, ST_EXEC);

	/* filename */
	n = bpf_probe_read_kernel_str(buf + off, ST_FILENAME_MAX, BPF_CORE_READ(bprm, filename));
	if (n > 0) {
		n -= 1;
		if (n == ST_FILENAME_MAX - 1)
			r->flags |= ST_F_FILENAME_TRUNC;
		r->len[0] = n;
		off += n;
	}

	/* argv, as laid out on the new stack */
	mm = BPF_CORE_READ(p, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	limit = args_max;
	if (limit > ST_ARGS_LIMIT)
		limit = ST_ARGS_LIMIT;
	want = arg_end > arg_start ? arg_end - arg_start : 0;
	r->aux[1] = want;
	if (want > limit) {
		want = limit;
		r->flags |= ST_F_ARGS_TRUNC;
	}
	off &= ST_HALF_MASK;
	barrier_var(want);
	want &= ST_HALF_MASK;
	if (want && bpf_probe_read_user(buf + off, want, (void *)arg_start) != 0)
		want = 0;
	r->aux[0] = want;
	off += want;

	{
		struct fs_struct *fs = BPF_CORE_READ(p, fs);
		__u32 n_cwd = 0;

		off = append_path(r, off, p, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), ST_F_CWD_TRUNC,
				  &n_cwd);
		r->len[1] = n_cwd;
	}

	/* cgroup v2 leaf name (container id lives here) */
	off &= ST_HALF_MASK;
	n = bpf_probe_read_kernel_str(buf + off, ST_CGROUP_MAX, BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, name));
	if (n > 0) {
		r->len[2] = n - 1;
		off += n - 1;
	}

	/* environment, only for children of sshd (entry leaders' SSH_CONNECTION) */
	parent = BPF_CORE_READ(p, real_parent);
	bpf_probe_read_kernel(pcomm, sizeof(pcomm), &parent->comm);
	if (pcomm[0] == 's' && pcomm[1] == 's' && pcomm[2] == 'h' && pcomm[3] == 'd') {
		unsigned long env_start = BPF_CORE_READ(mm, env_start);
		unsigned long env_end = BPF_CORE_READ(mm, env_end);
		__u32 env = env_end > env_start ? env_end - env_start : 0;

		if (env > ST_ENV_MAX)
			env = ST_ENV_MAX;
		off &= ST_HALF_MASK;
		barrier_var(env);
		env &= ST_HALF_MASK;
		if (env && bpf_probe_read_user(buf + off, env, (void *)env_start) == 0) {
			r->len[3] = env;
			r->flags |= ST_F_ENV;
			off += env;
		}
	}

	/* the executable actually run (symlinks resolved), as /proc/<pid>/exe shows it */
	{
		struct file *file = BPF_CORE_READ(bprm, file);
		__u32 n_exe = 0;

		if (file)
			off = append_path(r, off, p, BPF_CORE_READ(file, f_path.dentry), BPF_CORE_READ(file, f_path.mnt),
					  ST_F_EXE_TRUNC, &n_exe);
		r->aux[2] = n_exe;
	}

	output_scratch(r, off);
	tty_watch_exec(p);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	if (is_kernel_thread(p))
		return 0;
	/* signal->live has been decremented before this tracepoint: 0 means the last thread. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	tty_watch_exit(p);
	output_header(p, ST_EXIT, BPF_CORE_READ(p, exit_code), 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setsid")
int handle_setsid(struct st_sys_exit_ctx *ctx)
{
	if (ctx->ret < 0)
		return 0;
	output_header((struct task_struct *)bpf_get_current_task(), ST_SETSID, 0, 0);
	tty_watch_setsid((struct task_struct *)bpf_get_current_task());
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_setpgid")
int handle_setpgid_enter(struct st_sys_enter_setpgid_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct setpgid_args args = { .pid = (__u32)ctx->pid, .pgid = (__u32)ctx->pgid };

	bpf_map_update_elem(&setpgid_inflight, &tid, &args, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setpgid")
int handle_setpgid_exit(struct st_sys_exit_ctx *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = id >> 32;
	struct setpgid_args *args = bpf_map_lookup_elem(&setpgid_inflight, &tid);
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 target, pgid;

	if (!args)
		return 0;
	target = args->pid;
	pgid = args->pgid;
	bpf_map_delete_elem(&setpgid_inflight, &tid);
	if (ctx->ret != 0)
		return 0;
	/* Arguments are in the caller's pid namespace; outside the initial one only "self" can be
	 * translated (target 0 tells the reader the target is unknown; its next event corrects it). */
	if (BPF_CORE_READ(t, signal, pids[PIDTYPE_PID], level) > 0) {
		if (target != 0)
			return 0;
		target = tgid;
		pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	}
	if (target == 0)
		target = tgid;
	if (pgid == 0)
		pgid = target;
	output_header(t, ST_SETPGID, target, pgid);
	return 0;
}

static __always_inline int id_change(struct st_sys_exit_ctx *ctx, __u32 call)
{
	__u64 id = bpf_get_current_pid_tgid();

	/* glibc applies set*id to every thread; report the process once, from its leader. */
	if (ctx->ret != 0 || (__u32)id != (__u32)(id >> 32))
		return 0;
	output_header((struct task_struct *)bpf_get_current_task(), ST_ID_CHANGE, call, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_setuid")
int handle_setuid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETUID);
}

SEC("tracepoint/syscalls/sys_exit_setreuid")
int handle_setreuid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETREUID);
}

SEC("tracepoint/syscalls/sys_exit_setresuid")
int handle_setresuid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETRESUID);
}

SEC("tracepoint/syscalls/sys_exit_setgid")
int handle_setgid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETGID);
}

SEC("tracepoint/syscalls/sys_exit_setregid")
int handle_setregid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETREGID);
}

SEC("tracepoint/syscalls/sys_exit_setresgid")
int handle_setresgid(struct st_sys_exit_ctx *ctx)
{
	return id_change(ctx, ST_SETRESGID);
}

/* Attach cookie ST_COOKIE_BASH_ONLY: the probe sits in a shared libreadline, so only bash counts. */
#define ST_COOKIE_BASH_ONLY 1

SEC("uretprobe")
int BPF_KRETPROBE(handle_readline_ret, const char *line)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct st_record *r;
	__u8 *buf;
	__u32 max = typed_max;
	long n;

	if (!line)
		return 0;
	if (bpf_get_attach_cookie(ctx) == ST_COOKIE_BASH_ONLY) {
		char comm[5] = {};

		bpf_get_current_comm(comm, sizeof(comm));
		if (comm[0] != 'b' || comm[1] != 'a' || comm[2] != 's' || comm[3] != 'h' || comm[4] != 0)
			return 0;
	}
	r = scratch_record();
	if (!r)
		return 0;
	buf = (__u8 *)r;
	if (max > ST_TYPED_LIMIT)
		max = ST_TYPED_LIMIT;
	/* Read one byte more than kept, to know whether the line was longer. */
	n = bpf_probe_read_user_str(buf + ST_HEADER_SIZE, (max + 2) & (2 * ST_TYPED_LIMIT - 1), line);
	if (n <= 1)
		return 0; /* empty line, or unreadable */
	n -= 1;
	fill_header(r, t, ST_TYPED);
	r->aux[1] = n;
	if (n > max) {
		n = max;
		r->flags |= ST_F_TYPED_TRUNC;
	}
	r->aux[0] = n;
	output_scratch(r, ST_HEADER_SIZE + n);
	return 0;
}

/* ---- terminal output: the write hooks ------------------------------------------------------------
 * Loaded only with terminal-output capture on. write(2), writev(2), and pwritev2(2) at the file
 * position (offset -1, which a terminal accepts); pwrite64/pwritev with an offset fail with ESPIPE
 * on a terminal, so they never carry terminal output. Bytes are read at syscall entry, as the
 * process handed them to the kernel; what the terminal itself echoes of typed input (the line
 * discipline, never a write by the process) is not seen, so input typed with echo off (a password)
 * cannot appear, and nothing here reads what a process reads.
 */

/* /dev/tty (5, 0): the caller's controlling terminal under another name. */
#define ST_DEV_TTY (5u << 20)

/* The writer if it is watched and fd is its controlling terminal, else NULL. *ctty is the
 * controlling terminal, or NULL when the fast path did not need it (tty_record_tty reads it). */
static __always_inline struct tty_watch *tty_writer(__u32 fd, struct task_struct **task, struct tty_struct **ctty)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tty_watch *w = bpf_map_lookup_elem(&tty_watched, &tgid);
	struct task_struct *t;
	struct tty_struct *tty;
	struct fdtable *fdt;
	struct file **fds;
	struct file *f = NULL;
	struct inode *inode;
	__u32 dev, rdev;

	if (!w)
		return NULL;
	t = (struct task_struct *)bpf_get_current_task();
	fdt = BPF_CORE_READ(t, files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	inode = BPF_CORE_READ(f, f_inode);
	*task = t;
	*ctty = NULL;
	if (w->term_file == (__u64)f && w->term_inode == (__u64)inode)
		return w; /* the same open terminal as before */
	tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return NULL;
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFCHR)
		return NULL;
	rdev = BPF_CORE_READ(inode, i_rdev);
	dev = ((__u32)BPF_CORE_READ(tty, driver, major) << 20) |
	      (((__u32)BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index)) & 0xfffff);
	if (rdev != dev && rdev != ST_DEV_TTY)
		return NULL;
	w->term_file = (__u64)f;
	w->term_inode = (__u64)inode;
	*ctty = tty;
	return w;
}

/* How many of `count` bytes the budget lets through now (0: all skipped and counted). */
static __always_inline __u32 tty_budget(struct tty_watch *w, __u64 count)
{
	__u64 now, keep = count;

	if (w->capped)
		goto skip;
	if (tty_rate) {
		now = bpf_ktime_get_boot_ns();
		if (now - w->window_ns >= 1000000000ULL) {
			w->window_ns = now;
			w->window_bytes = 0;
		}
		if (w->window_bytes >= tty_rate)
			goto skip;
		if (keep > tty_rate - w->window_bytes)
			keep = tty_rate - w->window_bytes;
	}
	if (tty_max_bytes) {
		if (w->total + keep >= tty_max_bytes) {
			keep = tty_max_bytes - w->total;
			w->capped = 1;
		}
	}
	if (keep > ST_TTY_CHUNK)
		keep = ST_TTY_CHUNK;
	if (keep == 0)
		goto skip;
	return keep;
skip:
	w->skipped += count;
	return 0;
}

/* Fills and submits the record for `keep` bytes already copied after the header. */
static __always_inline void tty_submit(struct st_record *r, struct tty_watch *w, __u32 keep, __u64 count)
{
	r->aux[0] = keep;
	r->aux[1] = w->skipped;
	r->aux[3] = count - keep;
	if (w->capped)
		r->flags |= ST_F_TTY_CAP;
	w->skipped = 0;
	w->window_bytes += keep;
	w->total += keep;
	output_scratch(r, ST_HEADER_SIZE + keep);
}

SEC("tracepoint/syscalls/sys_enter_write")
int handle_tty_write(struct st_sys_enter_write_ctx *ctx)
{
	struct task_struct *t;
	struct tty_struct *tty;
	struct tty_watch *w = tty_writer((__u32)ctx->fd, &t, &tty);
	struct st_record *r;
	__u32 keep;

	if (!w || ctx->count == 0)
		return 0;
	keep = tty_budget(w, ctx->count);
	if (!keep)
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	if (!tty)
		tty = BPF_CORE_READ(t, signal, tty);
	fill_tty_header(r, t, tty);
	keep &= ST_HALF_MASK;
	if (bpf_probe_read_user((__u8 *)r + ST_HEADER_SIZE, keep, ctx->buf)) {
		w->skipped += ctx->count;
		return 0;
	}
	tty_submit(r, w, keep, ctx->count);
	return 0;
}

/* writev and pwritev2: the iovecs' bytes in order, the first ST_TTY_IOV_MAX of them. */
static __always_inline int tty_writev(struct st_sys_enter_writev_ctx *ctx)
{
	struct task_struct *t;
	struct tty_struct *tty;
	struct tty_watch *w = tty_writer((__u32)ctx->fd, &t, &tty);
	struct st_iovec iov[ST_TTY_IOV_MAX] = {};
	const struct st_iovec *uvec = ctx->vec;
	struct st_record *r;
	__u32 n = ctx->vlen, keep, off;
	__u64 count = 0;

	if (!w)
		return 0;
	if (n > ST_TTY_IOV_MAX)
		n = ST_TTY_IOV_MAX;
#pragma unroll
	for (int i = 0; i < ST_TTY_IOV_MAX; i++) {
		if (i >= n)
			break;
		if (bpf_probe_read_user(&iov[i], sizeof(iov[i]), &uvec[i]))
			return 0;
		count += iov[i].len;
	}
	if (count == 0)
		return 0;
	keep = tty_budget(w, count);
	if (!keep)
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	if (!tty)
		tty = BPF_CORE_READ(t, signal, tty);
	fill_tty_header(r, t, tty);
	off = 0;
#pragma unroll
	for (int i = 0; i < ST_TTY_IOV_MAX; i++) {
		__u32 len;

		if (i >= n || off >= keep)
			break;
		len = iov[i].len > keep - off ? keep - off : iov[i].len;
		len &= ST_TTY_CHUNK * 2 - 1;
		if (len && bpf_probe_read_user((__u8 *)r + ST_HEADER_SIZE + (off & (ST_TTY_CHUNK * 2 - 1)), len, iov[i].base))
			break;
		off += len;
	}
	keep = off;
	tty_submit(r, w, keep, count);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_writev")
int handle_tty_writev(struct st_sys_enter_writev_ctx *ctx)
{
	return tty_writev(ctx);
}

SEC("tracepoint/syscalls/sys_enter_pwritev2")
int handle_tty_pwritev2(struct st_sys_enter_writev_ctx *ctx)
{
	if (ctx->pos_l != (unsigned long)-1)
		return 0;
	return tty_writev(ctx);
}
