package io.dpuoffload.e2e.containerd;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import runtime.v1.Api;
import runtime.v1.ImageServiceGrpc;
import runtime.v1.RuntimeServiceGrpc;

/**
 * A CRI client, as kubelet is one: the {@code runtime.v1} RuntimeService and ImageService over a runtime's Unix
 * socket (containerd's gRPC socket, where its CRI plugin serves them), plaintext. Every call has a deadline, so a
 * runtime that stops answering fails the call instead of hanging the test.
 */
public final class CriClient implements AutoCloseable {

    /**
     * The deadline of each call. kubelet allows 2 minutes ({@code --runtime-request-timeout}); here the slowest call
     * (RunPodSandbox: a shim and the pause container started) takes about a second locally and a few offloaded, so a
     * minute is a runtime that will not answer.
     */
    public static final Duration CALL_DEADLINE = Duration.ofMinutes(1);
    /** Closing waits this long for calls in flight; there are none once a test is done with the client. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);
    /** One event-loop thread: the tests make one call at a time. */
    private static final int EVENT_LOOP_THREADS = 1;

    private final EventLoopGroup eventLoop;
    private final ManagedChannel channel;

    private CriClient(EventLoopGroup eventLoop, ManagedChannel channel) {
        this.eventLoop = eventLoop;
        this.channel = channel;
    }

    /** A client of the runtime whose socket is SOCKET; it connects at the first call. */
    public static CriClient connect(Path socket) {
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, EpollIoHandler.newFactory());
        ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(eventLoop)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                // A socket path is no host name; containerd's own clients say localhost.
                .overrideAuthority("localhost")
                // gRPC asks every transport for TCP keep-alive; a Unix socket has none (Netty warns per connection).
                .withOption(ChannelOption.SO_KEEPALIVE, null)
                .build();
        return new CriClient(eventLoop, channel);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return runtime(CALL_DEADLINE);
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(Duration deadline) {
        return RuntimeServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private ImageServiceGrpc.ImageServiceBlockingStub images() {
        return ImageServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Api.VersionResponse version() {
        return runtime()
                .version(Api.VersionRequest.newBuilder().setVersion("v1").build());
    }

    public Api.StatusResponse status() {
        return runtime().status(Api.StatusRequest.getDefaultInstance());
    }

    /** The image's status; {@code hasImage()} is false when the runtime does not have it. */
    public Api.ImageStatusResponse imageStatus(String image) {
        return images().imageStatus(Api.ImageStatusRequest.newBuilder()
                .setImage(Api.ImageSpec.newBuilder().setImage(image))
                .build());
    }

    /** Starts a pod sandbox; returns its id. */
    public String runPodSandbox(Api.PodSandboxConfig config) {
        return runtime()
                .runPodSandbox(
                        Api.RunPodSandboxRequest.newBuilder().setConfig(config).build())
                .getPodSandboxId();
    }

    /** VERBOSE adds the runtime's own details in {@code info} (containerd: JSON under "info", with the pid). */
    public Api.PodSandboxStatusResponse podSandboxStatus(String sandboxId, boolean verbose) {
        return runtime()
                .podSandboxStatus(Api.PodSandboxStatusRequest.newBuilder()
                        .setPodSandboxId(sandboxId)
                        .setVerbose(verbose)
                        .build());
    }

    public void stopPodSandbox(String sandboxId) {
        runtime()
                .stopPodSandbox(Api.StopPodSandboxRequest.newBuilder()
                        .setPodSandboxId(sandboxId)
                        .build());
    }

    public void removePodSandbox(String sandboxId) {
        runtime()
                .removePodSandbox(Api.RemovePodSandboxRequest.newBuilder()
                        .setPodSandboxId(sandboxId)
                        .build());
    }

    public List<Api.PodSandbox> listPodSandbox() {
        return runtime()
                .listPodSandbox(Api.ListPodSandboxRequest.getDefaultInstance())
                .getItemsList();
    }

    /** Creates a container in the sandbox (whose config the runtime is given again, as kubelet does); its id. */
    public String createContainer(String sandboxId, Api.ContainerConfig config, Api.PodSandboxConfig sandboxConfig) {
        return runtime()
                .createContainer(Api.CreateContainerRequest.newBuilder()
                        .setPodSandboxId(sandboxId)
                        .setConfig(config)
                        .setSandboxConfig(sandboxConfig)
                        .build())
                .getContainerId();
    }

    public void startContainer(String containerId) {
        runtime()
                .startContainer(Api.StartContainerRequest.newBuilder()
                        .setContainerId(containerId)
                        .build());
    }

    /** VERBOSE adds the runtime's own details in {@code info} (containerd: JSON under "info", with the pid). */
    public Api.ContainerStatusResponse containerStatus(String containerId, boolean verbose) {
        return runtime()
                .containerStatus(Api.ContainerStatusRequest.newBuilder()
                        .setContainerId(containerId)
                        .setVerbose(verbose)
                        .build());
    }

    /** Runs CMD in the container to its end (no streaming server): the runtime kills it after TIMEOUT. */
    public Api.ExecSyncResponse execSync(String containerId, List<String> cmd, Duration timeout) {
        // The call outlives the command by the runtime's own time to start and reap it.
        return runtime(CALL_DEADLINE.plus(timeout))
                .execSync(Api.ExecSyncRequest.newBuilder()
                        .setContainerId(containerId)
                        .addAllCmd(cmd)
                        .setTimeout(timeout.toSeconds())
                        .build());
    }

    /** SIGTERM (the image's stop signal), then SIGKILL after GRACE. */
    public void stopContainer(String containerId, Duration grace) {
        runtime(CALL_DEADLINE.plus(grace))
                .stopContainer(Api.StopContainerRequest.newBuilder()
                        .setContainerId(containerId)
                        .setTimeout(grace.toSeconds())
                        .build());
    }

    public void removeContainer(String containerId) {
        runtime()
                .removeContainer(Api.RemoveContainerRequest.newBuilder()
                        .setContainerId(containerId)
                        .build());
    }

    public List<Api.Container> listContainers() {
        return runtime()
                .listContainers(Api.ListContainersRequest.getDefaultInstance())
                .getContainersList();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            channel.shutdown();
            if (!channel.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                channel.shutdownNow().awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            eventLoop
                    .shutdownGracefully(0, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)
                    .await(CLOSE_GRACE.toMillis());
        }
    }
}
