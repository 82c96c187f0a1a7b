/*
 * raw_connect PATH MESSAGE: waits for a byte on stdin, then connects to the Unix socket PATH with
 * raw system calls (no libc at all, as Go programs do), sends MESSAGE and prints what comes back:
 * "REPLY <bytes>" and exit 0, or "ERRNO <n>" and exit 1 when connect() fails.
 * Built by the tests with: gcc -static -nostdlib -ffreestanding -fno-stack-protector -no-pie
 */
#if defined(__x86_64__)
enum { SYS_READ = 0, SYS_WRITE = 1, SYS_SOCKET = 41, SYS_CONNECT = 42, SYS_EXIT = 60 };
static long sys(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
__asm__(".global _start\n_start:\n mov %rsp, %rdi\n and $-16, %rsp\n call start\n hlt\n");
#elif defined(__aarch64__)
enum { SYS_READ = 63, SYS_WRITE = 64, SYS_SOCKET = 198, SYS_CONNECT = 203, SYS_EXIT = 93 };
static long sys(long n, long a, long b, long c) {
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
}
__asm__(".global _start\n_start:\n mov x0, sp\n bl start\n");
#else
#error "x86_64 or aarch64 only"
#endif

static long length(const char *s) {
    long n = 0;
    while (s[n]) n++;
    return n;
}

static void say(const char *s, long n) { sys(SYS_WRITE, 1, (long)s, n); }

static void say_number(long v) {
    char digits[24];
    int i = sizeof digits;
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    say(digits + i, sizeof digits - i);
}

__attribute__((noreturn)) static void leave(int code) {
    for (;;) sys(SYS_EXIT, code, 0, 0);
}

__attribute__((used, noreturn)) void start(long *stack) {
    char **argv = (char **)(stack + 1);
    if (stack[0] < 3) leave(2);
    char go;
    sys(SYS_READ, 0, (long)&go, 1);

    struct { unsigned short family; char path[108]; } address = {1, {0}};
    long n = length(argv[1]);
    if (n > 107) leave(2);
    for (long i = 0; i < n; i++) address.path[i] = argv[1][i];
    long fd = sys(SYS_SOCKET, 1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0);
    long r = sys(SYS_CONNECT, fd, (long)&address, 2 + n + 1);
    if (r < 0) {
        say("ERRNO ", 6);
        say_number(-r);
        say("\n", 1);
        leave(1);
    }
    long m = length(argv[2]);
    sys(SYS_WRITE, fd, (long)argv[2], m);
    char reply[256];
    long got = 0;
    while (got < m && got < (long)sizeof reply) {
        long k = sys(SYS_READ, fd, (long)(reply + got), sizeof reply - got);
        if (k <= 0) break;
        got += k;
    }
    say("REPLY ", 6);
    say(reply, got);
    say("\n", 1);
    leave(0);
}
