package io.dpuoffload.fs.posix;

import io.dpuoffload.linux.IoCallable;
import io.dpuoffload.linux.Mounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The DPU's view of the file system, in a test where host and DPU are one machine: a platform thread
 * in a mount namespace of its own, in which the host-only directories are covered by empty tmpfs
 * mounts. Through the mount it reaches the export exactly as a DPU process would; by path it sees
 * only its own (tmpfs) files where the host keeps the canaries. So when a path resolved "on the DPU
 * side" leads to a canary's location, this thread finds the DPU's file there, never the host's:
 * any host content it reads must have come through the FUSE server.
 *
 * <p>The namespace belongs to the thread alone (unshare(CLONE_NEWNS) is per thread) and ends with it,
 * taking its tmpfs mounts along: {@link #close} leaves nothing mounted.
 */
final class DpuView implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("dpu-view").factory());

    DpuView(List<Path> hostOnly) throws IOException {
        call(() -> {
            Sys.unshare(Sys.CLONE_NEWNS);
            // Nothing mounted here may propagate back to the real namespace.
            Mounts.mount(null, "/", null, Mounts.MS_REC | Mounts.MS_PRIVATE, null);
            for (Path dir : hostOnly) {
                Mounts.mount("tmpfs", dir.toString(), "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "size=1m,mode=0755");
            }
            return null;
        });
    }

    <T> T call(IoCallable<T> work) throws IOException {
        try {
            return thread.submit(work::call).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IOException("the DPU view did not answer", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the DPU view thread did not end; its namespace lives on");
        }
    }
}
