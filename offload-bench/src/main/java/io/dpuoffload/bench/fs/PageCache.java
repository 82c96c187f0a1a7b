package io.dpuoffload.bench.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes a file's next read cold on the DPU, for that file only: {@code dd iflag=nocache count=0} asks the kernel to
 * drop the file's cached pages ({@code posix_fadvise(POSIX_FADV_DONTNEED)} over the whole file, as coreutils documents
 * it), and {@code fincore} says how much is still cached. Unlike {@code /proc/sys/vm/drop_caches}, which would empty
 * the page cache of the whole machine (both nodes are namespaces of one kernel), this touches nothing else.
 *
 * <p>On tmpfs the pages are the file itself and stay: native tmpfs is always "warm", which is why it is the limit.
 */
final class PageCache {

    /** Dropping or counting the pages of one file takes milliseconds. */
    private static final long TIMEOUT_SECONDS = 60;

    private PageCache() {}

    static void drop(Path file) throws IOException {
        run(List.of(BenchTools.DD.path(), "if=" + file, "iflag=nocache", "count=0", "status=none"));
    }

    /**
     * The bytes of {@code file} in the page cache. Note that fincore opens the file, and opening a file of a FUSE
     * mount without keep_cache (sshfs and offload-fs both) drops its pages by itself.
     */
    static long residentBytes(Path file) throws IOException {
        String out =
                run(List.of(BenchTools.FINCORE.path(), "--bytes", "--noheadings", "--output", "RES", file.toString()));
        try {
            return Long.parseLong(out.strip());
        } catch (NumberFormatException e) {
            throw new IOException("fincore printed '" + out.strip() + "' for " + file);
        }
    }

    private static String run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    String.join(" ", command) + " failed (exit code " + process.exitValue() + "): " + output.strip());
        }
        return output;
    }
}
