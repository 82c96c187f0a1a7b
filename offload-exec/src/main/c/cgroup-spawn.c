/*
 * cgroup-spawn: starts one program born in its run's cgroup, as a child of our own parent (the exec
 * server), and exits. The exec server runs it through posix_spawn with the run's descriptors, signal
 * mask and dispositions already in place; we add what posix_spawn cannot do.
 *
 * Why: a run's program must be in its cgroup before it can fork (so that every descendant is
 * followed and killed with it). Moving a process into a cgroup makes the kernel wait for an RCU
 * grace period (cgroup_threadgroup_rwsem taken for writing): 10 ms and more on a small VM, most of
 * a `rexec /bin/true`, for the exec server's JVM moved in and back at each start. clone3 with
 * CLONE_INTO_CGROUP (Linux 5.7) starts a process in a cgroup with no move at all, but no C library
 * the server can count on wraps it (glibc 2.39's posix_spawnattr_setcgroup_np does), and a JVM
 * cannot run code in a fresh child of its own. CLONE_PARENT makes the program the server's child,
 * not ours, so its pid, waits and signals are the server's as with posix_spawn.
 *
 *   cgroup-spawn FIRST TERMINAL PROGRAM ARGV0 ARGS...   (the environment is the program's)
 *
 * Descriptors FIRST and FIRST + 1 are the run's cgroup directory and the write end of a pipe to the
 * server; with TERMINAL "1", FIRST + 2 is the terminal to give the program as stdin, stdout, stderr
 * and controlling terminal; FIRST + 3 is this binary, which the server runs as /proc/self/fd/FIRST+3
 * (it keeps it in a memfd: no file system it could write to need allow executing). None of them
 * reaches the program. On the pipe, records of a tag byte and
 * a 32-bit number in the machine's order:
 *   'E' errno   the program could not be executed (written by the child, before the 'P')
 *   'P' pid     the program's process (exec'd, or exited with 127 after an 'E')
 *   'F' errno   clone3 failed (an older kernel: the server moves the process itself instead)
 * Exit status: 0 after 'P', 1 after 'F', 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static void record(int fd, char tag, int32_t value) {
    char buffer[1 + sizeof value];
    buffer[0] = tag;
    memcpy(buffer + 1, &value, sizeof value);
    ssize_t ignored = write(fd, buffer, sizeof buffer); /* a pipe write this small is whole or fails */
    (void)ignored;
}

/* In the new process: a session of its own, the terminal if any, then the program. */
static void become_program(int status, int terminal, const char *program, char **argv) {
    if (setsid() < 0) {
        record(status, 'E', errno);
        _exit(127);
    }
    if (terminal >= 0) {
        if (ioctl(terminal, TIOCSCTTY, 0) < 0 || dup2(terminal, 0) < 0 || dup2(terminal, 1) < 0 ||
            dup2(terminal, 2) < 0) {
            record(status, 'E', errno);
            _exit(127);
        }
    }
    execve(program, argv, environ);
    record(status, 'E', errno);
    _exit(127);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        return 2;
    }
    int first = atoi(argv[1]);
    int cgroup = first;
    int status = first + 1;
    int terminal = strcmp(argv[2], "1") == 0 ? first + 2 : -1;
    for (int fd = first; fd <= first + 3; fd++) {
        fcntl(fd, F_SETFD, FD_CLOEXEC); /* the program gets none of them */
    }

    struct clone_args args;
    memset(&args, 0, sizeof args);
    /* CLONE_VFORK: we go on once the program runs (or failed to), so our 'P' follows its 'E'. */
    args.flags = CLONE_PARENT | CLONE_INTO_CGROUP | CLONE_VFORK;
    args.cgroup = (uint64_t)cgroup;
    args.exit_signal = 0; /* with CLONE_PARENT, the child's exit signal is ours: SIGCHLD */
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        become_program(status, terminal, argv[3], argv + 4);
    }
    if (pid < 0) {
        record(status, 'F', errno);
        return 1;
    }
    record(status, 'P', (int32_t)pid);
    return 0;
}
