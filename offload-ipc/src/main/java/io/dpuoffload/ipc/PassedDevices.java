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
 * what the receiving program needs: {@code /dev/vhost-net} (libvirt opens it and hands it to QEMU
 * with the tap, and QEMU binds it to itself and to the tap with ioctls of its own) and {@code
 * /dev/vhost-vsock}. Only these, by device number: any other device cannot be carried.
 */
final class PassedDevices {
    /** Character devices (misc major 10) by minor: the path each is opened at. */
    private static final Map<Integer, String> BY_MINOR = Map.of(238, "/dev/vhost-net", 241, "/dev/vhost-vsock");

    private static final int MISC_MAJOR = 10;

    private PassedDevices() {}

    /** {@code fd} as a passed device, or null when it is no such device. */
    static PassedFds.Device describe(int fd, Stat stat) throws ErrnoException {
        if (stat.type() != Flags.S_IFCHR) {
            return null;
        }
        for (var device : BY_MINOR.entrySet()) {
            if (stat.rdev() == Stat.makedev(MISC_MAJOR, device.getKey())) {
                int access = FileCalls.fcntl(fd, Flags.F_GETFL, 0) & (Flags.O_ACCMODE | Flags.O_NONBLOCK);
                return new PassedFds.Device(device.getValue(), access);
            }
        }
        return null;
    }

    /** The receiver's own open of {@code device}, which must be one of those above. */
    static int open(PassedFds.Device device) throws IOException {
        if (!BY_MINOR.containsValue(device.path())) {
            throw new IOException("device " + device.path() + " cannot be carried (only /dev/vhost-net and"
                    + " /dev/vhost-vsock are)");
        }
        int flags = (device.flags() & (Flags.O_ACCMODE | Flags.O_NONBLOCK)) | Flags.O_CLOEXEC | Flags.O_NOCTTY;
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
