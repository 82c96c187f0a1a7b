package io.dpuoffload.ipc;

import io.dpuoffload.ipc.wire.PassedFds;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Tun;
import java.io.IOException;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TAP (or TUN) descriptor carried to the other side: a VM's NIC, which libvirt creates and
 * configures on the DPU and hands to QEMU, who runs on the host. A packet written to the DPU's tap
 * would stay on the DPU, so nothing is relayed: the receiver makes an interface of the same name and
 * flags in its own network namespace and gives it the settings the sender's had when it was passed
 * (hardware address, MTU, bridge, up), so the NIC is where the host's traffic flows, and the
 * program's descriptor is the host interface's own.
 *
 * <p>Joining a bridge on the receiving side is allowed only for the bridges it names (deny by
 * default): a DPU decides which of the host's networks its VMs are on only where the host allows it.
 */
final class PassedTaps {
    private static final Logger log = LoggerFactory.getLogger(PassedTaps.class);
    private static final Logger audit = LoggerFactory.getLogger("dpuoffload.audit");

    private PassedTaps() {}

    /** {@code fd}, a descriptor of the clone device, as it goes on the wire. */
    static PassedFds.Tap describe(int fd) throws IOException {
        Tun.Attachment attachment = Tun.attachment(fd);
        IpLink link = IpLink.show(attachment.name())
                .orElseThrow(
                        () -> new IOException("interface " + attachment.name() + " is not in this network namespace"));
        return new PassedFds.Tap(
                attachment.name(), attachment.flags(), link.mac(), link.mtu(), link.up(), link.bridge());
    }

    /**
     * The interface {@code tap} describes, made here: a descriptor attached to it, with its settings
     * applied. Refused, naming the fix, when it would join a bridge not in {@code allowedBridges} or
     * one this side lacks.
     */
    static int make(PassedFds.Tap tap, Set<String> allowedBridges) throws IOException {
        if (!tap.bridge().isEmpty()) {
            if (!allowedBridges.contains(tap.bridge())) {
                audit.warn(
                        "denied op=join-bridge interface={} bridge={} (not an allowed bridge)",
                        tap.name(),
                        tap.bridge());
                throw new IOException("interface " + tap.name() + " is a port of bridge " + tap.bridge()
                        + " on the DPU, and this host does not let the DPU's interfaces join " + tap.bridge()
                        + ": add it to the host's bridges (host.bridges in the pair's configuration)");
            }
            if (IpLink.show(tap.bridge()).isEmpty()) {
                throw new IOException("interface " + tap.name() + " is a port of bridge " + tap.bridge()
                        + " on the DPU, and this host has no " + tap.bridge()
                        + ": create it here (ip link add " + tap.bridge() + " type bridge) with the host's uplink as"
                        + " a port");
            }
        }
        int fd;
        try {
            fd = Tun.attach(tap.name(), tap.flags());
        } catch (ErrnoException e) {
            throw new IOException(
                    "cannot make interface " + tap.name() + " here: " + e.getMessage()
                            + (e.errno() == io.dpuoffload.linux.Errno.EBUSY
                                    ? " (an interface of that name is in use here: the DPU's and the host's must not clash)"
                                    : ""),
                    e);
        }
        try {
            new IpLink(tap.mac(), tap.mtu(), tap.up(), tap.bridge()).applyTo(tap.name());
        } catch (IOException e) {
            FileCalls.closeQuietly(fd); // the interface goes with its last descriptor
            throw new IOException("cannot set up interface " + tap.name() + " here: " + e.getMessage(), e);
        }
        log.info(
                "made interface {} for a passed descriptor{}",
                tap.name(),
                tap.bridge().isEmpty() ? "" : " (a port of bridge " + tap.bridge() + ")");
        return fd;
    }
}
