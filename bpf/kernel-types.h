/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types sessiontop's BPF programs read, declared with preserve_access_index so every
 * access is a CO-RE relocation resolved against the running kernel's BTF at load time. Only the
 * fields we read are listed; their order and offsets here do not matter. This replaces a generated
 * multi-megabyte vmlinux.h: the build needs no BTF from the build machine.
 */
#ifndef SESSIONTOP_KERNEL_TYPES_H
#define SESSIONTOP_KERNEL_TYPES_H
/* Tells bpf_tracing.h to use the kernel's pt_regs field names, as with a generated vmlinux.h. */
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0
typedef int pid_t;
typedef unsigned int dev_t;
typedef unsigned short umode_t;

/* uapi constants used by the programs (values are ABI) */
enum bpf_map_type_used {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_RB_NO_WAKEUP (1ULL << 0)
#define BPF_RB_FORCE_WAKEUP (1ULL << 1)

#define PF_KTHREAD 0x00200000
#define S_IFMT 00170000
#define ICANON 0000002 /* termios c_lflag */
#define ECHO 0000010
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFCHR 0020000
#define S_IFIFO 0010000

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

typedef struct { int counter; } atomic_t;
typedef struct { __u32 val; } kuid_t;
typedef struct { __u32 val; } kgid_t;

struct upid {
	int nr;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

struct tty_driver {
	int major;
	int minor_start;
};

struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
};

struct ktermios {
	unsigned int c_iflag;
	unsigned int c_oflag;
	unsigned int c_cflag;
	unsigned int c_lflag;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
	struct winsize winsize;
	struct ktermios termios;
};

struct signal_struct {
	atomic_t live;
	struct pid *pids[PIDTYPE_MAX];
	struct tty_struct *tty;
};

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t suid;
	kgid_t sgid;
	kuid_t euid;
	kgid_t egid;
};

struct super_block {
	dev_t s_dev;
};

struct inode {
	umode_t i_mode;
	unsigned long i_ino;
	dev_t i_rdev;
	struct super_block *i_sb;
};

struct file;

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct qstr {
	union {
		struct {
			__u32 hash;
			__u32 len;
		};
		__u64 hash_len;
	};
	const unsigned char *name;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
};

struct vfsmount {
	struct dentry *mnt_root;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
};

struct fs_struct {
	struct path root;
	struct path pwd;
};

struct mm_struct {
	unsigned long start_code;
	struct file *exe_file;
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long env_start;
	unsigned long env_end;
};

struct kernfs_node {
	const char *name;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct css_set {
	struct cgroup *dfl_cgrp;
};

struct task_struct {
	unsigned int flags;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_boottime;
	const struct cred *cred;
	struct signal_struct *signal;
	struct files_struct *files;
	struct fs_struct *fs;
	struct mm_struct *mm;
	int exit_code;
	char comm[16];
	kuid_t loginuid;
	unsigned int sessionid;
	struct css_set *cgroups;
};

struct linux_binprm {
	struct file *file;
	const char *filename;
};

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};
#elif defined(__TARGET_ARCH_arm64)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			__u64 regs[31];
			__u64 sp;
			__u64 pc;
			__u64 pstate;
		};
	};
	__u64 orig_x0;
};
#endif

#pragma clang attribute pop

/* Syscall tracepoint contexts: layouts from /sys/kernel/tracing/events/syscalls/ * /format (ABI). */
struct st_trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct st_sys_exit_ctx {
	struct st_trace_entry ent;
	int nr;
	long ret;
};

struct st_sys_enter_setpgid_ctx {
	struct st_trace_entry ent;
	int nr;
	unsigned long pid;
	unsigned long pgid;
};

/* write(2), writev(2) and pwritev2(2) entry arguments (terminal output capture). */
struct st_sys_enter_write_ctx {
	struct st_trace_entry ent;
	int nr;
	unsigned long fd;
	const char *buf;
	unsigned long count;
};

struct st_sys_enter_writev_ctx {
	struct st_trace_entry ent;
	int nr;
	unsigned long fd;
	const void *vec;
	unsigned long vlen;
	unsigned long pos_l; /* pwritev2 only: -1 = the file position, as writev */
};

/* struct iovec, as user space lays it out (uapi) */
struct st_iovec {
	const void *base;
	unsigned long len;
};

#endif /* SESSIONTOP_KERNEL_TYPES_H */
