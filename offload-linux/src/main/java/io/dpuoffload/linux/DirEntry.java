package io.dpuoffload.linux;

import java.util.Arrays;

/**
 * One entry of a directory listing ({@code struct linux_dirent64}). {@code offset} is the kernel's {@code
 * d_off}: an opaque cookie (on ext4 a hash, not an index) that positions the directory just <em>after</em>
 * this entry; {@code lseek(dirfd, offset, SEEK_SET)} resumes the listing there. {@code name} holds the raw
 * bytes without the NUL.
 */
public record DirEntry(long ino, long offset, int type, byte[] name) {
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;
    public static final int DT_WHT = 14;

    /** The name decoded as UTF-8 (invalid bytes shown as \xNN); for logs and tests. */
    public String nameString() {
        return Bytes.display(name);
    }

    /** {@code "."} or {@code ".."}. */
    public boolean isDotOrDotDot() {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirEntry e
                && e.ino == ino
                && e.offset == offset
                && e.type == type
                && Arrays.equals(e.name, name);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(ino) * 31 + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return "DirEntry[ino=" + ino + ", offset=" + offset + ", type=" + type + ", name=" + nameString() + "]";
    }
}
