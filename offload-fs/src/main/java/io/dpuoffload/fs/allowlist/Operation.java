package io.dpuoffload.fs.allowlist;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The operations an export's allowlist names. Each FUSE request is checked as one of these against
 * the path it touches (for a create, rename or link: the new name too).
 */
public enum Operation {
    LOOKUP("lookup"),
    /** Also access(2). */
    GETATTR("getattr"),
    OPEN("open"),
    /** read(2) on an open file, readlink, lseek. */
    READ("read"),
    /** write(2) on an open file, fallocate, copy into the file. */
    WRITE("write"),
    READDIR("readdir"),
    MKDIR("mkdir"),
    RMDIR("rmdir"),
    CREATE("create"),
    MKNOD("mknod"),
    UNLINK("unlink"),
    RENAME("rename"),
    LINK("link"),
    SYMLINK("symlink"),
    /** chmod, chown, truncate, utimens. */
    SETATTR("setattr"),
    XATTR_GET("xattr-get"),
    XATTR_SET("xattr-set"),
    XATTR_REMOVE("xattr-remove"),
    STATFS("statfs");

    private final String configName;

    Operation(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration files and audit lines. */
    public String configName() {
        return configName;
    }

    public static Optional<Operation> fromConfigName(String name) {
        return Arrays.stream(values()).filter(op -> op.configName.equals(name)).findFirst();
    }

    public static String configNames() {
        return Arrays.stream(values()).map(Operation::configName).collect(Collectors.joining(", "));
    }
}
