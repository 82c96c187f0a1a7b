package io.dpuoffload.e2e.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpuoffload.cli.demo.OciImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import runtime.v1.Api;

/**
 * What kubelet asks of a runtime for a host-network pod with one container, in kubelet's order, each answer checked:
 * the runtime ready, the images present (never pulled), a pod sandbox started, a container created and started whose
 * output reaches its CRI log, a command run in it, then all of it stopped and removed. Runs against any containerd
 * with CRI on; where the runtime's files are read (the log) is the caller's {@link LogReader}.
 */
public final class CriFlow {

    /** Reads a file as the runtime sees it (its path in the runtime's mount namespace or root). */
    @FunctionalInterface
    public interface LogReader {
        /** The file's text, or "" while it does not exist yet. */
        String read(Path path) throws IOException;

        /** The runtime's files are this machine's, at the same paths. */
        LogReader LOCAL = path -> Files.exists(path) ? Files.readString(path) : "";
    }

    /** Checks a caller makes while the container runs (e.g. on which side of the offload its process is). */
    @FunctionalInterface
    public interface WhileRunning {
        void check(Running running) throws Exception;
    }

    /**
     * The pod and its container while they run; pids as the runtime reports them (in its shim's PID namespace). The
     * sandbox's process is the pause ({@code /bin/sleep infinity}), the container's {@link #CONTAINER_PROCESS}.
     */
    public record Running(String sandboxId, long sandboxPid, String containerId, long containerPid) {}

    /** What the flow saw, for the caller to report or check further. */
    public record Facts(String runtimeVersion, Running running, String logLine, Api.ExecSyncResponse exec) {}

    public static final String LINE = "hello-from-cri";
    /** The container's command: a line on stdout, then a wait long past any test's end. */
    static final List<String> COMMAND = List.of("sh", "-c", "echo " + LINE + "; sleep 3600");
    /** What the container's process runs once it has written its line (busybox's sh execs its last command). */
    public static final String CONTAINER_PROCESS = "sleep 3600";
    /** A command that writes on both streams and fails: ExecSync must keep them apart and give the code. */
    static final List<String> EXEC = List.of("sh", "-c", "echo out; echo err >&2; exit 3");

