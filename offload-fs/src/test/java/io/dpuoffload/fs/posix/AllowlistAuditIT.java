package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.allowlist.Operation;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.PathCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An export that may be looked at everywhere but written only under /allowed: a write elsewhere is
 * EACCES for the caller and exactly one audit line (peer, uid, operation, path) for the operator.
 */
class AllowlistAuditIT {
    @TempDir
    static Path work;

    static PosixMount fs;

    private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
    private final Logger auditLogger = (Logger) LoggerFactory.getLogger("dpuoffload.audit");

    @BeforeAll
    static void mount() throws Exception {
        Map<Operation, List<String>> rules = new EnumMap<>(Operation.class);
        for (Operation op : List.of(
                Operation.LOOKUP,
                Operation.GETATTR,
                Operation.READDIR,
                Operation.READ,
                Operation.OPEN,
                Operation.STATFS,
                Operation.XATTR_GET)) {
            rules.put(op, List.of("/"));
        }
        for (Operation op : List.of(
                Operation.WRITE,
                Operation.CREATE,
                Operation.SETATTR,
                Operation.MKDIR,
                Operation.UNLINK,
                Operation.RENAME,
                Operation.SYMLINK,
                Operation.LINK,
                Operation.XATTR_SET)) {
            rules.put(op, List.of("/allowed"));
        }
        Path exported = Files.createDirectories(work.resolve("exported"));
        Files.writeString(exported.resolve("data.txt"), "not yours to change");
        Files.createDirectories(exported.resolve("allowed"));
        Files.createDirectories(exported.resolve("allowed-not"));
        Metadata.fchmodat(Flags.AT_FDCWD, exported.resolve("allowed").toString(), 0777, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, exported.toString(), 0777, 0);
        Metadata.fchmodat(Flags.AT_FDCWD, exported.resolve("data.txt").toString(), 0666, 0);
        fs = PosixMount.start(work, new Allowlist(rules), CachePolicy.NONE, false);
    }

    @AfterAll
    static void unmount() {
        fs.close();
    }

    @BeforeEach
    void listen() {
        audit.start();
        auditLogger.addAppender(audit);
    }

    @AfterEach
    void stopListening() {
        auditLogger.detachAppender(audit);
    }

    @Test
    void writingAFileOutsideTheAllowedTreeIsDeniedAndAuditedOnce() throws Exception {
        Path mnt = fs.mountpoint();
        assertThat(Sys.openErrno(mnt.resolve("data.txt"), Flags.O_WRONLY, 0)).isEqualTo(Errno.EACCES);
        assertThat(Files.readString(fs.exported().resolve("data.txt"))).isEqualTo("not yours to change");
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line)
                .matches("denied peer=.+ uid=0 op=write export=data path=/data\\.txt"));
    }

    @Test
    void creatingOutsideIsDeniedAndAuditedWithTheCallersUid() throws Exception {
        Path mnt = fs.mountpoint();
        int errno = AsUser.call(() -> Sys.openErrno(mnt.resolve("new.txt"), Flags.O_CREAT | Flags.O_WRONLY, 0644));
        assertThat(errno).isEqualTo(Errno.EACCES);
        assertThat(fs.exported().resolve("new.txt")).doesNotExist();
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line)
                .matches("denied peer=.+ uid=1000 op=create export=data path=/new\\.txt"));
    }

    @Test
    void aPrefixMatchesWholeComponentsOnly() throws Exception {
        Path mnt = fs.mountpoint();
        assertThat(Sys.errno(() -> PathCalls.mkdirat(
                        Flags.AT_FDCWD, mnt.resolve("allowed-not/d").toString(), 0755)))
                .isEqualTo(Errno.EACCES);
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line)
                .endsWith("op=mkdir export=data path=/allowed-not/d"));
    }

    @Test
    void aSymlinkIntoTheAllowedTreeDoesNotWidenIt() throws Exception {
        Files.createSymbolicLink(fs.exported().resolve("allowed/via-link"), Path.of("../data.txt"));
        Path mnt = fs.mountpoint();
        assertThat(Sys.openErrno(mnt.resolve("allowed/via-link"), Flags.O_WRONLY, 0))
                .isEqualTo(Errno.EACCES);
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line).endsWith("path=/data.txt"));
    }

    @Test
    void writingInsideTheAllowedTreeWorksAndIsNotAudited() throws Exception {
        Path mnt = fs.mountpoint();
        Files.writeString(mnt.resolve("allowed/ok.txt"), "fine");
        Files.writeString(mnt.resolve("allowed/ok.txt"), "fine again");
        Files.createDirectories(mnt.resolve("allowed/sub/deeper"));
        Files.move(mnt.resolve("allowed/ok.txt"), mnt.resolve("allowed/sub/deeper/moved.txt"));
        assertThat(Files.readString(fs.exported().resolve("allowed/sub/deeper/moved.txt")))
                .isEqualTo("fine again");
        assertThat(Files.readString(mnt.resolve("data.txt"))).isEqualTo("not yours to change");
        try (var list = Files.list(mnt)) {
            assertThat(list.count()).isGreaterThanOrEqualTo(3);
        }
        assertThat(lines()).isEmpty();
    }

    @Test
    void movingAFileOutOfTheAllowedTreeIsDenied() throws Exception {
        Files.writeString(fs.exported().resolve("allowed/keep.txt"), "stay");
        Path mnt = fs.mountpoint();
        assertThat(Sys.errno(() -> NamesIT.rename(mnt.resolve("allowed/keep.txt"), mnt.resolve("escaped.txt"), 0)))
                .isEqualTo(Errno.EACCES);
        assertThat(fs.exported().resolve("allowed/keep.txt")).exists();
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line)
                .endsWith("op=rename export=data path=/escaped.txt"));
    }

    @Test
    void aFileOutsideCannotBeHardLinkedIntoTheAllowedTree() throws Exception {
        Path mnt = fs.mountpoint();
        assertThat(Sys.errno(() -> PathCalls.linkat(
                        Flags.AT_FDCWD,
                        mnt.resolve("data.txt").toString(),
                        Flags.AT_FDCWD,
                        mnt.resolve("allowed/grabbed").toString(),
                        0)))
                .isEqualTo(Errno.EACCES);
        assertThat(fs.exported().resolve("allowed/grabbed")).doesNotExist();
        assertThat(lines()).singleElement().satisfies(line -> assertThat(line)
                .endsWith("op=link export=data path=/data.txt"));
    }

    private List<String> lines() {
        return audit.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
