package io.dpuoffload.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes a Secret's data into a directory the way the kubelet writes a mounted Secret, for an agent
 * that reads its Secret through the API rather than a volume (a DaemonSet's pod template cannot name
 * a different Secret per node). The files live in a hidden directory, {@code ..data} links to it
 * and each name links to {@code ..data/<name>}; an update writes a new hidden directory and renames
 * a link over {@code ..data}, so a reader ({@code ReloadingTlsContext}, {@link TlsFiles#load()})
 * sees all old files or all new ones, never a new certificate beside an old key.
 */
public final class SecretDirectory {

    static final String DATA_LINK = "..data";

    private static final String NEW_DATA_LINK = "..data_tmp";

    /** A Secret's key: what Kubernetes allows, minus names that start with "..", which are ours. */
    private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    /** The keys of one Secret; Kubernetes caps a Secret at 1 MiB, and ours hold three small files. */
    private static final int MAX_FILES = 64;

    private SecretDirectory() {}

    /**
     * Makes {@code directory} hold exactly {@code files} (name → content), switched in with one
     * rename. Files are 0600, the data directories 0700.
     *
     * @throws IllegalArgumentException if a name is not a plain Secret key
     * @throws UncheckedIOException if the directory cannot be written; what was there stays
     */
    public static void publish(Path directory, Map<String, String> files) {
        requireValidKeys(files.keySet());
        try {
            Files.createDirectories(directory);
            Path previous = currentData(directory);
            Path next = Files.createTempDirectory(
                    directory,
                    "..",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (var file : files.entrySet()) {
                writeOwnerOnly(next.resolve(file.getKey()), file.getValue());
            }
            syncDirectory(next);
            Path newLink = directory.resolve(NEW_DATA_LINK);
            Files.deleteIfExists(newLink); // left by a crash between the two steps below
            Files.createSymbolicLink(newLink, next.getFileName());
            Files.move(newLink, directory.resolve(DATA_LINK), StandardCopyOption.ATOMIC_MOVE);
            linkNames(directory, files.keySet());
            syncDirectory(directory);
            if (previous != null && !previous.equals(next)) {
                deleteTree(previous);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Secret's files into " + directory + ": " + e, e);
        }
    }

    private static void requireValidKeys(Set<String> names) {
        if (names.isEmpty() || names.size() > MAX_FILES) {
            throw new IllegalArgumentException(
                    "a Secret directory holds 1 to " + MAX_FILES + " files, but got " + names.size());
        }
        for (String name : names) {
            if (!KEY.matcher(name).matches() || name.startsWith("..") || name.equals(".")) {
                throw new IllegalArgumentException("'" + name + "' is not a Secret key this directory can hold: use"
                        + " letters, digits, '-', '_' and '.', not starting with '..'");
            }
        }
    }

    /**
     * The data directory {@code ..data} points to now, or null on the first publish. Only one of
     * ours (a hidden name right inside {@code directory}) counts: whatever else the link may point
     * to is never deleted.
     */
    private static Path currentData(Path directory) throws IOException {
        Path link = directory.resolve(DATA_LINK);
        if (!Files.isSymbolicLink(link)) {
            return null;
        }
        Path target = Files.readSymbolicLink(link);
        boolean ours = !target.isAbsolute()
                && target.getNameCount() == 1
                && target.toString().startsWith("..")
                && !target.toString().equals("..")
                && !target.toString().startsWith(DATA_LINK);
        return ours ? directory.resolve(target) : null;
    }

    /**
     * Each name as a link into {@code ..data}, made once: the links never change afterwards, only
     * where {@code ..data} points. A regular file of the same name (a directory that {@code
     * offloadctl certs} wrote before) is replaced by its link in one rename. Links to names the new
     * data lacks go.
     */
    private static void linkNames(Path directory, Set<String> names) throws IOException {
        for (String name : names) {
            Path visible = directory.resolve(name);
            Path target = Path.of(DATA_LINK, name);
            if (Files.isSymbolicLink(visible) && Files.readSymbolicLink(visible).equals(target)) {
                continue;
            }
            Path temporary = directory.resolve(".." + name + ".link");
            Files.deleteIfExists(temporary);
            Files.createSymbolicLink(temporary, target);
            Files.move(temporary, visible, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        List<Path> stale;
        try (Stream<Path> entries = Files.list(directory)) {
            stale = entries.filter(Files::isSymbolicLink)
                    .filter(path -> !path.getFileName().toString().startsWith(".."))
                    .filter(path -> !names.contains(path.getFileName().toString()))
                    .filter(SecretDirectory::pointsIntoData)
                    .toList();
        }
        for (Path link : stale) {
            Files.delete(link);
        }
    }

    private static boolean pointsIntoData(Path link) {
        try {
            return Files.readSymbolicLink(link).startsWith(DATA_LINK);
        } catch (IOException e) {
            return false;
        }
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PemFiles.OWNER_ONLY));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot sync a directory; the files themselves are synced.
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
