package io.dpuoffload.exec.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The rexec client binary this build carries (src/main/c/rexec.c, built for the build machine's
 * architecture), written out as {@code rexec} itself or as a shim: a copy whose program slot holds
 * one host program's path, so that it runs that program with its argv carried whole.
 */
public final class RexecBinary {
    private static final String RESOURCE = "/io/dpuoffload/exec/rexec";
    private static final byte[] SLOT_MARKER = "\001DPUO-SHIM-PROGRAM-SLOT\001".getBytes(StandardCharsets.US_ASCII);
    /** The slot's size in rexec.c, terminating NUL included. */
    static final int SLOT_BYTES = 4096;

    private RexecBinary() {}

    /** Writes rexec itself to {@code target} (mode 0755). */
    public static void writeClient(Path target) throws IOException {
        install(target, load());
    }

    /** Writes a shim for the host program {@code program} (an absolute path) to {@code target}. */
    public static void writeShim(Path target, String program) throws IOException {
        if (!program.startsWith("/")) {
            throw new IllegalArgumentException("--program must be an absolute path on the host, not " + program);
        }
        byte[] path = program.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SLOT_BYTES) {
            throw new IllegalArgumentException("--program is longer than " + (SLOT_BYTES - 1) + " bytes");
        }
        byte[] binary = load();
        int slot = onlyOccurrence(binary, SLOT_MARKER);
        java.util.Arrays.fill(binary, slot, slot + SLOT_BYTES, (byte) 0);
        System.arraycopy(path, 0, binary, slot, path.length);
        install(target, binary);
    }

    /** The program a shim at {@code file} runs, or empty when the file is no shim of ours. */
    public static java.util.Optional<String> shimProgram(Path file) throws IOException {
        byte[] binary = Files.readAllBytes(file);
        byte[] pristine = load();
        if (binary.length != pristine.length) {
            return java.util.Optional.empty();
        }
        int slot = onlyOccurrence(pristine, SLOT_MARKER);
        int end = slot;
        while (end < slot + SLOT_BYTES && binary[end] != 0) {
            end++;
        }
        return binary[slot] == '/'
                ? java.util.Optional.of(new String(binary, slot, end - slot, StandardCharsets.UTF_8))
                : java.util.Optional.empty();
    }

    private static byte[] load() throws IOException {
        try (InputStream in = RexecBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("this build carries no rexec binary (" + RESOURCE
                        + "); build offload-exec with gcc installed: apt-get install gcc libc6-dev");
            }
            return in.readAllBytes();
        }
    }

    private static int onlyOccurrence(byte[] haystack, byte[] needle) throws IOException {
        int found = -1;
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                if (found >= 0) {
                    throw new IOException("the rexec binary has its program slot marker twice; rebuild it");
                }
                found = i;
            }
        }
        if (found < 0 || found + SLOT_BYTES > haystack.length) {
            throw new IOException("the rexec binary has no program slot; rebuild it from src/main/c/rexec.c");
        }
        return found;
    }

    /** Writes beside the target and renames over it, so a running shim is never half-written. */
    private static void install(Path target, byte[] binary) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temporary = Files.createTempFile(parent, "." + target.getFileName(), ".new");
        try {
            Files.write(temporary, binary);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
