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

/* Identity and credentials of the process of task t: what every record kind starts with. */
static __always_inline void fill_identity(struct st_record *r, struct task_struct *t, __u16 kind)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

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
}

/* The process facts every record carries, read from task t (a thread of the process). */
static __always_inline void fill_header(struct st_record *r, struct task_struct *t, __u16 kind)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);

	fill_identity(r, t, kind);
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
	__u32 oflag = 0;

	fill_identity(r, t, ST_TTY_OUTPUT);
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

/* ---- Typed lines ----------------------------------------------------------------------------
 *
 * bash: a uretprobe on readline() reports the line it returns. A read that was already waiting when
 * the sensor attached has no return probe (uretprobes are armed at function entry), so an entry
 * uprobe on readline() marks each read it sees begin (line_reads, per thread), and an entry uprobe
 * on rl_newline (the accept-line command, run when Enter is pressed) reports rl_line_buffer only
 * when no such mark exists: every line once, the first one at an already open prompt included.
 *
 * zsh: the same pair on zleentry() (core, exported for its modules) for the read request
 * (ZLE_CMD_READ, command-line contexts): the returned line is metafied and ends in a newline.
 * The fallback is zle.so's acceptline, reading zleline/zlell (wide characters).
 *
 * dash (and shells like it, without a line editor): read(2) on fd 0 returns whole lines when fd 0 is
 * the controlling terminal in canonical mode; only executables found at start (shell_exes, by
 * inode), only echoing terminals (no `read -s`, no password prompt), only block-sized reads (not
 * dash's byte-wise `read` builtin). */

#define ZLE_CMD_READ 1
#define ZLCON_LINE_CONT 1 /* ZLCON_LINE_START = 0, ZLCON_LINE_CONT = 1: command lines */
#define ZSH_META 0x83
#define ZSH_INVALID_WCHAR_BASE 0xe000 /* zle keeps an invalid byte b as the wide char 0xe000 + b */

#if defined(__TARGET_ARCH_x86)
#define ST_RET_SP_DELTA 8 /* the return popped the return address */
#else
#define ST_RET_SP_DELTA 0 /* the return address was in a register */
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct st_exe_key);
	__type(value, struct st_shell_exe);
} shell_exes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_LINE_TARGETS);
	__type(key, __u32);
	__type(value, struct st_line_target);
} line_targets SEC(".maps");

/* Line-editor reads in progress that began after the sensor attached: thread id -> stack pointer at
 * entry (to tell the read's own return from nested calls). LRU: a read abandoned by longjmp or exit
 * leaves an entry that ages out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} line_reads SEC(".maps");

/* The shell_exes entry of task t's executable, or NULL. */
static __always_inline struct st_shell_exe *shell_exe_of(struct task_struct *t)
{
	struct inode *inode = BPF_CORE_READ(t, mm, exe_file, f_inode);
	struct st_exe_key key = {};

	if (!inode)
		return NULL;
	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	return bpf_map_lookup_elem(&shell_exes, &key);
}

/* Fills the header, appends the shell's cwd after the line already at ST_HEADER_SIZE, submits. */
static __always_inline void submit_typed(struct st_record *r, struct task_struct *t, __u32 kept, __u32 total,
					 __u32 shell, __u32 via)
{
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	__u32 off, n_cwd = 0;

	fill_header(r, t, ST_TYPED);
	r->aux[0] = kept;
	r->aux[1] = total;
	r->aux[2] = shell;
	r->aux[3] = via;
	if (total > kept)
		r->flags |= ST_F_TYPED_TRUNC;
	off = ST_HEADER_SIZE + (kept & (2 * ST_TYPED_LIMIT - 1));
	off = append_path(r, off, t, BPF_CORE_READ(fs, pwd.dentry), BPF_CORE_READ(fs, pwd.mnt), ST_F_CWD_TRUNC, &n_cwd);
	r->len[1] = n_cwd;
	output_scratch(r, off);
}

static __always_inline __u32 typed_bound(void)
{
	__u32 max = typed_max;

	return max > ST_TYPED_LIMIT ? ST_TYPED_LIMIT : max;
}

