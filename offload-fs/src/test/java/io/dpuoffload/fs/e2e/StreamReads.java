package io.dpuoffload.fs.e2e;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** Reading a fifo (or any stream) on a mount as a program does, in the background. */
public final class StreamReads {
    private StreamReads() {}

    /**
     * Opens {@code path} and read(2)s it until it answers 0, as cat does (readAllBytes would ask
     * the file's size and position first, which a stream has not), on a thread of its own.
     */
    public static CompletableFuture<String> readToEnd(Path path) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try (InputStream in = new FileInputStream(path.toFile())) {
                        ByteArrayOutputStream all = new ByteArrayOutputStream();
                        byte[] buffer = new byte[4096];
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            all.write(buffer, 0, n);
                        }
                        return all.toString(StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                task -> Thread.ofPlatform().daemon().name("read-to-end").start(task));
    }
}
