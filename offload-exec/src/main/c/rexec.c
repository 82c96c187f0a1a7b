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
 * A durable run (the node agent's gateway makes its runs durable) outlives its gateway: when the
 * gateway goes away, say for an agent restart, we keep the run's token and come back to the next
 * gateway through its reattach socket, holding the signals we get meanwhile (and those the old
 * gateway hands back as not sent) until the new one says it has the run; the host keeps the
 * program running for as long. Once the program runs, we close our descriptors above stdio: the
 * gateway holds its own copies, and ours would keep, say, a listening socket alive here after the
 * host's stands in for it.
 *
 * Exit statuses of our own: 255 when the gateway cannot be reached or goes away (and, for a durable
 * run, no gateway took us back in time); 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_GATEWAY "/run/dpu-offload/exec.sock"
#define LOST 255
#define VERSION 2
#define REATTACH_VERSION 1
#define TOKEN_BYTES 16

/*
 * What the gateway tells us: how the program ended, that it runs (and how to come back for it), or
 * that a signal we sent did not reach the host (we send it again through the next gateway).
 */
enum { EXITED = 0, KILLED = 1, RUNNING = 2, HELD = 3 };

/* Rewritten by `offloadctl exec shim` (it looks for the marker, which must occur once). */
__attribute__((used)) static volatile char program_slot[4096] = "\001DPUO-SHIM-PROGRAM-SLOT\001";

extern char **environ;

static volatile int gateway = -1;
static struct termios saved_terminal;
static int terminal_saved;

/* A durable run's token and reattach socket, once the gateway told them; token_length 0 otherwise. */
static unsigned char token[TOKEN_BYTES];
static int token_length;
static char reattach_name[108];
static uint32_t reattach_seconds;
/* Until when to keep coming back: set when the run is lost, cleared when a gateway has it again. */
static time_t give_up_at;
/* Signals that arrived while no gateway could take them; sent once one does. */
static volatile sig_atomic_t pending[65];
/* Set from our coming back to a gateway until it says it has the run: one that drops us first has
 * not relayed anything, so signals wait in pending meanwhile. */
static volatile sig_atomic_t holding;

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
    if ((gateway < 0 || holding || send(gateway, be, 4, MSG_NOSIGNAL) != 4)
            && sig < (int)(sizeof pending / sizeof *pending)) {
        pending[sig] = 1;
    }
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

static int read_exact(int fd, void *data, size_t length) {
    size_t have = 0;
    while (have < length) {
        ssize_t n = read(fd, (char *)data + have, length - have);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        have += (size_t)n;
    }
    return 0;
}

static uint32_t be32(const unsigned char *b) {
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Everything above stdio but the gateway's socket: the gateway took its copies already. */
static void close_above_stdio(void) {
    int keep = gateway;
    if (keep > 3) {
        syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u);
    }
    syscall(SYS_close_range, (unsigned)(keep < 3 ? 3 : keep + 1), ~0u, 0u);
}

/* The program runs: remember how to come back for it. 0, or -1 when the message is cut short. */
/* Sends the signals held in pending (forward() holds them again if this gateway fails too). */
static void send_pending(void) {
    for (int s = 1; s < (int)(sizeof pending / sizeof *pending); s++) {
        if (pending[s]) {
            pending[s] = 0;
            forward(s);
        }
    }
}

static int running(void) {
    unsigned char length, window[4];
    if (read_exact(gateway, &length, 1) != 0 || length > TOKEN_BYTES || read_exact(gateway, token, length) != 0) {
        return -1;
    }
    token_length = length;
    if (read_exact(gateway, &length, 1) != 0 || length >= sizeof reattach_name
            || read_exact(gateway, reattach_name, length) != 0 || read_exact(gateway, window, 4) != 0) {
        return -1;
    }
    reattach_name[length] = '\0';
    reattach_seconds = be32(window);
    give_up_at = 0; /* a gateway has the run again */
    if (token_length != TOKEN_BYTES || reattach_seconds == 0) {
        token_length = 0; /* not durable: a lost gateway ends the run */
    }
    close_above_stdio();
    if (holding) {
        holding = 0;
        send_pending();
    }
    return 0;
}

/* The gateway could not send signal N to the host: keep it for the next one. */
static int held(void) {
    unsigned char number[4];
    if (read_exact(gateway, number, 4) != 0) {
        return -1;
    }
    uint32_t sig = be32(number);
    if (sig < sizeof pending / sizeof *pending) {
        pending[sig] = 1;
    }
    return 0;
}

/*
 * Hands one end of a fresh socket pair and the token to the reattach socket (a datagram: sendmsg
 * needs no connect(), which a dead seccomp supervisor would fail). 0 when sent, -1 otherwise.
 */
static int offer(int *ours) {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return -1;
    }
    int datagram = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    size_t name_length = strlen(reattach_name);
    memcpy(address.sun_path + 1, reattach_name, name_length); /* abstract: a leading 0 */
    unsigned char message[4 + 1 + TOKEN_BYTES];
    memcpy(message, "DPUR", 4);
    message[4] = REATTACH_VERSION;
    memcpy(message + 5, token, TOKEN_BYTES);
    struct iovec iov = {.iov_base = message, .iov_len = sizeof message};
    union {
        struct cmsghdr header;
        char room[CMSG_SPACE(sizeof(int))];
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {
        .msg_name = &address,
        .msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + name_length),
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control.room,
        .msg_controllen = sizeof control.room,
    };
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &pair[1], sizeof(int));
    int sent = datagram >= 0 && sendmsg(datagram, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof message;
    if (datagram >= 0) {
        close(datagram);
    }
    close(pair[1]);
    if (!sent) {
        close(pair[0]);
        return -1;
    }
    *ours = pair[0];
    return 0;
}

/* The gateway went away during a durable run: come back through the next one, for a while. */
static int reattach(void) {
    int old = gateway;
    gateway = -1; /* signals from now on wait in pending */
    close(old);
    struct timespec now, pause = {0, 250 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (give_up_at == 0) { /* a gateway that took us back but could not reach the host keeps the clock going */
        give_up_at = now.tv_sec + reattach_seconds;
    }
    while (now.tv_sec < give_up_at) {
        int back;
        nanosleep(&pause, NULL); /* also between gateways that take us and drop us again */
        if (offer(&back) == 0) {
            holding = 1; /* until this gateway says RUNNING: see running() */
            gateway = back;
            return 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
    }
    return -1;
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

    /* Until the program ends the gateway may say it runs (once per gateway), then how it ended. */
    unsigned char kind, answer[4];
    for (;;) {
        int heard = read_exact(gateway, &kind, 1) == 0;
        if (heard && kind == RUNNING && running() == 0) {
            continue;
        }
        if (heard && kind == HELD && held() == 0) {
            continue;
        }
        if (heard && (kind == EXITED || kind == KILLED) && read_exact(gateway, answer, 4) == 0) {
            break;
        }
        /* The gateway went away (or spoke nonsense) before the end. */
        if (token_length == TOKEN_BYTES && reattach() == 0) {
            continue;
        }
        restore_terminal();
        signal(SIGPIPE, SIG_IGN); /* our stderr may be a pipe whose reader went with the gateway */
        fputs(token_length == TOKEN_BYTES ? "rexec: lost the exec gateway, and no gateway took the run back in time\n"
                                          : "rexec: lost the exec gateway before the program ended\n",
              stderr);
        return LOST;
    }
    int value = (int)be32(answer);
    if (kind == KILLED) {
        die_like(value);
    }
    restore_terminal();
    return value & 0xff;
}