/* Reports the NUL-terminated line at user address `line` (bash). */
static __always_inline void report_c_line(struct task_struct *t, const char *line, __u32 shell, __u32 via)
{
	struct st_record *r = scratch_record();
	__u32 max = typed_bound();
	long n;

	if (!r || !line)
		return;
	/* Read one byte more than kept, to know whether the line was longer. */
	n = bpf_probe_read_user_str((__u8 *)r + ST_HEADER_SIZE, (max + 2) & (2 * ST_TYPED_LIMIT - 1), line);
	if (n <= 1)
		return; /* empty line, or unreadable */
	n -= 1;
	submit_typed(r, t, n > max ? max : n, n, shell, via);
}

/* True when the current thread's executable is a shell of `kind` found at start. */
static __always_inline bool current_is_shell(__u32 kind)
{
	struct st_shell_exe *exe = shell_exe_of((struct task_struct *)bpf_get_current_task());

	return exe && exe->kind == kind;
}

static __always_inline void mark_read(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 sp = PT_REGS_SP(ctx);

	bpf_map_update_elem(&line_reads, &tid, &sp, BPF_ANY);
}

/* True (and forgotten) when this return ends the marked read of the current thread. */
static __always_inline bool end_marked_read(struct pt_regs *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *sp = bpf_map_lookup_elem(&line_reads, &tid);

	if (!sp || *sp + ST_RET_SP_DELTA != PT_REGS_SP(ctx))
		return false;
	bpf_map_delete_elem(&line_reads, &tid);
	return true;
}

static __always_inline bool read_is_marked(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	return bpf_map_lookup_elem(&line_reads, &tid) != NULL;
}

SEC("uprobe")
int BPF_KPROBE(handle_readline_enter)
{
	if (bpf_get_attach_cookie(ctx) == ST_COOKIE_BASH_ONLY && !current_is_shell(ST_SHELL_BASH))
		return 0;
	mark_read(ctx);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(handle_readline_ret, const char *line)
{
	if (!end_marked_read(ctx))
		return 0; /* not a bash (libreadline), or a nested call */
	report_c_line((struct task_struct *)bpf_get_current_task(), line, ST_SHELL_BASH, ST_VIA_RETURN);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_rl_newline)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 index = (__u32)bpf_get_attach_cookie(ctx);
	struct st_line_target *target = bpf_map_lookup_elem(&line_targets, &index);
	struct st_shell_exe *exe;
	const char *line = NULL;
	__u64 var;

	if (!target || read_is_marked())
		return 0; /* the readline uretprobe reports this line */
	exe = shell_exe_of(t);
	if ((target->flags & ST_TARGET_BASH_ONLY) && (!exe || exe->kind != ST_SHELL_BASH))
		return 0;
	/* rl_line_buffer: in bash's executable (built in, or copied there by a copy relocation), else in
	 * the library beside rl_newline */
	if (exe && exe->kind == ST_SHELL_BASH && (exe->flags & ST_EXE_LINE_VAR))
		var = BPF_CORE_READ(t, mm, start_code) + exe->line_var;
	else if (target->flags & ST_TARGET_LINE_VAR)
		var = PT_REGS_IP(ctx) + target->line;
	else
		return 0;
	if (bpf_probe_read_user(&line, sizeof(line), (void *)var) != 0)
		return 0;
	report_c_line(t, line, ST_SHELL_BASH, ST_VIA_ACCEPT);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_zleentry_enter, int cmd)
{
	int context = (int)PT_REGS_PARM5(ctx); /* zleentry(ZLE_CMD_READ, lp, rp, flags, context) */

	if (cmd != ZLE_CMD_READ || context < 0 || context > ZLCON_LINE_CONT)
		return 0;
	mark_read(ctx);
	return 0;
}

/* Unmetafies the line at the upper half of the scratch record into the payload. */
struct unmeta_state {
	__u32 in; /* next input byte, from ST_HALF */
	__u32 end; /* input bytes */
	__u32 out; /* output bytes, from ST_HEADER_SIZE */
	__u32 max; /* stop after max + 1 output bytes */
};

