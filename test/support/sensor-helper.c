/*
 * A test helper for the real-kernel sensor tests: does exactly one process-level thing per
 * invocation, with no library threads or hidden execs, and prints the pids involved as JSON.
 *
 *   fork                 fork a child that exits 0 without exec
 *   exit CODE            exit with CODE
 *   setsid               fork a child that calls setsid(), then exits 0
 *   setpgid              fork a child; the parent puts it in its own group (setpgid(child, child))
 *   setuid UID           setresuid(UID, UID, UID) then exit 0
 *   execraw              execve /bin/true with argv holding invalid UTF-8 and escape sequences
 *   storm N PATH         fork+exec PATH N times, one at a time; prints its CPU time and its children's
 *   fds                  print the device numbers of fds 0, 1, 2 and exit
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_child(pid_t pid)
{
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		;
	return status;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "fork")) {
		pid_t child = fork();
		if (child == 0)
			_exit(0);
		wait_child(child);
		printf("{\"pid\":%d,\"child\":%d}\n", getpid(), child);
		return 0;
	}
	if (!strcmp(cmd, "exit") && argc > 2) {
		printf("{\"pid\":%d}\n", getpid());
		fflush(stdout);
		return atoi(argv[2]);
	}
	if (!strcmp(cmd, "setsid")) {
		int fds[2];
		if (pipe(fds))
			return 1;
		pid_t child = fork();
		if (child == 0) {
			pid_t sid = setsid();
			char c = sid > 0 ? 'y' : 'n';
			if (write(fds[1], &c, 1) != 1)
				_exit(1);
			_exit(0);
		}
		char c = 0;
		if (read(fds[0], &c, 1) != 1)
			return 1;
		wait_child(child);
		printf("{\"pid\":%d,\"child\":%d,\"ok\":%s}\n", getpid(), child, c == 'y' ? "true" : "false");
		return 0;
	}
	if (!strcmp(cmd, "setpgid")) {
		int fds[2];
		if (pipe(fds))
			return 1;
		pid_t child = fork();
		if (child == 0) {
			char c;
			close(fds[1]);
			if (read(fds[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		int rc = setpgid(child, child);
		close(fds[1]);
		wait_child(child);
		printf("{\"pid\":%d,\"child\":%d,\"ok\":%s}\n", getpid(), child, rc == 0 ? "true" : "false");
		return 0;
	}
	if (!strcmp(cmd, "setuid") && argc > 2) {
		uid_t uid = (uid_t)atoi(argv[2]);
		int rc = setresuid(uid, uid, uid);
		printf("{\"pid\":%d,\"ok\":%s}\n", getpid(), rc == 0 ? "true" : "false");
		return 0;
	}
	if (!strcmp(cmd, "execraw")) {
		char *args[] = { "/bin/true", "\xff\xfe plain", "\x1b[31mred\x1b[0m", "\x1b]0;pwned\x07", "caf\xc3\xa9", NULL };
		char *env[] = { NULL };
		printf("{\"pid\":%d}\n", getpid());
		fflush(stdout);
		execve(args[0], args, env);
		return 127;
	}
	if (!strcmp(cmd, "storm") && argc > 3) {
		long n = atol(argv[2]);
		char *args[] = { argv[3], NULL };
		char *env[] = { NULL };
		for (long i = 0; i < n; i++) {
			pid_t child = fork();
			if (child == 0) {
				execve(argv[3], args, env);
				_exit(127);
			}
			if (child < 0)
				return 1;
			wait_child(child);
		}
		struct rusage self, kids;
		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &kids);
		double cpu_ms = (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) * 1e3 +
				(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e3;
		printf("{\"pid\":%d,\"n\":%ld,\"cpu_ms\":%.3f}\n", getpid(), n, cpu_ms);
		return 0;
	}
	if (!strcmp(cmd, "fds")) {
		printf("{\"pid\":%d", getpid());
		for (int fd = 0; fd < 3; fd++) {
			struct stat st;
			if (fstat(fd, &st) == 0) {
				dev_t d = S_ISCHR(st.st_mode) ? st.st_rdev : st.st_dev;
				printf(",\"fd%d\":{\"chr\":%s,\"major\":%u,\"minor\":%u}", fd, S_ISCHR(st.st_mode) ? "true" : "false", major(d), minor(d));
			}
		}
		printf("}\n");
		return 0;
	}
	fprintf(stderr, "usage: sensor-helper fork|exit CODE|setsid|setpgid|setuid UID|execraw|storm N PATH|fds\n");
	return 2;
}
