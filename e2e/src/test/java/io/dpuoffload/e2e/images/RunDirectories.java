package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Directories containerd's shims, ctr and dockerd use at fixed paths whatever their root and state say
 * ({@code /run/containerd/{s,fifo,runc}}, {@code /run/docker/plugins}): removed after the test when it made them,
 * so that a machine that had none has none again. A machine's own are left alone.
 */
public final class RunDirectories {

    private static final List<Path> FIXED = List.of(Path.of("/run/containerd"), Path.of("/run/docker"));

    private final List<Path> madeHere;

    private RunDirectories(List<Path> madeHere) {
        this.madeHere = madeHere;
    }

    /** Notes which of them do not exist yet. */
    public static RunDirectories before() {
        return new RunDirectories(
                FIXED.stream().filter(path -> !Files.exists(path)).toList());
    }

    /** Removes those the test made (once its daemons have stopped). */
    public void removeMadeHere() throws IOException {
        for (Path path : madeHere) {
            if (Files.exists(path)) {
                deleteTree(path);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
