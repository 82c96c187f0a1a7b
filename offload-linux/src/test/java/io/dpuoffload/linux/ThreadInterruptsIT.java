package io.dpuoffload.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call another thread waits in ends with EINTR when interrupted, and only that call. */
class ThreadInterruptsIT {
    /** Resends while the interrupted thread may not yet be inside its call, as a user of the class does. */
    private static final long RESEND_MILLIS = 5;

    @TempDir
    Path tmp;

    @Test
    void aFifoOpenWaitingForItsWriterEndsWithEintr() throws Exception {
        String fifo = tmp.resolve("fifo").toString();
        PathCalls.mknodat(Flags.AT_FDCWD, fifo, Flags.S_IFIFO | 0600, 0);
        var started = new CompletableFuture<ThreadInterrupts.Call>();
        var result = new CompletableFuture<Integer>();
        Thread.ofPlatform().start(() -> {
            try (ThreadInterrupts.Call call = ThreadInterrupts.enter()) {
                started.complete(call);
                result.complete(FileCalls.openat(Flags.AT_FDCWD, fifo, Flags.O_RDONLY | Flags.O_CLOEXEC, 0));
            } catch (ErrnoException e) {
                result.complete(-e.errno());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        interruptUntilDone(started.get(5, TimeUnit.SECONDS), result);
        assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo(-Errno.EINTR);
        // Nothing holds the fifo open for reading now: a writer that will not wait finds no reader.
        assertThat(errnoOfOpen(fifo, Flags.O_WRONLY | Flags.O_NONBLOCK)).isEqualTo(Errno.ENXIO);
    }

    @Test
    void aReadOfAnEmptyPipeEndsWithEintrAndTheThreadsNextCallIsNotDisturbed() throws Exception {
        String fifo = tmp.resolve("pipe").toString();
        PathCalls.mknodat(Flags.AT_FDCWD, fifo, Flags.S_IFIFO | 0600, 0);
        int both = FileCalls.openat(Flags.AT_FDCWD, fifo, Flags.O_RDWR | Flags.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofShared()) {
            var buffer = arena.allocate(16);
            var started = new CompletableFuture<ThreadInterrupts.Call>();
            var first = new CompletableFuture<Integer>();
            var second = new CompletableFuture<Integer>();
            Thread.ofPlatform().start(() -> {
                try {
                    try (ThreadInterrupts.Call call = ThreadInterrupts.enter()) {
                        started.complete(call);
                        first.complete(FileCalls.read(both, buffer, "read"));
                    } catch (ErrnoException e) {
                        first.complete(-e.errno());
                    }
                    // Outside the interrupted call: waits for data as usual.
                    second.complete(FileCalls.read(both, buffer, "read"));
                } catch (Throwable t) {
                    first.completeExceptionally(t);
                    second.completeExceptionally(t);
                }
            });
            ThreadInterrupts.Call call = started.get(5, TimeUnit.SECONDS);
            interruptUntilDone(call, first);
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(-Errno.EINTR);
            assertThat(call.interrupt())
                    .as("an interrupt after the call is over does nothing")
                    .isFalse();
            Thread.sleep(100);
            assertThat(second).isNotDone();
            FileCalls.write(both, arena.allocateFrom("x"), 1);
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            FileCalls.close(both);
        }
    }

    private static void interruptUntilDone(ThreadInterrupts.Call call, CompletableFuture<?> result) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!result.isDone() && System.nanoTime() < deadline) {
            call.interrupt();
            Thread.sleep(RESEND_MILLIS);
        }
    }

    private static int errnoOfOpen(String path, int flags) {
        try {
            FileCalls.close(FileCalls.openat(Flags.AT_FDCWD, path, flags | Flags.O_CLOEXEC, 0));
            return 0;
        } catch (ErrnoException e) {
            return e.errno();
        }
    }
}
