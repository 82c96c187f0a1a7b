package io.dpuoffload.fs.host;

import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;

/** Checks of a single path component sent by the client, before the host resolves it. */
final class Names {
    /** NAME_MAX. */
    private static final int MAX = 255;

    static byte[] component(byte[] name) throws ErrnoException {
        if (name.length == 0 || name.length > MAX) {
            throw new ErrnoException(
                    "name of " + name.length + " bytes", name.length == 0 ? Errno.ENOENT : Errno.ENAMETOOLONG);
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new ErrnoException("name with '/' or NUL", Errno.EINVAL);
            }
        }
        return name;
    }

    /** A component to create: also not "." or "..". */
    static byte[] newComponent(byte[] name) throws ErrnoException {
        component(name);
        if ((name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
            throw new ErrnoException("name '.' or '..'", Errno.EEXIST);
        }
        return name;
    }

    private Names() {}
}
