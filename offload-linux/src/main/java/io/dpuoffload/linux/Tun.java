package io.dpuoffload.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * TUN/TAP descriptors ({@code /dev/net/tun}, linux/if_tun.h): which interface a descriptor is
 * attached to, and a new descriptor attached to an interface of a given name, created if it does not
 * exist. What libvirt hands QEMU as a VM's NIC is such a descriptor.
 */
public final class Tun {
    /** The clone device's number: character device 10:200. */
    private static final int MAJOR = 10;

    private static final int MINOR = 200;

    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNGETIFF = 0x800454d2L;
    /** sizeof(struct ifreq); the name (IFNAMSIZ bytes) first, then the flags as a short. */
    private static final int IFREQ_SIZE = 40;

    private static final int IFNAMSIZ = 16;

    public static final int IFF_TUN = 0x0001;
    public static final int IFF_TAP = 0x0002;
    public static final int IFF_NO_PI = 0x1000;
    public static final int IFF_MULTI_QUEUE = 0x0100;
    public static final int IFF_VNET_HDR = 0x4000;
    /** What a new descriptor may ask for; TUNGETIFF also reports IFF_PERSIST, which TUNSETIFF does not set. */
    private static final int SETTABLE = IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;

    /** The interface a descriptor is attached to: its name and {@code IFF_*} flags. */
    public record Attachment(String name, int flags) {
        public boolean isTap() {
            return (flags & IFF_TAP) != 0;
        }
    }

    private Tun() {}

    /** Whether {@code stat} is the TUN/TAP clone device, whatever its path. */
    public static boolean isCloneDevice(Stat stat) {
        return stat.type() == Flags.S_IFCHR && stat.rdev() == Stat.makedev(MAJOR, MINOR);
    }

    /** TUNGETIFF: the interface {@code fd} (a descriptor of the clone device) is attached to. */
    public static Attachment attachment(int fd) throws ErrnoException {
        try (Scratch s = Scratch.acquire()) {
            MemorySegment ifreq = s.allocate(IFREQ_SIZE, 8);
            ifreq.fill((byte) 0);
            Ioctl.call(s, fd, TUNGETIFF, ifreq, "TUNGETIFF");
            int length = 0;
            while (length < IFNAMSIZ && ifreq.get(JAVA_BYTE, length) != 0) {
                length++;
            }
            byte[] name = ifreq.asSlice(0, length).toArray(JAVA_BYTE);
            return new Attachment(
                    new String(name, StandardCharsets.US_ASCII), Short.toUnsignedInt(ifreq.get(JAVA_SHORT, IFNAMSIZ)));
        }
    }

    /**
     * Opens the clone device and attaches the new descriptor to interface {@code name} with {@code
     * flags} (TUNSETIFF), creating the interface if there is none. Close-on-exec, as every descriptor
     * made here: a program gets it as an inherited descriptor by number.
     */
    public static int attach(String name, int flags) throws ErrnoException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("an interface name has 1 to 15 characters: " + name);
        }
        int fd = FileCalls.openat(Flags.AT_FDCWD, "/dev/net/tun", Flags.O_RDWR | Flags.O_CLOEXEC, 0);
        try (Scratch s = Scratch.acquire()) {
            MemorySegment ifreq = s.allocate(IFREQ_SIZE, 8);
            ifreq.fill((byte) 0);
            MemorySegment.copy(bytes, 0, ifreq, JAVA_BYTE, 0, bytes.length);
            ifreq.set(JAVA_SHORT, IFNAMSIZ, (short) (flags & SETTABLE));
            Ioctl.call(s, fd, TUNSETIFF, ifreq, "TUNSETIFF " + name);
            return fd;
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
    }
}
