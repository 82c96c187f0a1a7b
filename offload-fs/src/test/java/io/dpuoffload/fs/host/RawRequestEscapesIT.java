package io.dpuoffload.fs.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import io.dpuoffload.fs.config.ExportConfig;
import io.dpuoffload.fs.fuse.FuseOpcode;
import io.dpuoffload.fs.fuse.FuseOperation;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.Xattrs;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests no honest kernel sends, as a compromised DPU could: names with "/" or "..", lookups
 * beneath a symlink, and opens, truncates, chmods and xattr calls on symlink nodes whose targets lie
 * outside the export. The server must answer each with an error or act on the symlink itself,
 * never on the file outside ({@code canary.txt}, beside the export).
 */
class RawRequestEscapesIT {
    private static final String CANARY = "CANARY-host-only";

    @TempDir
    Path work;

    private Path canary;
    private HostSession session;

    @BeforeEach
    void open() throws Exception {
        Path exported = Files.createDirectories(work.resolve("exported"));
        canary = Files.writeString(work.resolve("canary.txt"), CANARY);
        Metadata.fchmodat(Flags.AT_FDCWD, canary.toString(), 0600, 0);
        Xattrs.setxattr(canary.toString(), "user.secret", CANARY.getBytes(StandardCharsets.UTF_8), 0);
        Files.createSymbolicLink(exported.resolve("abs"), canary);
        Files.createSymbolicLink(exported.resolve("rel"), Path.of("../canary.txt"));
        Files.createSymbolicLink(exported.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(exported.resolve("proc-root"), Path.of("/proc/self/root"));
        var export =
                new ExportConfig("data", exported, false, CachePolicy.NONE, Duration.ZERO, false, Allowlist.allowAll());
        session = HostSession.open(1, export, "test", 64);
    }

    @AfterEach
    void close() {
        session.close();
    }

    @Test
    void namesThatLeaveTheDirectoryAreRefused() {
        assertThat(error(FuseOpcode.LOOKUP, FuseProtocol.ROOT_ID, new FuseOperation.Lookup(bytes(".."))))
                .isNotZero();
        assertThat(error(FuseOpcode.LOOKUP, FuseProtocol.ROOT_ID, new FuseOperation.Lookup(bytes("../canary.txt"))))
                .isEqualTo(-Errno.EINVAL);
        assertThat(error(FuseOpcode.LOOKUP, FuseProtocol.ROOT_ID, new FuseOperation.Lookup(bytes(canary.toString()))))
                .isEqualTo(-Errno.EINVAL);
        assertThat(error(FuseOpcode.LOOKUP, FuseProtocol.ROOT_ID, new FuseOperation.Lookup(bytes(""))))
                .isEqualTo(-Errno.ENOENT);
        assertThat(error(
                        FuseOpcode.RENAME2,
                        FuseProtocol.ROOT_ID,
                        new FuseOperation.Rename2(FuseProtocol.ROOT_ID, 0, bytes("abs"), bytes("../moved"))))
                .isEqualTo(-Errno.EINVAL);
    }

    @Test
    void symlinkNodesAreNeverDirectoriesToLookIn() {
        for (String link : List.of("abs", "rel", "up", "proc-root")) {
            long node = lookup(link);
            assertThat(error(FuseOpcode.LOOKUP, node, new FuseOperation.Lookup(bytes("canary.txt"))))
                    .as(link)
                    .isEqualTo(-Errno.ENOTDIR);
        }
    }

    @Test
    void symlinkNodesAreNotOpenedThroughTheirTargets() throws Exception {
        for (String link : List.of("abs", "rel")) {
            long node = lookup(link);
            for (int flags : new int[] {Flags.O_RDONLY, Flags.O_RDWR, Flags.O_WRONLY | Flags.O_TRUNC}) {
                assertThat(error(FuseOpcode.OPEN, node, new FuseOperation.Open(flags, 0)))
                        .as(link + " opened with " + flags)
                        .isEqualTo(-Errno.ELOOP);
            }
            assertThat(error(
                            FuseOpcode.SETATTR,
                            node,
                            new FuseOperation.Setattr(FuseProtocol.FATTR_SIZE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
                    .as(link + " truncated")
                    .isNotZero();
            error(
                    FuseOpcode.SETATTR,
                    node,
                    new FuseOperation.Setattr(FuseProtocol.FATTR_MODE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0777, 0, 0));
            ByteBuf reply = execute(FuseOpcode.GETXATTR, node, new FuseOperation.Getxattr(4096, bytes("user.secret")));
            try {
                assertThat(reply.getIntLE(4)).as(link + " xattr").isNotZero();
            } finally {
                reply.release();
            }
        }
        assertThat(Files.readString(canary)).isEqualTo(CANARY);
        assertThat(Metadata.statx(Flags.AT_FDCWD, canary.toString(), 0).permissions())
                .isEqualTo(0600);
    }

    @Test
    void forgedNodeIdsAndHandlesAreStale() {
        assertThat(error(FuseOpcode.GETATTR, 0x1234_5678L, new FuseOperation.Getattr(0, 0)))
                .isEqualTo(-Errno.ESTALE);
        assertThat(error(FuseOpcode.LINK, FuseProtocol.ROOT_ID, new FuseOperation.Link(0x1234_5678L, bytes("x"))))
                .isEqualTo(-Errno.ESTALE);
        assertThat(error(FuseOpcode.READ, FuseProtocol.ROOT_ID, new FuseOperation.Read(77, 0, 4096, 0, 0, 0)))
                .isEqualTo(-Errno.EBADF);
    }

    private long lookup(String name) {
        ByteBuf reply = execute(FuseOpcode.LOOKUP, FuseProtocol.ROOT_ID, new FuseOperation.Lookup(bytes(name)));
        try {
            assertThat(reply.getIntLE(4)).as("lookup " + name).isZero();
            return reply.getLongLE(FuseProtocol.OUT_HEADER_SIZE);
        } finally {
            reply.release();
        }
    }

    private int error(FuseOpcode opcode, long nodeid, FuseOperation operation) {
        return RawRequests.error(session, opcode, nodeid, operation);
    }

    private ByteBuf execute(FuseOpcode opcode, long nodeid, FuseOperation operation) {
        return RawRequests.execute(session, opcode, nodeid, operation);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
