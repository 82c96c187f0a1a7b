/*
 * rexec: the offload-exec client on the DPU. It runs a host program as if it were our child, and
 * does so in a millisecond or two: it hands its argv, environment, working directory and umask to
 * the local exec gateway (offloadctl exec gateway, or the node agent) over a Unix socket and waits.
 * The gateway takes this process's open descriptors itself (pidfd_getfd), relays stdio, carries
 * the rest, and talks to the host over the node's already open mutual-TLS connection. We forward
 * every signal we get and, at the end, exit with the program's code or die by its signal.
 *
 *   rexec PROGRAM ARGS...   PROGRAM is an absolute path on the host.
 *   a shim                  `offloadctl exec shim` writes a copy of this binary with the host
 *                           program's path in program_slot; then argv is carried whole, argv[0]
 *                           included.
 *
 * Why C: a JVM client takes about 2 s to start here, an AOT-cached one still ~100 ms; container
 * runtimes start shims many times per container, and ssh with ControlMaster sets the bar at a few
 * milliseconds. This file stays small on purpose: every decision is the gateway's.
 *
 * Exit statuses of our own: 255 when the gateway cannot be reached or goes away; 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define DEFAULT_GATEWAY "/run/dpu-offload/exec.sock"
#define LOST 255
#define VERSION 1

/* Rewritten by `offloadctl exec shim` (it looks for the marker, which must occur once). */
__attribute__((used)) static volatile char program_slot[4096] = "\001DPUO-SHIM-PROGRAM-SLOT\001";

extern char **environ;

static int gateway = -1;
static struct termios saved_terminal;
static int terminal_saved;

struct buffer {
    char *data;
    size_t length, capacity;
};

static void put(struct buffer *b, const void *data, size_t length) {
    if (b->length + length > b->capacity) {
        b->capacity = (b->length + length) * 2;
        b->data = realloc(b->data, b->capacity);
        if (b->data == NULL) {
            fputs("rexec: out of memory\n", stderr);
            exit(LOST);
        }
    }
    memcpy(b->data + b->length, data, length);
    b->length += length;
}

static void put_u32(struct buffer *b, uint32_t value) {
    unsigned char be[4] = {value >> 24, value >> 16, value >> 8, value};
    put(b, be, 4);
}

static void put_bytes(struct buffer *b, const char *s) {
    size_t length = strlen(s);
    put_u32(b, (uint32_t)length);
    put(b, s, length);
}

static void forward(int sig) {
    uint32_t n = (uint32_t)sig;
    unsigned char be[4] = {n >> 24, n >> 16, n >> 8, n};
    int saved = errno;
    /* 4 bytes on a stream socket go whole; MSG_NOSIGNAL: a gone gateway is seen by the reader. */
    (void)send(gateway, be, 4, MSG_NOSIGNAL);
    errno = saved;
}

static void restore_terminal(void) {
    if (terminal_saved) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_terminal);
    }
}

/* The host side gets a pty when our stdin is a terminal; ours then passes keys through untouched. */
static void raw_terminal(void) {
    struct termios raw;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_terminal) != 0) {
        return;
    }
    terminal_saved = 1;
    raw = saved_terminal;
    cfmakeraw(&raw);
    tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
}

static void forward_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forward;
    action.sa_flags = SA_RESTART;
    sigfillset(&action.sa_mask);
    for (int s = 1; s <= SIGRTMAX; s++) {
        switch (s) {
        case SIGKILL: case SIGSTOP: /* cannot be caught: the gateway sees our socket close */
        case SIGCHLD:               /* about our children (we have none), not the program */
        case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
            continue;               /* a real fault in rexec must kill rexec */
        }
        sigaction(s, &action, NULL); /* fails harmlessly for glibc's reserved real-time ones */
    }
}

static void die_like(int sig) {
    struct rlimit no_core = {0, 0};
    sigset_t only;
    restore_terminal();
    setrlimit(RLIMIT_CORE, &no_core); /* the program dumped (or not) on the host already */
    signal(sig, SIG_DFL);
    sigemptyset(&only);
    sigaddset(&only, sig);
    sigprocmask(SIG_UNBLOCK, &only, NULL);
    raise(sig);
    _exit(128 + sig); /* a signal whose default is to be ignored: say it the shell's way */
}

static int connect_gateway(void) {
    const char *path = getenv("DPUO_EXEC_SOCKET");
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (path == NULL || *path == '\0') {
        path = DEFAULT_GATEWAY;
    }
    if (strlen(path) >= sizeof address.sun_path) {
        fprintf(stderr, "rexec: DPUO_EXEC_SOCKET is longer than a socket path may be: %s\n", path);
        return -1;
    }
    strcpy(address.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        fprintf(stderr, "rexec: cannot reach the exec gateway at %s: %s (is the node agent running? "
                        "DPUO_EXEC_SOCKET names another socket)\n", path, strerror(errno));
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = send(fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        data += n;
        length -= (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *program = (const char *)program_slot;
    int first_arg = 0;
    if (program[0] == '\001') { /* not a shim: rexec PROGRAM ARGS... */
        first_arg = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
        if (first_arg >= argc || argv[first_arg][0] != '/') {
            fputs("usage: rexec PROGRAM ARGS...  (PROGRAM: an absolute path on the host)\n", stderr);
            return 2;
        }
        program = argv[first_arg];
    }

    struct buffer request = {0};
    char cwd[4096];
    mode_t mask = umask(0);
    umask(mask);
    if (getcwd(cwd, sizeof cwd) == NULL) {
        fprintf(stderr, "rexec: cannot read the working directory: %s\n", strerror(errno));
        return LOST;
    }
    gateway = connect_gateway();
    if (gateway < 0) {
        return LOST;
    }

    put_u32(&request, 0); /* the length, filled in below */
    put(&request, "DPUX", 4);
    put(&request, (char[]){VERSION}, 1);
    put_u32(&request, (uint32_t)gateway); /* not one of the program's descriptors */
    put_bytes(&request, program);
    put_u32(&request, (uint32_t)(argc - first_arg));
    for (int i = first_arg; i < argc; i++) {
        put_bytes(&request, argv[i]);
    }
    uint32_t environment = 0;
    while (environ[environment] != NULL) {
        environment++;
    }
    put_u32(&request, environment);
    for (uint32_t i = 0; i < environment; i++) {
        put_bytes(&request, environ[i]);
    }
    put_bytes(&request, cwd);
    put_u32(&request, (uint32_t)mask);
    uint32_t body = (uint32_t)(request.length - 4);
    unsigned char be[4] = {body >> 24, body >> 16, body >> 8, body};
    memcpy(request.data, be, 4);

    forward_signals();
    if (send_all(gateway, request.data, request.length) != 0) {
        fprintf(stderr, "rexec: the exec gateway went away: %s\n", strerror(errno));
        return LOST;
    }
    free(request.data);
    raw_terminal();

    /* The gateway answers once, when the program has ended: a kind (0 exited, 1 killed) and a value. */
    unsigned char answer[5];
    size_t have = 0;
    while (have < sizeof answer) {
        ssize_t n = read(gateway, answer + have, sizeof answer - have);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            restore_terminal();
            fputs("rexec: lost the exec gateway before the program ended\n", stderr);
            return LOST;
        }
        have += (size_t)n;
    }
    int value = (int)((uint32_t)answer[1] << 24 | answer[2] << 16 | answer[3] << 8 | answer[4]);
    if (answer[0] == 1) {
        die_like(value);
    }
    restore_terminal();
    return value & 0xff;
}
