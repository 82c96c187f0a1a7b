/*
 * Reads a shared fifo on the mount the way real programs do, for SharedFifosIT.
 *
 *   go_style_reader PATH copy        Go's runtime: open (blocking, as containerd's fifo package does
 *                                    in a goroutine), then O_NONBLOCK and epoll in edge-triggered
 *                                    mode; copy to stdout until end-of-file. Exit 3 when no wake-up
 *                                    comes within WAIT_SECONDS.
 *   go_style_reader PATH close       The same copy on a thread; once it has read something, close the
 *                                    file as Go's File.Close does: wake the poller, then wait for the
 *                                    read in progress to return before close(2). Exit 4 when that
 *                                    wait does not end within WAIT_SECONDS (a read that never returns).
 *   go_style_reader PATH interrupt   A plain blocking read(2) on a thread, ended by a signal (no
 *                                    SA_RESTART): it must fail with EINTR; then the file is closed.
 * Prints what it did on stdout ("eof", "closed", "interrupted") after the data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define WAIT_SECONDS 20

static int fd;
static int epoll;
static int wakeup; /* Go's netpoll break: what File.Close uses to wake a parked reader */
static volatile int received;
static volatile int closing;
static volatile int result;

static void write_all(const char *data, ssize_t length) {
    while (length > 0) {
        ssize_t n = write(1, data, (size_t)length);
        if (n <= 0) {
            exit(10);
        }
        data += n;
        length -= n;
    }
}

/* Go's (*poll.FD).Read: read; on EAGAIN park in the poller until woken; 0 is end-of-file. */
static void *copy(void *unused) {
    (void)unused;
    char buffer[65536];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n > 0) {
            write_all(buffer, n);
            received = 1;
            continue;
        }
        if (n == 0) {
            result = 0;
            write_all("eof\n", 4);
            return NULL;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN) {
            fprintf(stderr, "read: %s\n", strerror(errno));
            result = 2;
            return NULL;
        }
        struct epoll_event event;
        int ready = epoll_wait(epoll, &event, 1, WAIT_SECONDS * 1000);
        if (closing) {
            result = 0;
            return NULL; /* Go: the read fails with "file already closed" */
        }
        if (ready == 0) {
            fprintf(stderr, "no wake-up within %d s although the read said EAGAIN\n", WAIT_SECONDS);
            result = 3;
            return NULL;
        }
    }
}

static void go_open(const char *path) {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror("open");
        exit(1);
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        perror("fcntl");
        exit(1);
    }
    epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        perror("epoll_ctl"); /* Go would fall back to blocking reads; this test is about the poller */
        exit(1);
    }
    wakeup = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake = {.events = EPOLLIN, .data.fd = wakeup};
    epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &wake);
}

static int join_within(pthread_t thread, int seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    return pthread_timedjoin_np(thread, NULL, &deadline);
}

static void await_received(void) {
    for (int i = 0; i < WAIT_SECONDS * 100 && !received; i++) {
        usleep(10000);
    }
    if (!received) {
        fprintf(stderr, "nothing read within %d s\n", WAIT_SECONDS);
        exit(6);
    }
}

static void on_signal(int signal) {
    (void)signal;
}

static void *blocking_read(void *unused) {
    (void)unused;
    char buffer[4096];
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n > 0) {
            received = 1;
            continue;
        }
        result = n < 0 && errno == EINTR ? 0 : 5;
        if (result != 0) {
            fprintf(stderr, "read ended with %zd (%s), not EINTR\n", n, n < 0 ? strerror(errno) : "end of file");
        }
        return NULL;
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH copy|close|interrupt\n", argv[0]);
        return 2;
    }
    pthread_t reader;
    if (strcmp(argv[2], "copy") == 0) {
        go_open(argv[1]);
        copy(NULL);
        return result;
    }
    if (strcmp(argv[2], "close") == 0) {
        go_open(argv[1]);
        pthread_create(&reader, NULL, copy, NULL);
        await_received();
        closing = 1;
        eventfd_write(wakeup, 1);
        if (join_within(reader, WAIT_SECONDS) != 0) {
            fprintf(stderr, "close waited %d s for a read that did not return\n", WAIT_SECONDS);
            return 4;
        }
        close(fd);
        write_all("closed\n", 7);
        return result;
    }
    if (strcmp(argv[2], "interrupt") == 0) {
        struct sigaction action = {.sa_handler = on_signal}; /* no SA_RESTART */
        sigaction(SIGUSR1, &action, NULL);
        fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            perror("open");
            return 1;
        }
        pthread_create(&reader, NULL, blocking_read, NULL);
        await_received();
        usleep(200000); /* the next read is on its way to the host */
        pthread_kill(reader, SIGUSR1);
        if (join_within(reader, WAIT_SECONDS) != 0) {
            fprintf(stderr, "the signal did not end the read within %d s\n", WAIT_SECONDS);
            return 4;
        }
        close(fd);
        write_all("interrupted\n", 12);
        return result;
    }
    fprintf(stderr, "unknown mode %s\n", argv[2]);
    return 2;
}
