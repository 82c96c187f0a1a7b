package io.dpuoffload.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The opcode table against fuse.h, and the two-way mapping between opcodes and request records: every
 * opcode decodes into its own record type, and every record type is some opcode's.
 */
class OpcodeCoverageTest {

    /** {@code enum fuse_opcode} of fuse.h 7.45, copied by hand. */
    private static final Map<String, Integer> FUSE_H = new LinkedHashMap<>();

    static {
        String[] names = {
            "LOOKUP:1",
            "FORGET:2",
            "GETATTR:3",
            "SETATTR:4",
            "READLINK:5",
            "SYMLINK:6",
            "MKNOD:8",
            "MKDIR:9",
            "UNLINK:10",
            "RMDIR:11",
            "RENAME:12",
            "LINK:13",
            "OPEN:14",
            "READ:15",
            "WRITE:16",
            "STATFS:17",
            "RELEASE:18",
            "FSYNC:20",
            "SETXATTR:21",
            "GETXATTR:22",
            "LISTXATTR:23",
            "REMOVEXATTR:24",
            "FLUSH:25",
            "INIT:26",
            "OPENDIR:27",
            "READDIR:28",
            "RELEASEDIR:29",
            "FSYNCDIR:30",
            "GETLK:31",
            "SETLK:32",
            "SETLKW:33",
            "ACCESS:34",
            "CREATE:35",
            "INTERRUPT:36",
            "BMAP:37",
            "DESTROY:38",
            "IOCTL:39",
            "POLL:40",
            "NOTIFY_REPLY:41",
            "BATCH_FORGET:42",
            "FALLOCATE:43",
            "READDIRPLUS:44",
            "RENAME2:45",
            "LSEEK:46",
            "COPY_FILE_RANGE:47",
            "SETUPMAPPING:48",
            "REMOVEMAPPING:49",
            "SYNCFS:50",
            "TMPFILE:51",
            "STATX:52",
            "COPY_FILE_RANGE_64:53"
        };
        for (String n : names) {
            String[] kv = n.split(":");
            FUSE_H.put(kv[0], Integer.parseInt(kv[1]));
        }
    }

    @Test
    void codesAreThoseOfFuseH() {
        Map<String, Integer> ours = new LinkedHashMap<>();
        for (FuseOpcode op : FuseOpcode.values()) {
            if (op != FuseOpcode.UNKNOWN) {
                ours.put(op.name(), op.code());
                assertThat(FuseOpcode.of(op.code())).isEqualTo(op);
            }
        }
        assertThat(ours).isEqualTo(FUSE_H);
    }

    @Test
    void holesAndForeignCodesAreUnknown() {
        for (int code : new int[] {0, 7, 19, 54, 4096, 1 << 20, 436207616, -1, Integer.MIN_VALUE}) {
            assertThat(FuseOpcode.of(code)).as("code %d", code).isEqualTo(FuseOpcode.UNKNOWN);
        }
    }

    @Test
    void onlyForgetsInterruptsAndNotifyRepliesGoUnanswered() {
        assertThat(Arrays.stream(FuseOpcode.values()).filter(op -> !op.expectsReply()))
                .containsExactlyInAnyOrder(
                        FuseOpcode.FORGET, FuseOpcode.BATCH_FORGET, FuseOpcode.INTERRUPT, FuseOpcode.NOTIFY_REPLY);
    }

    @Test
    void everyOpcodeDecodesIntoItsOwnRecordAndEveryRecordHasAnOpcode() throws FuseProtocolException {
        Map<Class<?>, FuseOpcode> recordOf = new HashMap<>();
        for (FuseOpcode op : FuseOpcode.values()) {
            FuseOperation decoded = FuseRequestDecoder.decode(
                            MinimalRequests.of(op).build(), MinimalRequests.NEGOTIATED)
                    .operation();
            assertThat(decoded.opcode())
                    .as("opcode of the record %s decodes into", op)
                    .isEqualTo(op);
            FuseOpcode previous = recordOf.put(decoded.getClass(), op);
            assertThat(previous)
                    .as("%s shares its record with %s", op, previous)
                    .isNull();
        }

        Set<Class<?>> permitted = new HashSet<>(Arrays.asList(FuseOperation.class.getPermittedSubclasses()));
        assertThat(recordOf.keySet()).isEqualTo(permitted);
    }
}
