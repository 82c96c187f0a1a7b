package io.dpuoffload.cli.exec;

import io.dpuoffload.exec.wire.ExecRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a local child of ours would inherit, as exact bytes: our argv's last entries (from
 * /proc/self/cmdline, since Java's String[] loses bytes that are not valid text), our environment
 * (/proc/self/environ), working directory and umask.
 */
final class LocalContext {
    private LocalContext() {}

    /** The request for the last {@code programArgs} entries of our command line. */
    static ExecRequest request(int programArgs, List<String> dropEnvironment) {
        try {
            List<byte[]> cmdline = split(Files.readAllBytes(Path.of("/proc/self/cmdline")));
            List<byte[]> argv = new ArrayList<>(cmdline.subList(cmdline.size() - programArgs, cmdline.size()));
            List<byte[]> environment = new ArrayList<>();
            for (byte[] entry : split(Files.readAllBytes(Path.of("/proc/self/environ")))) {
                String name = new String(entry, StandardCharsets.UTF_8).split("=", 2)[0];
                if (!dropEnvironment.contains(name)) {
                    environment.add(entry);
                }
            }
            byte[] cwd =
                    Files.readSymbolicLink(Path.of("/proc/self/cwd")).toString().getBytes(StandardCharsets.UTF_8);
            return new ExecRequest(argv.get(0), argv, environment, cwd, umask());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this process's command line and environment", e);
        }
    }

    private static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        return 022;
    }

    private static List<byte[]> split(byte[] nulSeparated) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < nulSeparated.length; i++) {
            if (nulSeparated[i] == 0) {
                parts.add(Arrays.copyOfRange(nulSeparated, start, i));
                start = i + 1;
            }
        }
        if (start < nulSeparated.length) {
            parts.add(Arrays.copyOfRange(nulSeparated, start, nulSeparated.length));
        }
        return parts;
    }
}
