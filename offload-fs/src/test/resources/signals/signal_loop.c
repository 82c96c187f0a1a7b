/*
 * The signal loop of issue 13: create, stat, symlink, unlink, utime, unlink in DIR, over and over,
 * while a no-op SA_RESTART handler catches SIGALRM from a timer firing every INTERVAL_US
 * microseconds. A local file system answers every call with success however often the signal
 * comes; the test runs this on a local directory and on the mount and compares the tallies.
 *
 * usage: signal_loop DIR SECONDS MAX_ITERATIONS INTERVAL_US
 * prints one line "call errno count" per (call, result) seen, errno 0 for success, then
 * "iterations N" and "signals N".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CALLS 6
#define MAX_ERRNO 134

static const char *names[CALLS] = {"create", "stat", "symlink", "unlink-link", "utime", "unlink-file"};
static long tally[CALLS][MAX_ERRNO + 1];
static volatile sig_atomic_t signals;

static void on_alarm(int sig) {
    (void) sig;
    signals++;
}

static void count(int call, int result) {
    int e = result < 0 ? errno : 0;
    if (e < 0 || e > MAX_ERRNO) {
        e = MAX_ERRNO;
    }
    tally[call][e]++;
}

static int create_file(const char *path) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s DIR SECONDS MAX_ITERATIONS INTERVAL_US\n", argv[0]);
        return 2;
    }
    char file[4096], link[4096];
    snprintf(file, sizeof file, "%s/f", argv[1]);
    snprintf(link, sizeof link, "%s/l", argv[1]);
    double seconds = atof(argv[2]);
    long max_iterations = atol(argv[3]);
    long interval_us = atol(argv[4]);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGALRM, &action, NULL) != 0) {
        perror("sigaction");
        return 2;
    }
    struct itimerval timer = {{0, interval_us}, {0, interval_us}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0) {
        perror("setitimer");
        return 2;
    }

    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long iterations = 0;
    for (; iterations < max_iterations; iterations++) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 > seconds) {
            break;
        }
        struct stat st;
        count(0, create_file(file));
        count(1, stat(file, &st));
        count(2, symlink("f", link));
        count(3, unlink(link));
        count(4, utimensat(AT_FDCWD, file, NULL, 0));
        count(5, unlink(file));
    }

    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    for (int call = 0; call < CALLS; call++) {
        for (int e = 0; e <= MAX_ERRNO; e++) {
            if (tally[call][e] > 0) {
                printf("%s %d %ld\n", names[call], e, tally[call][e]);
            }
        }
    }
    printf("iterations %ld\n", iterations);
    printf("signals %ld\n", (long) signals);
    return 0;
}
