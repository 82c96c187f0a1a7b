package io.dpuoffload.linux;

/**
 * A byte-range lock ({@code struct flock}): {@code type} is {@link Locks#F_RDLCK}, {@link Locks#F_WRLCK} or
 * {@link Locks#F_UNLCK}; the range starts at {@code start} (relative to {@code whence}, usually SEEK_SET) and
 * spans {@code length} bytes, 0 meaning "to the end of the file, however far it grows". {@code pid} is the
 * holder a GETLK reports (-1 for an open-file-description lock); it is ignored when setting.
 */
public record RecordLock(int type, int whence, long start, long length, int pid) {

    /** A lock of {@code type} on {@code [start, start + length)} from the beginning of the file. */
    public static RecordLock of(int type, long start, long length) {
        return new RecordLock(type, Flags.SEEK_SET, start, length, 0);
    }

    public boolean isUnlocked() {
        return type == Locks.F_UNLCK;
    }
}
