package io.dpuoffload.linux;

import java.io.IOException;

/**
 * A system call failed with an errno. The message reads like {@code openat2(etc/shadow): Permission denied
 * (EACCES)} and is built only when asked for; the path is the one given to the call (relative to its
 * directory fd).
 *
 * <p>A file server throws many of these (every negative lookup is an ENOENT), so filling in the stack trace
 * can be turned off with {@code -Dio.dpuoffload.linux.errnoStackTraces=false}; the call name and path still
 * say what failed.
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private static final boolean STACK_TRACES =
            !"false".equals(System.getProperty("io.dpuoffload.linux.errnoStackTraces"));

    private final int errno;
    private final String call;
    private final byte[] path;
    private final byte[] path2;

    public ErrnoException(String call, int errno) {
        this(call, null, null, errno);
    }

    public ErrnoException(String call, byte[] path, int errno) {
        this(call, path, null, errno);
    }

    /** For calls with two paths (rename, link, symlink): both appear in the message. */
    public ErrnoException(String call, byte[] path, byte[] path2, int errno) {
        super((String) null);
        this.call = call;
        this.path = path;
        this.path2 = path2;
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** Whether this failure is {@code errno}, e.g. {@code e.is(Errno.ENOENT)}. */
    public boolean is(int errno) {
        return this.errno == errno;
    }

    /** The system call, e.g. {@code "openat2"}. */
    public String call() {
        return call;
    }

    /** The path given to the call, or null when it took none. */
    public byte[] path() {
        return path == null ? null : path.clone();
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder(64).append(call);
        if (path != null) {
            sb.append('(').append(Bytes.display(path));
            if (path2 != null) {
                sb.append(", ").append(Bytes.display(path2));
            }
            sb.append(')');
        }
        return sb.append(": ")
                .append(Errno.description(errno))
                .append(" (")
                .append(Errno.name(errno))
                .append(')')
                .toString();
    }

    @Override
    public Throwable fillInStackTrace() {
        return STACK_TRACES ? super.fillInStackTrace() : this;
    }
}