    static final int EXEC_EXIT_CODE = 3;
    /** busybox's echo takes milliseconds; the runtime kills the exec after this. */
    static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);
    /** sh is not the pod's PID 1 (the pause is), so it dies of SIGTERM at once; SIGKILL after this otherwise. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** containerd copies the container's stdout to the log as it comes; seconds would be a lost line. */
    static final Duration LOG_WAIT = Duration.ofSeconds(20);

    /** CRI's log format: an RFC 3339 time, the stream, F for a full line (P for a part), the text. */
    private static final Pattern CRI_LOG_LINE = Pattern.compile("^\\S+ stdout F " + LINE + "$", Pattern.MULTILINE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CriClient cri;
    private final Path logDirectory;
    private final LogReader logs;

    /** LOG_DIRECTORY: the pod's log directory as the runtime sees it, where it writes the container's log. */
    public CriFlow(CriClient cri, Path logDirectory, LogReader logs) {
        this.cri = cri;
        this.logDirectory = logDirectory;
        this.logs = logs;
    }

    /** The whole flow; WHILE_RUNNING is called once the container runs and its log and exec are checked. */
    public Facts run(WhileRunning whileRunning) throws Exception {
        boolean done = false;
        try {
            Facts facts = runChecked(whileRunning);
            done = true;
            return facts;
        } finally {
            if (!done) {
                removeEverything();
            }
        }
    }

    private Facts runChecked(WhileRunning whileRunning) throws Exception {
        Api.VersionResponse version = cri.version();
        assertThat(version.getRuntimeName()).as("runtime").isEqualTo("containerd");
        assertThat(version.getRuntimeApiVersion()).as("CRI version").isEqualTo("v1");
        assertThat(cri.status().getStatus().getConditionsList())
                .as("runtime conditions (NetworkReady may be false: host-network pods need no CNI)")
                .anySatisfy(condition -> {
                    assertThat(condition.getType()).isEqualTo("RuntimeReady");
                    assertThat(condition.getStatus()).isTrue();
                });
        for (OciImage image : List.of(OciImage.PAUSE, OciImage.BUSYBOX)) {
            assertThat(cri.imageStatus(image.name()).getImage().getRepoTagsList())
                    .as("CRI's view of the imported " + image.name() + " (never pulled)")
                    .contains(image.name());
        }

        Api.PodSandboxConfig pod = podConfig();
        String sandboxId = cri.runPodSandbox(pod);
        Api.PodSandboxStatusResponse sandbox = cri.podSandboxStatus(sandboxId, true);
        assertThat(sandbox.getStatus().getState()).as("sandbox").isEqualTo(Api.PodSandboxState.SANDBOX_READY);
        long sandboxPid = pidIn(sandbox.getInfoMap().get("info"));

        Api.ContainerConfig container = containerConfig();
        String containerId = cri.createContainer(sandboxId, container, pod);
        cri.startContainer(containerId);
        Api.ContainerStatusResponse status = cri.containerStatus(containerId, true);
        assertThat(status.getStatus().getState()).as("container").isEqualTo(Api.ContainerState.CONTAINER_RUNNING);
        Running running = new Running(
                sandboxId, sandboxPid, containerId, pidIn(status.getInfoMap().get("info")));

        Path log = logDirectory.resolve(container.getLogPath());
        assertThat(status.getStatus().getLogPath()).as("log path").isEqualTo(log.toString());
        await("the container's line in " + log)
                .atMost(LOG_WAIT)
                .until(() -> CRI_LOG_LINE.matcher(logs.read(log)).find());
        String logLine = firstMatch(logs.read(log));

        Api.ExecSyncResponse exec = cri.execSync(containerId, EXEC, EXEC_TIMEOUT);
        assertThat(exec.getStdout().toStringUtf8()).as("exec stdout").isEqualTo("out\n");
        assertThat(exec.getStderr().toStringUtf8()).as("exec stderr").isEqualTo("err\n");
        assertThat(exec.getExitCode()).as("exec exit code").isEqualTo(EXEC_EXIT_CODE);

        whileRunning.check(running);

        cri.stopContainer(containerId, STOP_GRACE);
        assertThat(cri.containerStatus(containerId, false).getStatus().getState())
                .as("container after StopContainer")
                .isEqualTo(Api.ContainerState.CONTAINER_EXITED);
        cri.removeContainer(containerId);
        cri.stopPodSandbox(sandboxId);
        assertThat(cri.podSandboxStatus(sandboxId, false).getStatus().getState())
                .as("sandbox after StopPodSandbox")
                .isEqualTo(Api.PodSandboxState.SANDBOX_NOTREADY);
        cri.removePodSandbox(sandboxId);
        assertThat(cri.listPodSandbox()).as("sandboxes left").isEmpty();
        assertThat(cri.listContainers()).as("containers left").isEmpty();
        return new Facts(version.getRuntimeVersion(), running, logLine, exec);
    }

    /**
     * After a failure: every sandbox stopped (which kills its containers) and removed, so that no shim, pause or
     * container process outlives the test. Best effort; the first failure is the one that counts.
     */
    public void removeEverything() {
        try {
            for (Api.PodSandbox sandbox : cri.listPodSandbox()) {
                cri.stopPodSandbox(sandbox.getId());
                cri.removePodSandbox(sandbox.getId());
            }
        } catch (RuntimeException e) {
            System.err.println("CRI clean-up after a failure failed too: " + e);
        }
    }

    /** Host network, IPC and UTS, as kubelet asks for a hostNetwork and hostIPC pod; its own PID namespace. */
    private static Api.NamespaceOption namespaces() {
        return Api.NamespaceOption.newBuilder()
                .setNetwork(Api.NamespaceMode.NODE)
                .setIpc(Api.NamespaceMode.NODE)
                .setPid(Api.NamespaceMode.POD)
                .build();
    }

    private Api.PodSandboxConfig podConfig() {
        String uid = UUID.randomUUID().toString();
        return Api.PodSandboxConfig.newBuilder()
                .setMetadata(Api.PodSandboxMetadata.newBuilder()
                        .setName("cri-flow-" + uid.substring(0, 8))
                        .setNamespace("dpuo")
                        .setUid(uid))
                .setLogDirectory(logDirectory.toString())
                .setLinux(Api.LinuxPodSandboxConfig.newBuilder()
                        .setSecurityContext(
                                Api.LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces())))
                .build();
    }

    private static Api.ContainerConfig containerConfig() {
        return Api.ContainerConfig.newBuilder()
                .setMetadata(Api.ContainerMetadata.newBuilder().setName("busybox"))
                .setImage(Api.ImageSpec.newBuilder().setImage(OciImage.BUSYBOX.name()))
                .addAllCommand(COMMAND)
                // kubelet's layout: <container name>/<restart count>.log under the pod's directory.
                .setLogPath("busybox/0.log")
                .setLinux(Api.LinuxContainerConfig.newBuilder()
                        .setSecurityContext(
                                Api.LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(namespaces())))
                .build();
    }

    /** containerd's verbose status: {@code info} holds JSON with the process's pid. */
    private static long pidIn(String info) throws IOException {
        assertThat(info).as("verbose status info").isNotNull();
        long pid = JSON.readTree(info).path("pid").asLong();
        assertThat(pid).as("pid in " + info).isPositive();
        return pid;
    }

    private static String firstMatch(String text) {
        var matcher = CRI_LOG_LINE.matcher(text);
        assertThat(matcher.find()).as("CRI log line in:\n" + text).isTrue();
        return matcher.group();
    }
}
