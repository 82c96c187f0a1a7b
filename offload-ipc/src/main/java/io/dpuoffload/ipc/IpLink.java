package io.dpuoffload.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network interface's link settings, read and set with iproute2's {@code ip} in this process's
 * network namespace. A descriptor passing is rare (a VM's start), so a process per call costs
 * nothing that matters, and {@code ip} speaks netlink for every kind of link, bridges included.
 *
 * @param mac its hardware address, or empty when it has none (a tun)
 * @param mtu its MTU
 * @param up whether it is administratively up
 * @param bridge the bridge it is a port of, or empty
 */
record IpLink(String mac, int mtu, boolean up, String bridge) {
    private static final long TIMEOUT_SECONDS = 10;

    /** The settings of interface {@code name}; empty when there is no such interface. */
    static Optional<IpLink> show(String name) throws IOException {
        Result shown = ip("-o", "link", "show", "dev", name);
        if (shown.status != 0) {
            return Optional.empty();
        }
        return Optional.of(parse(shown.out));
    }

    /** Parses one line of {@code ip -o link show}. */
    static IpLink parse(String line) {
        String mac = "";
        int mtu = 0;
        boolean up = false;
        String bridge = "";
        String[] words = line.replace('\\', ' ').trim().split("\\s+");
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            String next = i + 1 < words.length ? words[i + 1] : "";
            if (word.startsWith("<") && word.endsWith(">")) {
                up = List.of(word.substring(1, word.length() - 1).split(",")).contains("UP");
            } else if (word.equals("mtu")) {
                mtu = Integer.parseInt(next);
            } else if (word.equals("master")) {
                bridge = next;
            } else if (word.equals("link/ether")) {
                mac = next;
            }
        }
        return new IpLink(mac, mtu, up, bridge);
    }

    /** Gives interface {@code name} these settings: address, MTU, bridge, then up (as libvirt does). */
    void applyTo(String name) throws IOException {
        List<String> args = new ArrayList<>(List.of("link", "set", "dev", name));
        if (!mac.isEmpty()) {
            args.addAll(List.of("address", mac));
        }
        if (mtu > 0) {
            args.addAll(List.of("mtu", Integer.toString(mtu)));
        }
        if (!bridge.isEmpty()) {
            args.addAll(List.of("master", bridge));
        }
        if (up) {
            args.add("up");
        }
        Result set = ip(args.toArray(String[]::new));
        if (set.status != 0) {
            throw new IOException("ip " + String.join(" ", args) + ": " + set.out.strip());
        }
    }

    private record Result(int status, String out) {}

    private static Result ip(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process ip;
        try {
            ip = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run ip (iproute2) to read or set a network interface: " + e.getMessage(), e);
        }
        try {
            ip.getOutputStream().close();
            String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ip.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                ip.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(ip.exitValue(), out);
        } catch (InterruptedException e) {
            ip.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " was interrupted", e);
        }
    }
}