static long unmeta_step(__u32 index, void *ctx)
{
	struct unmeta_state *s = ctx;
	struct st_record *r = scratch_record();
	__u8 *buf = (__u8 *)r;
	__u8 c;

	if (!r || s->in >= s->end || s->out > s->max)
		return 1;
	c = buf[ST_HALF + (s->in & (ST_HALF - 1))];
	s->in++;
	if (c == ZSH_META && s->in < s->end) {
		c = buf[ST_HALF + (s->in & (ST_HALF - 1))] ^ 32;
		s->in++;
	}
	buf[ST_HEADER_SIZE + (s->out & (2 * ST_TYPED_LIMIT - 1))] = c;
	s->out++;
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(handle_zleentry_ret, const char *line)
{
	struct st_record *r;
	struct unmeta_state s = {};
	long n;

	if (!end_marked_read(ctx) || !line)
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	s.max = typed_bound();
	/* metafied: up to two bytes per byte, plus the newline */
	n = bpf_probe_read_user_str((__u8 *)r + ST_HALF, (2 * s.max + 4) & (4 * ST_TYPED_LIMIT - 1), line);
	if (n <= 1)
		return 0;
	s.end = n - 1;
	bpf_loop(4 * ST_TYPED_LIMIT, unmeta_step, &s, 0);
	if (s.in >= s.end && s.out > 0 && ((__u8 *)r)[ST_HEADER_SIZE + ((s.out - 1) & (2 * ST_TYPED_LIMIT - 1))] == '\n')
		s.out--; /* zleread ends the line with a newline */
	if (s.out == 0)
		return 0;
	submit_typed(r, (struct task_struct *)bpf_get_current_task(), s.out > s.max ? s.max : s.out, s.out, ST_SHELL_ZSH,
		     ST_VIA_RETURN);
	return 0;
}

/* Converts the wide characters at the upper half of the scratch record to UTF-8 in the payload. */
struct wide_state {
	__u32 in; /* characters converted */
	__u32 end; /* characters */
	__u32 out; /* output bytes */
	__u32 max;
};

static long wide_step(__u32 index, void *ctx)
{
	struct wide_state *s = ctx;
	struct st_record *r = scratch_record();
	__u8 *buf = (__u8 *)r;
	__u32 wc, o;

	if (!r || s->in >= s->end || s->out > s->max)
		return 1;
	wc = *(__u32 *)(buf + ST_HALF + ((s->in * 4) & (ST_HALF - 4)));
	s->in++;
	o = ST_HEADER_SIZE + (s->out & (2 * ST_TYPED_LIMIT - 1));
	if (wc >= ZSH_INVALID_WCHAR_BASE && wc <= ZSH_INVALID_WCHAR_BASE + 0xff) {
		buf[o] = wc - ZSH_INVALID_WCHAR_BASE;
		s->out += 1;
	} else if (wc < 0x80) {
		buf[o] = wc;
		s->out += 1;
	} else if (wc < 0x800) {
		buf[o] = 0xc0 | (wc >> 6);
		buf[o + 1] = 0x80 | (wc & 0x3f);
		s->out += 2;
	} else if (wc < 0x10000) {
		buf[o] = 0xe0 | (wc >> 12);
		buf[o + 1] = 0x80 | ((wc >> 6) & 0x3f);
		buf[o + 2] = 0x80 | (wc & 0x3f);
		s->out += 3;
	} else if (wc < 0x110000) {
		buf[o] = 0xf0 | (wc >> 18);
		buf[o + 1] = 0x80 | ((wc >> 12) & 0x3f);
		buf[o + 2] = 0x80 | ((wc >> 6) & 0x3f);
		buf[o + 3] = 0x80 | (wc & 0x3f);
		s->out += 4;
	}
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(handle_acceptline)
{
	__u32 index = (__u32)bpf_get_attach_cookie(ctx);
	struct st_line_target *target = bpf_map_lookup_elem(&line_targets, &index);
	struct wide_state s = {};
	struct st_record *r;
	__u64 ip = PT_REGS_IP(ctx);
	void *line = NULL;
	int len = 0, context = -1;
	__u32 want;

	if (!target || read_is_marked())
		return 0; /* the zleentry uretprobe reports this line */
	if (bpf_probe_read_user(&context, sizeof(context), (void *)(ip + target->context)) != 0 || context < 0 ||
	    context > ZLCON_LINE_CONT)
		return 0; /* vared, select */
	if (bpf_probe_read_user(&len, sizeof(len), (void *)(ip + target->len)) != 0 || len <= 0 ||
	    bpf_probe_read_user(&line, sizeof(line), (void *)(ip + target->line)) != 0 || !line)
		return 0;
	r = scratch_record();
	if (!r)
		return 0;
	s.max = typed_bound();
	s.end = (__u32)len > s.max + 1 ? s.max + 1 : (__u32)len;
	want = s.end * 4;
	barrier_var(want);
	want &= 8 * ST_TYPED_LIMIT - 1;
	if (bpf_probe_read_user((__u8 *)r + ST_HALF, want, line) != 0)
		return 0;
	bpf_loop(ST_TYPED_LIMIT + 1, wide_step, &s, 0);
	if (s.out == 0)
		return 0;
	submit_typed(r, (struct task_struct *)bpf_get_current_task(), s.out > s.max ? s.max : s.out,
		     (__u32)len > s.end ? s.out + 1 : s.out, ST_SHELL_ZSH, ST_VIA_ACCEPT);
	return 0;
}

/* Syscall arguments from the registers saved at syscall entry (direct loads through BTF pointers:
 * this runs at every read(2) exit on the host, so no helper calls before the cheap checks). */
#if defined(__TARGET_ARCH_x86)
#define ST_SYSCALL_ARG0(regs) ((regs)->di)
#define ST_SYSCALL_ARG1(regs) ((regs)->si)
#define ST_SYSCALL_ARG2(regs) ((regs)->dx)
#elif defined(__TARGET_ARCH_arm64)
#define ST_SYSCALL_ARG0(regs) ((regs)->orig_x0)
#define ST_SYSCALL_ARG1(regs) ((regs)->regs[1])
#define ST_SYSCALL_ARG2(regs) ((regs)->regs[2])
#else
#error "syscall arguments: unsupported architecture"
#endif

/* shell_exe_of() for the current task, through BTF pointers (no helper calls but the lookup). */
static __always_inline struct st_shell_exe *current_shell_exe(struct task_struct *task)
{
	struct st_exe_key key = {};
	struct mm_struct *mm = task->mm;
	struct file *exe;
	struct inode *inode;

	if (!mm)
		return NULL;
	exe = mm->exe_file;
	if (!exe)
		return NULL;
	inode = exe->f_inode;
	if (!inode)
		return NULL;
	key.ino = inode->i_ino;
	key.dev = inode->i_sb->s_dev;
	return bpf_map_lookup_elem(&shell_exes, &key);
}

/* True when fd 0 of t is its controlling terminal, in canonical mode with echo on. */
static __always_inline bool stdin_is_echoing_ctty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	struct file **fds = BPF_CORE_READ(t, files, fdt, fd);
	struct file *f = NULL;
	struct inode *inode;
	__u32 dev, lflag;

	if (!tty || !fds)
		return false;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[0]);
	if (!f)
		return false;
	inode = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFCHR)
		return false;
	dev = ((__u32)BPF_CORE_READ(tty, driver, major) << 20) |
	      ((__u32)(BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index)) & 0xfffff);
	if (BPF_CORE_READ(inode, i_rdev) != dev)
		return false;
	lflag = BPF_CORE_READ(tty, termios.c_lflag);
	return (lflag & (ICANON | ECHO)) == (ICANON | ECHO);
}

