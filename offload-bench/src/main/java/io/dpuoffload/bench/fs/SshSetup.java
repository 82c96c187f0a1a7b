package io.dpuoffload.bench.fs;

import io.dpuoffload.topology.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The sshfs side of the comparison, set up the way a user would: sshd with key authentication on the host node,
 * sftp-server as Debian ships it, sshfs with a throwaway key on the DPU node, and the fast AEAD cipher users pick for
 * bulk transfers when the machine has it.
 */
public final class SshSetup {

    public static final int PORT = 22;
    public static final String USER = "root";

    /** AES-GCM runs on AES-NI: the usual advice for sshfs throughput. OpenSSH's own default is chacha20-poly1305. */
    static final String PREFERRED_CIPHER = "aes128-gcm@openssh.com";

    /** Keeps a dead link from hanging sshfs for long: 3 missed keep-alives 15 s apart. */
    static final String SERVER_ALIVE = "ServerAliveInterval=15,ServerAliveCountMax=3";

    private static final long KEYGEN_TIMEOUT_SECONDS = 30;

    private SshSetup() {}

    static Path hostKey(Path sshDir) {
        return sshDir.resolve("ssh_host_ed25519_key");
    }

    public static Path clientKey(Path sshDir) {
        return sshDir.resolve("client_ed25519_key");
    }

    public static Path sshdConfig(Path sshDir) {
        return sshDir.resolve("sshd_config");
    }

    /** Throwaway host and client keys, authorized_keys and sshd_config, all under {@code sshDir}. */
    public static void prepare(Path sshDir) {
        keygen(hostKey(sshDir), "offload-bench host key");
        keygen(clientKey(sshDir), "offload-bench client key");
        try {
            Path authorized = sshDir.resolve("authorized_keys");
            Files.copy(Path.of(clientKey(sshDir) + ".pub"), authorized);
            Files.writeString(sshdConfig(sshDir), sshdConfigText(sshDir, authorized), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sshd's files in " + sshDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Listening on the host node's address only. StrictModes is off because the files live under /tmp, which is
     * world-writable; sshd would refuse the key otherwise. INFO makes sshd print "Server listening", which is waited
     * for.
     */
    static String sshdConfigText(Path sshDir, Path authorizedKeys) {
        return """
                # offload-bench: a throwaway sshd on the host node, removed with it
                ListenAddress %s:%d
                HostKey %s
                AuthorizedKeysFile %s
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                PidFile none
                Subsystem sftp %s
                LogLevel INFO
                """.formatted(
                        Topology.HOST_ADDRESS, PORT, hostKey(sshDir), authorizedKeys, BenchTools.SFTP_SERVER.path());
    }

    /** {@link #PREFERRED_CIPHER} if this ssh offers it ({@code ssh -Q cipher}), else empty: ssh's default. */
    public static Optional<String> cipher() {
        try {
            Process query = new ProcessBuilder(BenchTools.SSH.path(), "-Q", "cipher")
                    .redirectErrorStream(true)
                    .start();
            String offered = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            query.waitFor(KEYGEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return offered.lines().anyMatch(PREFERRED_CIPHER::equals)
                    ? Optional.of(PREFERRED_CIPHER)
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * sshfs in the foreground (so its pid is the mount's, and SIGTERM unmounts it) with sshfs's default caching:
     * attributes and names 1 s in the kernel, its own directory cache 20 s, no kernel_cache (the page cache is dropped
     * at each open, as offload-fs does). {@code directIo} for /proc, whose files report size 0.
     */
    static List<String> sshfsCommand(
            BenchLayout layout, String remoteDir, Path mountpoint, Optional<String> cipher, boolean directIo) {
        List<String> options = new ArrayList<>(List.of(
                "IdentityFile=" + clientKey(layout.ssh()),
                "IdentitiesOnly=yes",
                "UserKnownHostsFile=/dev/null",
                "StrictHostKeyChecking=no",
                "BatchMode=yes",
                "LogLevel=ERROR",
                SERVER_ALIVE));
        cipher.ifPresent(c -> options.add("Ciphers=" + c));
        if (directIo) {
            options.add("direct_io");
        }
        return List.of(
                BenchTools.SSHFS.path(),
                "-f",
                "-F",
                "/dev/null",
                "-p",
                Integer.toString(PORT),
                "-o",
                String.join(",", options),
                USER + "@" + Topology.HOST_ADDRESS + ":" + remoteDir,
                mountpoint.toString());
    }

    private static void keygen(Path key, String comment) {
        try {
            Process keygen = new ProcessBuilder(
                            BenchTools.SSH_KEYGEN.path(),
                            "-q",
                            "-t",
                            "ed25519",
                            "-N",
                            "",
                            "-C",
                            comment,
                            "-f",
                            key.toString())
                    .redirectErrorStream(true)
                    .start();
            keygen.getOutputStream().close();
            String output = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keygen.waitFor(KEYGEN_TIMEOUT_SECONDS, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
                keygen.destroyForcibly();
                throw new IllegalStateException("ssh-keygen failed for " + key + ": " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run ssh-keygen: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating " + key, e);
        }
    }
}
