package io.dpuoffload.fs.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What each offload-fs mount of this machine reports about itself, for {@code offloadctl fs status}:
 * one small file per mount under the run directory, rewritten every few seconds ({@link
 * MountReporter}) and removed when the mount ends. Mounts of {@code fs mount} and of a DPU agent
 * alike; a file whose process is gone is stale and shown as such.
 */
public final class MountRecords {
    /** Override for tests and unprivileged use. */
    public static final String RUN_DIR_ENV = "OFFLOADCTL_RUN_DIR";

    public static Path directory() {
        String override = System.getenv(RUN_DIR_ENV);
        return Path.of(override != null ? override : "/run/dpu-offload").resolve("fs");
    }

    static Path fileFor(Path mountpoint) {
        return directory()
                .resolve(mountpoint.toAbsolutePath().normalize().toString().replace('/', '_') + ".mount");
    }

    /**
     * One mount.
     *
     * @param owner what keeps the mount: {@code fs mount}, or a DPU agent and its pair
     */
    public record Record(
            String mountpoint,
            String export,
            String server,
            long pid,
            String owner,
            boolean connected,
            long forwarded,
            long failed,
            long updatedMillis) {
        public boolean alive() {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        Record withUpdatedMillis(long value) {
            return new Record(mountpoint, export, server, pid, owner, connected, forwarded, failed, value);
        }
    }

    public static void write(Record record) throws IOException {
        Path file = fileFor(Path.of(record.mountpoint()));
        Files.createDirectories(file.getParent());
        Properties p = new Properties();
        p.setProperty("mountpoint", record.mountpoint());
        p.setProperty("export", record.export());
        p.setProperty("server", record.server());
        p.setProperty("pid", Long.toString(record.pid()));
        p.setProperty("owner", record.owner());
        p.setProperty("connected", Boolean.toString(record.connected()));
        p.setProperty("forwarded", Long.toString(record.forwarded()));
        p.setProperty("failed", Long.toString(record.failed()));
        p.setProperty("updated", Long.toString(record.updatedMillis()));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            p.store(out, "offloadctl fs mount");
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static void remove(Path mountpoint) {
        try {
            Files.deleteIfExists(fileFor(mountpoint));
        } catch (IOException ignored) {
            // status will show it as stale
        }
    }

    public static List<Record> readAll() throws IOException {
        List<Record> records = new ArrayList<>();
        Path dir = directory();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (var files = Files.list(dir)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".mount")).sorted().toList()) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    p.load(in);
                } catch (IOException e) {
                    continue; // being rewritten
                }
                records.add(new Record(
                        p.getProperty("mountpoint", "?"),
                        p.getProperty("export", "?"),
                        p.getProperty("server", "?"),
                        Long.parseLong(p.getProperty("pid", "0")),
                        p.getProperty("owner", MountReporter.FS_MOUNT),
                        Boolean.parseBoolean(p.getProperty("connected")),
                        Long.parseLong(p.getProperty("forwarded", "0")),
                        Long.parseLong(p.getProperty("failed", "0")),
                        Long.parseLong(p.getProperty("updated", "0"))));
            }
        }
        return records;
    }

    private MountRecords() {}
}