SEC("tracepoint/syscalls/sys_exit_read")
int handle_read_exit(struct st_sys_exit_ctx *ctx)
{
	struct task_struct *task, *t;
	struct pt_regs *regs;
	struct st_shell_exe *exe;
	struct st_record *r;
	unsigned long ubuf;
	__u32 max, n, want;
	long ret = ctx->ret;

	if (ret <= 0)
		return 0;
	task = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (ST_SYSCALL_ARG0(regs) != 0 || ST_SYSCALL_ARG2(regs) < ST_READ_MIN_COUNT)
		return 0;
	exe = current_shell_exe(task);
	t = (struct task_struct *)bpf_get_current_task();
	if (!exe || exe->kind != ST_SHELL_DASH || !stdin_is_echoing_ctty(t))
		return 0;
	ubuf = ST_SYSCALL_ARG1(regs);
	r = scratch_record();
	if (!r)
		return 0;
	max = typed_bound();
	n = ret;
	want = n > max ? max : n;
	barrier_var(want);
	want &= 2 * ST_TYPED_LIMIT - 1;
	if (!want || bpf_probe_read_user((__u8 *)r + ST_HEADER_SIZE, want, (void *)ubuf) != 0)
		return 0;
	if (want == n && ((__u8 *)r)[ST_HEADER_SIZE + ((n - 1) & (2 * ST_TYPED_LIMIT - 1))] == '\n') {
		n--; /* the line's own newline */
		want = n;
	}
	if (n == 0)
		return 0;
	submit_typed(r, t, want, n, ST_SHELL_DASH, ST_VIA_READ);
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
