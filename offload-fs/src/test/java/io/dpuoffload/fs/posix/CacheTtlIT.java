package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An export with the short entry and attribute TTL: the kernel trusts what it cached, so the host
 * must still enforce what the caller asked for (O_EXCL against a file the host created meanwhile),
 * and the DPU's own changes are seen at once.
 */
class CacheTtlIT {
    @RegisterExtension
    static final MountedExport fs = MountedExport.cachingWithTtl();

    @Test
    void exclusiveCreateFailsOnAFileTheHostMadeWhileTheKernelCachedItsAbsence() throws Exception {
        Sides d = fs.fresh();
        assertThat(Files.exists(d.mount("race"))).isFalse(); // a negative entry, cached for the TTL
        Files.writeString(d.host("race"), "the host's");
        assertThat(Sys.openErrno(d.mount("race"), Flags.O_CREAT | Flags.O_EXCL | Flags.O_WRONLY | Flags.O_TRUNC, 0644))
                .isEqualTo(Errno.EEXIST);
        assertThat(Files.readString(d.host("race"))).isEqualTo("the host's");
    }

    @Test
    void theDpusOwnChangesShowAtOnce() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.mount("f"), "one");
        assertThat(Files.readString(d.mount("f"))).isEqualTo("one");
        Files.writeString(d.mount("f"), "two, longer");
        assertThat(Files.readString(d.mount("f"))).isEqualTo("two, longer");
        assertThat(Files.size(d.mount("f"))).isEqualTo(11);
        Files.delete(d.mount("f"));
        assertThat(Files.exists(d.mount("f"))).isFalse();
        Files.createDirectory(d.mount("f"));
        assertThat(Files.isDirectory(d.mount("f"))).isTrue();
    }

    @Test
    void cachedListingsFollowChanges() throws Exception {
        Sides d = fs.fresh();
        for (int i = 0; i < 300; i++) {
            Files.createFile(d.host("f-" + i));
        }
        assertThat(names(d.mount())).hasSize(300);
        Files.createFile(d.mount("made-on-the-dpu"));
        Files.delete(d.mount("f-0"));
        assertThat(names(d.mount())).hasSize(300).contains("made-on-the-dpu").doesNotContain("f-0");
        Files.createFile(d.host("made-on-the-host"));
        Thread.sleep(1_200);
        assertThat(names(d.mount())).hasSize(301).contains("made-on-the-host");
    }

    private static java.util.List<String> names(Path dir) throws java.io.IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void hostChangesShowWithinTheTtl() throws Exception {
        Sides d = fs.fresh();
        Files.writeString(d.host("f"), "before");
        assertThat(Files.readString(d.mount("f"))).isEqualTo("before");
        Files.writeString(d.host("f"), "after, and longer");
        Thread.sleep(1_200);
        assertThat(Files.readString(d.mount("f"))).isEqualTo("after, and longer"); // close-to-open
        assertThat(Files.size(d.mount("f"))).isEqualTo(17);
    }
}
