/**
 * A paced exec load for the UI benchmarks: a small C program that fork+execs a binary at a fixed
 * rate (execs per second, by absolute deadlines, children reaped as they end) for a given time,
 * then prints how many it ran and the rate it achieved.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: paced-exec RATE SECONDS PATH\n"); return 2; }
  double rate = atof(argv[1]), seconds = atof(argv[2]);
  const char *path = argv[3];
  long total = (long)(rate * seconds), done = 0, failed = 0;
  struct timespec start, next, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (long i = 0; i < total; i++) {
    double t = i / rate;
    next.tv_sec = start.tv_sec + (time_t)t;
    next.tv_nsec = start.tv_nsec + (long)((t - (double)(time_t)t) * 1e9);
    if (next.tv_nsec >= 1000000000L) { next.tv_sec++; next.tv_nsec -= 1000000000L; }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {}
    pid_t pid = fork();
    if (pid == 0) { execl(path, path, (char *)NULL); _exit(127); }
    if (pid < 0) failed++;
    else done++;
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
  }
  while (wait(NULL) > 0) {}
  clock_gettime(CLOCK_MONOTONIC, &end);
  double took = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
  printf("{\"execs\":%ld,\"failed\":%ld,\"seconds\":%.3f,\"rate\":%.1f}\n", done, failed, took, done / took);
  return 0;
}
`;

let binary: string | undefined;

/** Compiles the load generator once (needs cc). */
export function buildExecLoad(): string {
  if (binary) return binary;
  const dir = mkdtempSync(join(tmpdir(), 'sessiontop-ui-load-'));
  writeFileSync(join(dir, 'paced-exec.c'), SOURCE);
  binary = join(dir, 'paced-exec');
  execFileSync('cc', ['-O2', '-o', binary, join(dir, 'paced-exec.c')]);
  return binary;
}

export interface ExecLoadResult {
  execs: number;
  failed: number;
  seconds: number;
  rate: number;
}

/** Starts `rate` execs/s of /bin/true for `seconds`; resolves with what it achieved. */
export function startExecLoad(rate: number, seconds: number): { child: ChildProcess; done: Promise<ExecLoadResult> } {
  const child = spawn(buildExecLoad(), [String(rate), String(seconds), '/bin/true'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<ExecLoadResult>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as ExecLoadResult) : reject(new Error(`paced-exec exited ${code}`))));
  });
  return { child, done };
}
