package io.dpuoffload.api.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to tell, while a daemon runs, that it works: a check of one kind every {@code interval}
 * (default 30s); {@code failures} failed checks in a row (default 3) restart the daemon. In YAML
 * the kind is the key that names its target:
 *
 * <pre>
 * health: {libvirt: "qemu:///system", interval: 30s, failures: 3}   # libvirt's client lists the domains
 * health: {containerd: /run/containerd/containerd.sock}             # containerd's API answers there
 * health: {socket: /run/d.sock}                                     # something accepts there
 * </pre>
 *
 * A new kind (docker's API) is a record here and its key in {@link #of}; the agent runs each kind
 * in one place.
 */
public sealed interface Health permits Health.Libvirt, Health.Containerd, Health.Socket {
    Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    int DEFAULT_FAILURES = 3;
    /** The keys that name a kind, for messages. */
    String KINDS = "libvirt: URI (e.g. qemu:///system), containerd: ADDRESS (its socket) or socket: PATH";

    Duration interval();

    int failures();

    /** What is asked, for the status and the log (a URI, a socket). */
    String target();

    /** libvirtd's: a client of libvirt's own library at {@code libvirt} (a URI as a client in the root uses it) lists the domains. */
    record Libvirt(String libvirt, Duration interval, int failures) implements Health {
        public Libvirt {
            interval = interval == null ? DEFAULT_INTERVAL : interval;
        }

        @Override
        public String target() {
            return libvirt;
        }
    }

    /** containerd's: its own API at {@code containerd} (its socket, a path in the root) tells its version. */
    record Containerd(Path containerd, Duration interval, int failures) implements Health {
        public Containerd {
            interval = interval == null ? DEFAULT_INTERVAL : interval;
        }

        @Override
        public String target() {
            return String.valueOf(containerd);
        }
    }

    /** Any daemon's: something accepts a connection at {@code socket}, a path in the root. */
    record Socket(Path socket, Duration interval, int failures) implements Health {
        public Socket {
            interval = interval == null ? DEFAULT_INTERVAL : interval;
        }

        @Override
        public String target() {
            return String.valueOf(socket);
        }
    }

    /** The kind the YAML names by its key; exactly one kind. */
    @JsonCreator
    static Health of(
            @JsonProperty("libvirt") String libvirt,
            @JsonProperty("containerd") Path containerd,
            @JsonProperty("socket") Path socket,
            @JsonProperty("interval") Duration interval,
            @JsonProperty("failures") Integer failures) {
        long kinds = java.util.stream.Stream.of(libvirt, containerd, socket)
                .filter(java.util.Objects::nonNull)
                .count();
        if (kinds != 1) {
            throw new IllegalArgumentException(
                    (kinds == 0 ? "no" : "more than one") + " kind of check; give one: " + KINDS);
        }
        int inARow = failures == null ? DEFAULT_FAILURES : failures;
        if (libvirt != null) {
            return new Libvirt(libvirt, interval, inARow);
        }
        return containerd != null ? new Containerd(containerd, interval, inARow) : new Socket(socket, interval, inARow);
    }
}
