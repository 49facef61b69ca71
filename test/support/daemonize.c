/*
 * Starts PROGRAM ARGS... the way a classic service daemonizes: fork, the child forks again and exits
 * (so the grandchild is orphaned and re-parented to pid 1, or to a subreaper), the grandchild waits
 * until it has been re-parented, calls setsid(), detaches its stdio and execs PROGRAM.
 *
 *   daemonize PROGRAM [ARGS...]
 *
 * Prints one JSON line once the daemon is about to exec:
 *   {"pid":<this process>,"daemon":<daemon pid>,"ppid":<daemon's parent after re-parenting>,"sid":<its sid>}
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: daemonize PROGRAM [ARGS...]\n");
		return 2;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return 1;
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		pid_t first_parent = getpid(); /* not getppid() in the grandchild: this may be gone by then */
		pid_t grandchild = fork();
		if (grandchild < 0)
			_exit(1);
		if (grandchild > 0)
			_exit(0); /* orphan the grandchild */
		struct timespec ms = { 0, 1000000 };
		for (int i = 0; i < 5000 && getppid() == first_parent; i++)
			nanosleep(&ms, NULL);
		if (setsid() < 0)
			_exit(1);
		if (chdir("/"))
			_exit(1);
		int null = open("/dev/null", O_RDWR);
		if (null < 0)
			_exit(1);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		char line[160];
		int n = snprintf(line, sizeof line, "{\"pid\":%d,\"daemon\":%d,\"ppid\":%d,\"sid\":%d}\n", (int)first_parent,
				 (int)getpid(), (int)getppid(), (int)getsid(0));
		if (write(fds[1], line, (size_t)n) != n)
			_exit(1);
		/* fds[1] is close-on-exec: the reader sees EOF exactly when the exec happened (or failed) */
		execv(argv[1], argv + 1);
		_exit(127);
	}
	close(fds[1]);
	int status = 0;
	waitpid(child, &status, 0);
	char buf[256];
	ssize_t got = 0, n;
	while ((n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = 0;
	if (got == 0)
		return 1;
	/* report with this process's pid, not the intermediate child's */
	int d = 0, pp = 0, sid = 0, ignored = 0;
	if (sscanf(buf, "{\"pid\":%d,\"daemon\":%d,\"ppid\":%d,\"sid\":%d}", &ignored, &d, &pp, &sid) != 4)
		return 1;
	printf("{\"pid\":%d,\"daemon\":%d,\"ppid\":%d,\"sid\":%d}\n", (int)getpid(), d, pp, sid);
	return 0;
}
