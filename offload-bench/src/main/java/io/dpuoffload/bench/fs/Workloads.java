package io.dpuoffload.bench.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The rows' workloads, as an ordinary program does them: java.nio FileChannel for data, java.nio.file.Files for
 * metadata, each one system call per step. Each method times only the workload itself and returns a rate (higher is
 * better); preparing and cleaning up are not timed.
 */
final class Workloads {

    /** Bytes per write(2) and read(2) of the data rows: offload-fs's FUSE max_write; sshfs splits it into its own. */
    static final int CHUNK = 1 << 20;

    /** The small file of the open/read/close row: one page. */
    static final int SMALL_FILE = 4096;

    /** Enough for any /proc/PID/stat (a few hundred bytes) in one read. */
    private static final int SMALL_BUFFER = 64 * 1024;

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BYTES_PER_MB = 1e6;

    private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
    private final ByteBuffer small = ByteBuffer.allocateDirect(SMALL_BUFFER);

    Workloads() {
        // Random data: nothing on the way (ssh compression is off anyway) can shrink it.
        byte[] random = new byte[CHUNK];
        new SplittableRandom(3).nextBytes(random);
        chunk.put(random).flip();
    }

    /** Writes {@code bytes} to a new {@code file} and fsyncs it before closing; MB/s (10^6 bytes). */
    double sequentialWrite(Path file, long bytes) throws IOException {
        Files.deleteIfExists(file);
        Budget budget = Budget.start("writing " + file);
        long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long left = bytes; left > 0; ) {
                budget.check();
                chunk.clear().limit((int) Math.min(CHUNK, left));
                while (chunk.hasRemaining()) {
                    left -= channel.write(chunk);
                }
            }
            channel.force(true);
        }
        return megabytesPerSecond(bytes, System.nanoTime() - start);
    }

    /** Reads {@code file} to its end; MB/s. Fails unless it holds exactly {@code bytes}. */
    double sequentialRead(Path file, long bytes) throws IOException {
        Budget budget = Budget.start("reading " + file);
        long total = 0;
        long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n = 0; n >= 0; n = channel.read(chunk.clear())) {
                budget.check();
                total += n;
            }
        }
        long elapsed = System.nanoTime() - start;
        if (total != bytes) {
            throw new IOException("read " + total + " bytes of " + file + ", which was written with " + bytes);
        }
        return megabytesPerSecond(bytes, elapsed);
    }

    /**
     * In an empty directory: creates {@code files} empty files (open O_CREAT|O_EXCL, close), then stats each, then
     * unlinks each, like unpacking, listing and removing a tree; files per second.
     */
    double createStatUnlink(Path dir, int files) throws IOException {
        Path[] paths = new Path[files];
        for (int i = 0; i < files; i++) {
            paths[i] = dir.resolve(String.format("f%06d", i));
        }
        Budget budget = Budget.start("create+stat+unlink in " + dir);
        long start = System.nanoTime();
        for (Path path : paths) {
            budget.check();
            Files.createFile(path);
        }
        for (Path path : paths) {
            budget.check();
            Files.readAttributes(path, BasicFileAttributes.class);
        }
        for (Path path : paths) {
            budget.check();
            Files.delete(path);
        }
        return perSecond(files, System.nanoTime() - start);
    }

    /** Writes the {@link #SMALL_FILE}-byte file that {@link #openReadClose} reads. */
    void writeSmallFile(Path file) throws IOException {
        Files.write(file, new byte[SMALL_FILE]);
    }

    /**
     * Opens {@code file}, reads it to its end, closes it, {@code count} times; opens per second. Fails on a file that
     * reads as empty (a /proc file through a mount without direct I/O does).
     */
    double openReadClose(Path file, int count) throws IOException {
        Budget budget = Budget.start("open/read/close of " + file);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            budget.check();
            if (readWhole(file) == 0) {
                throw new IOException(file + " read as empty");
            }
        }
        return perSecond(count, System.nanoTime() - start);
    }

    /** The bytes {@code file} holds, read as {@link #openReadClose} reads it. */
    long readWhole(Path file) throws IOException {
        long total = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int n = 0; n >= 0; n = channel.read(small.clear())) {
                total += n;
            }
        }
        return total;
    }

    /** Fills the empty {@code dir} with {@code entries} empty files, for {@link #readdir}. */
    void populate(Path dir, int entries) throws IOException {
        Budget budget = Budget.start("filling " + dir);
        for (int i = 0; i < entries; i++) {
            budget.check();
            Files.createFile(dir.resolve(String.format("e%06d", i)));
        }
    }

    /**
     * Lists {@code dir} (opendir, getdents until the end, closedir) once; entries per second. The directory has just
     * changed (a file created and removed in it), so no file system answers from a listing it cached earlier: sshfs
     * keeps listings 20 s by default, and the kernel keeps them for offload-fs's cached exports until the directory
     * changes.
     */
    double readdir(Path dir, int entries) throws IOException {
        Path marker = dir.resolve("marker");
        Files.createFile(marker);
        Files.delete(marker);
        Budget budget = Budget.start("listing " + dir);
        int seen = 0;
        long start = System.nanoTime();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir)) {
            for (Path ignored : listing) {
                budget.check();
                seen++;
            }
        }
        long elapsed = System.nanoTime() - start;
        if (seen != entries) {
            throw new IOException("listed " + seen + " entries in " + dir + ", expected " + entries);
        }
        return perSecond(entries, elapsed);
    }

    /**
     * Unpacks {@code tree} into the empty directory {@code target} with GNU tar, as root, so that each file's owner,
     * mode and times are set as an image unpack sets them; files per second. Fails unless tar succeeds and the tree's
     * last file is there.
     */
    double untar(UnpackedTree tree, Path target) throws IOException {
        long start = System.nanoTime();
        run(List.of("tar", "-xf", tree.archive().toString(), "-C", target.toString()), "untar into " + target);
        long elapsed = System.nanoTime() - start;
        if (!Files.exists(tree.lastFile(target))) {
            throw new IOException("untar into " + target + " left out " + tree.lastFile(target));
        }
        return perSecond(tree.files(), elapsed);
    }

    /** Removes {@code tree}, an unpacked tree, with rm -rf (not timed). */
    void remove(Path tree) throws IOException {
        run(List.of("rm", "-rf", tree.toString()), "rm -rf " + tree);
    }

    /** Runs {@code command} to its end within {@link Budget#PER_MEASUREMENT}; fails, with its output, unless it exits 0. */
    private static void run(List<String> command, String what) throws IOException {
        Path output = Files.createTempFile("fs-bench-command", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(Budget.PER_MEASUREMENT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not finish within " + Budget.PER_MEASUREMENT.toMinutes()
                        + " min; the file system is stuck or far slower than expected");
            }
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed (exit code " + process.exitValue() + "): "
                        + Files.readString(output).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted: " + what);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static double megabytesPerSecond(long bytes, long nanos) {
        return bytes / BYTES_PER_MB / (nanos / NANOS_PER_SECOND);
    }

    private static double perSecond(long count, long nanos) {
        return count / (nanos / NANOS_PER_SECOND);
    }
}
