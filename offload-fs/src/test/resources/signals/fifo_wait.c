/*
 * Waits on a fifo until a signal comes: "open" opens PATH for reading (waiting for a writer), "read"
 * opens it read-write and reads (waiting for data). SIGALRM, after DELAY_MS, has a no-op handler
 * without SA_RESTART, so locally the wait ends with EINTR.
 *
 * usage: fifo_wait open|read PATH DELAY_MS
 * prints "CALL ERRNO ELAPSED_MS" (errno 0: the call returned without error).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void on_alarm(int sig) {
    (void) sig;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "open") != 0 && strcmp(argv[1], "read") != 0)) {
        fprintf(stderr, "usage: %s open|read PATH DELAY_MS\n", argv[0]);
        return 2;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_alarm;
    action.sa_flags = 0; /* no SA_RESTART: the signal ends the wait */
    sigemptyset(&action.sa_mask);
    sigaction(SIGALRM, &action, NULL);
    long delay = atol(argv[3]);
    struct itimerval timer = {{0, 0}, {delay / 1000, (delay % 1000) * 1000}};

    int reading = strcmp(argv[1], "read") == 0;
    int fd = -1;
    if (reading) {
        fd = open(argv[2], O_RDWR);
        if (fd < 0) {
            printf("open-rdwr %d 0\n", errno);
            return 0;
        }
    }
    long start = now_ms();
    setitimer(ITIMER_REAL, &timer, NULL);
    int result, error;
    if (reading) {
        char buffer[16];
        result = (int) read(fd, buffer, sizeof buffer);
    } else {
        result = open(argv[2], O_RDONLY);
    }
    error = result < 0 ? errno : 0;
    printf("%s %d %ld\n", argv[1], error, now_ms() - start);
    return 0;
}
