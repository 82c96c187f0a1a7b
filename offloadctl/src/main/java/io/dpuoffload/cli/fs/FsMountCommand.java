package io.dpuoffload.cli.fs;

import io.dpuoffload.cli.ExitCodes;
import io.dpuoffload.cli.StopSignal;
import io.dpuoffload.fs.client.FsMount;
import io.dpuoffload.fs.client.FsMountOptions;
import io.dpuoffload.fs.client.MountReporter;
import io.dpuoffload.fs.wire.FsFeature;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.tls.ReloadingTlsContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code offloadctl fs mount}: mounts a host export on this DPU and serves it until SIGTERM, Ctrl-C
 * or {@code fs umount}; then unmounts cleanly.
 */
@Command(
        name = "mount",
        mixinStandardHelpOptions = true,
        description = {
            "Mount an export of a host (DPU side) and serve it in the foreground.",
            "",
            "Prints 'MOUNTED <mountpoint>' once the mount answers. SIGTERM, Ctrl-C or",
            "`offloadctl fs umount MOUNTPOINT` unmount it cleanly."
        })
final class FsMountCommand implements Callable<Integer> {

    @Option(
            names = "--server",
            paramLabel = "ENDPOINT",
            required = true,
            description = "The host's offload-fs endpoint, e.g. tcp://198.51.100.1:7100 or unix:/PATH.")
    String server;

    @Option(names = "--export", paramLabel = "NAME", required = true, description = "The export to mount.")
    String export;

    @Option(
            names = "--node",
            paramLabel = "NAME",
            required = true,
            description = "This DPU's node name: its certificate and key are DIR/NAME.crt and DIR/NAME.key.")
    String node;

    @Option(
            names = "--pki",
            paramLabel = "DIR",
            description = "Directory with ca.crt, NAME.crt, NAME.key (default "
                    + "/etc/dpu-offload/pki; unix: endpoints run without TLS unless it is given).")
    Path pki;

    @Option(
            names = "--expect-peer",
            paramLabel = "NAME",
            description = "Mount only from the host whose certificate " + "names NAME.")
    String expectPeer;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description =
                    "How long a file "
                            + "operation waits for the host (reconnects included) before it fails with EIO (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(
            names = "--local-proc",
            paramLabel = "DIR",
            defaultValue = "/local_proc",
            description = "Where this "
                    + "DPU's own proc is mounted, for exports served as a /proc view (default: ${DEFAULT-VALUE}).")
    Path localProc;

    @Parameters(paramLabel = "MOUNTPOINT", description = "An existing directory to mount the export on.")
    Path mountpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(server);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
        }
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new ParameterException(spec.commandLine(), "--timeout must be 1 to 3600 seconds");
        }
        if (!java.nio.file.Files.isDirectory(mountpoint)) {
            throw new ParameterException(spec.commandLine(), "MOUNTPOINT " + mountpoint + " is not a directory");
        }
        var transport = TransportConfig.builder(node).features(Set.of(FsFeature.FILESYSTEM));
        if (!(endpoint instanceof Endpoint.Unix) || pki != null) {
            Path dir = pki != null ? pki : TlsFiles.DEFAULT_DIRECTORY;
            transport.tlsSource(ReloadingTlsContext.forClient(TlsFiles.inDirectory(dir, node)));
        }
        if (expectPeer != null) {
            transport.expectPeer(expectPeer);
        }
        Path where = mountpoint.toAbsolutePath().normalize();
        var options = FsMountOptions.defaults()
                .withOpTimeout(Duration.ofSeconds(timeoutSeconds))
                .withLocalProc(localProc);
        StopSignal stop = new StopSignal(Duration.ofSeconds(10));
        try (FsMount mount = FsMount.mount(endpoint, transport.build(), export, where, options);
                MountReporter reporter = MountReporter.start(mount, endpoint.toString(), MountReporter.FS_MOUNT)) {
            mount.onGone(stop::request);
            spec.commandLine().getOut().println("MOUNTED " + where);
            spec.commandLine().getOut().flush();
            stop.await();
        } finally {
            stop.done();
        }
        return ExitCodes.OK;
    }
}
