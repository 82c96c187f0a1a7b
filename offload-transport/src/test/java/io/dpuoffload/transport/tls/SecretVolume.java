package io.dpuoffload.transport.tls;

import io.dpuoffload.pki.TlsFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory laid out as the kubelet lays out a mounted Secret, and updated as it updates one
 * (its AtomicWriter): the files live in a timestamped directory, {@code ..data} links to it, each
 * visible name links to {@code ..data/<name>}. An update writes a new timestamped directory, points
 * a temporary link at it and renames that over {@code ..data} (one atomic rename), then removes the
 * old directory. A reader sees all old files or all new ones.
 */
public final class SecretVolume {
    private static final String DATA = "..data";

    private final Path directory;
    private int generation;

    private SecretVolume(Path directory) {
        this.directory = directory;
    }

    /** A volume holding {@code files} (name → content). */
    public static SecretVolume create(Path directory, Map<String, String> files) throws IOException {
        Files.createDirectories(directory);
        SecretVolume volume = new SecretVolume(directory);
        volume.update(files);
        for (String name : files.keySet()) {
            Files.createSymbolicLink(directory.resolve(name), Path.of(DATA, name));
        }
        return volume;
    }

    /** Replaces every file at once; the names stay the same. */
    public void update(Map<String, String> files) throws IOException {
        Path next = directory.resolve("..2026_12_07_06_00_00." + (++generation));
        Files.createDirectory(next);
        for (var file : files.entrySet()) {
            Files.writeString(next.resolve(file.getKey()), file.getValue());
        }
        Path previous = Files.isSymbolicLink(directory.resolve(DATA))
                ? directory.resolve(Files.readSymbolicLink(directory.resolve(DATA)))
                : null;
        Path temporaryLink = directory.resolve("..data_tmp");
        Files.createSymbolicLink(temporaryLink, next.getFileName());
        Files.move(temporaryLink, directory.resolve(DATA), StandardCopyOption.ATOMIC_MOVE);
        if (previous != null) {
            deleteTree(previous);
        }
    }

    /** Every file as it reads now, name → content. */
    public Map<String, String> read() throws IOException {
        Map<String, String> files = new java.util.TreeMap<>();
        try (Stream<Path> entries = Files.list(directory)) {
            for (Path entry : entries.filter(
                            path -> !path.getFileName().toString().startsWith(".."))
                    .toList()) {
                files.put(entry.getFileName().toString(), Files.readString(entry));
            }
        }
        return files;
    }

    public TlsFiles files(String nodeName) {
        return TlsFiles.inDirectory(directory, nodeName);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
