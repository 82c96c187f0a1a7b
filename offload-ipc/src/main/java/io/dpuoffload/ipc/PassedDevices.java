package io.dpuoffload.ipc;

import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Stat;
import java.io.IOException;
import java.util.Map;

/**
 * Devices that are carried by opening them again on the other side, because a fresh open there is
 * what the receiving program needs, or is the same thing:
 *
 * <ul>
 *   <li>{@code /dev/vhost-net} (libvirt opens it and hands it to QEMU with the tap, and QEMU binds it
 *       to itself and to the tap with ioctls of its own) and {@code /dev/vhost-vsock};
 *   <li>the memory devices, which hold no state: {@code /dev/null}, {@code /dev/zero}, {@code
 *       /dev/full}, {@code /dev/random} and {@code /dev/urandom}. Daemons start their programs with
 *       {@code /dev/null} among the descriptors they keep (a Go program's stdio, a closed stdin
 *       reopened), and a run used to start without it, with a warning each time.
 * </ul>
 *
 * Only these, by device number: any other device cannot be carried.
 */
final class PassedDevices {
    private static final int MEM_MAJOR = 1;
    private static final int MISC_MAJOR = 10;

    /** The path each is opened at, by device number. */
    private static final Map<Long, String> BY_DEVICE = Map.of(
            Stat.makedev(MISC_MAJOR, 238), "/dev/vhost-net",
            Stat.makedev(MISC_MAJOR, 241), "/dev/vhost-vsock",
            Stat.makedev(MEM_MAJOR, 3), "/dev/null",
            Stat.makedev(MEM_MAJOR, 5), "/dev/zero",
            Stat.makedev(MEM_MAJOR, 7), "/dev/full",
            Stat.makedev(MEM_MAJOR, 8), "/dev/random",
            Stat.makedev(MEM_MAJOR, 9), "/dev/urandom");

    private PassedDevices() {}

    /** {@code fd} as a passed device, or null when it is no such device. */
    static PassedFds.Device describe(int fd, Stat stat) throws ErrnoException {
        if (stat.type() != Flags.S_IFCHR) {
            return null;
        }
        String path = BY_DEVICE.get(stat.rdev());
        if (path == null) {
            return null;
        }
        int access = FileCalls.fcntl(fd, Flags.F_GETFL, 0) & (Flags.O_ACCMODE | Flags.O_NONBLOCK | Flags.O_APPEND);
        return new PassedFds.Device(path, access);
    }

    /** The receiver's own open of {@code device}, which must be one of those above. */
    static int open(PassedFds.Device device) throws IOException {
        if (!BY_DEVICE.containsValue(device.path())) {
            throw new IOException("device " + device.path() + " cannot be carried (only "
                    + String.join(", ", new java.util.TreeSet<>(BY_DEVICE.values())) + " are)");
        }
        int flags = (device.flags() & (Flags.O_ACCMODE | Flags.O_NONBLOCK | Flags.O_APPEND))
                | Flags.O_CLOEXEC
                | Flags.O_NOCTTY;
        try {
            return FileCalls.openat(Flags.AT_FDCWD, device.path(), flags, 0);
        } catch (ErrnoException e) {
            throw new IOException(
                    "cannot open " + device.path() + " here: " + e.getMessage()
                            + (e.is(io.dpuoffload.linux.Errno.ENOENT)
                                    ? " (load the module: modprobe "
                                            + device.path()
                                                    .substring("/dev/".length())
                                                    .replace('-', '_') + ")"
                                    : ""),
                    e);
        }
    }
}
