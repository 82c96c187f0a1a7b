package io.dpuoffload.fs.posix;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The export a test class runs against, mounted in a directory of its own before the class's first
 * test and unmounted (and the directory removed) after its last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MountedExport fs = MountedExport.usual();
 * }</pre>
 */
final class MountedExport implements BeforeAllCallback, AfterAllCallback {
    /** How the class's export is started in its directory (one of the {@link PosixMount} starts). */
    @FunctionalInterface
    interface Start {
        PosixMount in(Path work) throws Exception;
    }

    private final Start start;
    private Path work;
    private PosixMount mount;

    private MountedExport(Start start) {
        this.start = start;
    }

    /** The suite's usual export: everything allowed, the suite's cache policy, writable. */
    static MountedExport usual() {
        return new MountedExport(PosixMount::start);
    }

    /** The usual export with the short entry and attribute TTL: the DPU's kernel caches, and checks permissions itself. */
    static MountedExport cachingWithTtl() {
        return new MountedExport(work -> PosixMount.start(work, Allowlist.allowAll(), CachePolicy.TTL, false));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        work = Files.createTempDirectory(
                "posix-" + context.getRequiredTestClass().getSimpleName());
        mount = start.in(work);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (mount != null) {
            mount.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    /** A new, empty directory: created on the host, so it exists in the export and beside it. */
    Sides fresh() throws IOException {
        return mount.fresh();
    }

    Path exported() {
        return mount.exported();
    }

    Path mountpoint() {
        return mount.mountpoint();
    }

    /** Requests the mount has sent to the host so far. */
    long forwarded() {
        return mount.pair.mount.forwarded();
    }

    /** Operations the mount has sent to the host as notices (releases, forgets), which nobody answers. */
    long noticed() {
        return mount.pair.mount.noticed();
    }
}
