package io.dpuoffload.fs.client;

import io.dpuoffload.fs.fuse.FuseInitOptions;
import io.dpuoffload.fs.fuse.FuseProtocol;
import io.dpuoffload.fs.wire.ExportPolicy;
import io.dpuoffload.fs.wire.FsWire;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.FuseDevice;
import io.dpuoffload.linux.Mounts;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.TransportConfig;
import io.dpuoffload.transport.net.Endpoint;
import io.dpuoffload.transport.net.EventLoops;
import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One export of a host, mounted on the DPU. {@link #close()} unmounts (lazily, so a busy mount
 * point never blocks it) and releases the device.
 */
public final class FsMount implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FsMount.class);

    /** Readdirplus makes the host look up every entry of a listing; plain readdir is enough for now. */
    private static final long INIT_FLAGS =
            FuseInitOptions.DEFAULT_FLAGS & ~(FuseProtocol.DO_READDIRPLUS | FuseProtocol.READDIRPLUS_AUTO);

    /**
     * For exports whose attributes the DPU caches: the DPU's kernel checks permissions itself, against
     * the attributes and ACLs it has (POSIX_ACL turns on default_permissions, and makes the kernel
     * read ACLs with GETXATTR and count them). The host alone cannot: the kernel opens an exact fifo
     * without asking it, and with cached entries it acts on a child by node id without walking (and
     * searching) the parents again. On exports without caching every check would cost a GETATTR, as
     * attributes there expire at once; those serve /proc, /sys and cgroups, which have no fifos, and
     * revalidate every name with a LOOKUP as the caller, so the host's checks stand there alone.
     */
    private static final long KERNEL_CHECKS = FuseProtocol.POSIX_ACL;

    private final String export;
    private final Path mountpoint;
    private final OffloadClient client;
    private final HostLink host;
    private final int deviceFd;
    private final FuseSession session;
    private final KernelNotices notices;
    private boolean closed;

    private FsMount(
            String export,
            Path mountpoint,
            OffloadClient client,
            HostLink host,
            int deviceFd,
            FuseSession session,
            KernelNotices notices) {
        this.notices = notices;
        this.export = export;
        this.mountpoint = mountpoint;
        this.client = client;
        this.host = host;
        this.deviceFd = deviceFd;
        this.session = session;
    }

    /** Connects to the host, attaches the export and mounts it at {@code mountpoint}. */
    public static FsMount mount(
            Endpoint server, TransportConfig transport, String export, Path mountpoint, FsMountOptions options)
            throws IOException {
        HostLink host = new HostLink(export, options.opTimeout());
        var sessionRef = new java.util.concurrent.atomic.AtomicReference<FuseSession>();
        KernelNotices kernelNotices = new KernelNotices(
                export,
                message -> {
                    FuseSession live = sessionRef.get();
                    if (live != null) {
                        live.notifyKernel(message);
                    }
                },
                node -> {
                    FuseSession live = sessionRef.get();
                    if (live != null) {
                        live.hostChanged(node);
                    }
                });
        // On the event loop, in order with the host's replies: see KernelNotices.
        var notices = io.dpuoffload.transport.Services.builder().onRequestAsync(FsWire.NOTIFY, (context, body) -> {
            body.readInt(); // the session: this connection serves one mount
            kernelNotices.deliver(body.nioBuffer());
            return java.util.concurrent.CompletableFuture.completedFuture(io.netty.buffer.Unpooled.EMPTY_BUFFER);
        });
        // The channel and the FUSE device share one event loop: see DeviceReader.
        IoEventLoop loop = (IoEventLoop) EventLoops.shared().next();
        OffloadClient client = OffloadClient.start(
                server,
                transport.toBuilder().services(notices.build()).eventLoops(loop).build(),
                connection -> {
                    host.onConnected(connection);
                    Thread.ofVirtual().name("mount-connected").start(options.onConnected());
                });
        int fd = -1;
        try {
            host.use(client);
            ExportPolicy policy = host.attach();
            fd = FuseDevice.open();
            long initFlags = INIT_FLAGS | (policy.cached() ? KERNEL_CHECKS : 0);
            FuseSession session = new FuseSession(
                    fd,
                    host,
                    options,
                    FuseInitOptions.defaults().withFlags(initFlags),
                    policy.procView(),
                    policy.cached() ? new KeptAnswers(java.time.Duration.ofMillis(policy.ttlMillis())) : null);
            sessionRef.set(session);
            host.onReattached(session::reattached);
            long flags = Mounts.MS_NOSUID | Mounts.MS_NODEV | (policy.readOnly() ? Mounts.MS_RDONLY : 0);
            FuseDevice.mount(
                    "offload-fs:" + export,
                    mountpoint.toString(),
                    "offload-fs",
                    flags,
                    FuseDevice.mountOptions(fd, 0, 0, true, "max_read=" + FuseInitOptions.DEFAULT_MAX_WRITE));
            // Reading /dev/fuse before the mount exists fails with EPERM; INIT waits for us meanwhile.
            session.start(loop);
            session.initialized().get(options.opTimeout().toMillis(), TimeUnit.MILLISECONDS);
            Readahead.raise(mountpoint);
            log.info("mounted export {} of {} at {} (session {})", export, server, mountpoint, policy.session());
            return new FsMount(export, mountpoint, client, host, fd, session, kernelNotices);
        } catch (Exception e) {
            client.close();
            kernelNotices.close();
            if (fd >= 0) {
                try {
                    Mounts.umount2(mountpoint.toString(), Mounts.MNT_DETACH);
                } catch (ErrnoException ignored) {
                    // not mounted yet
                }
                FileCalls.closeQuietly(fd);
            }
            throw e instanceof IOException io
                    ? io
                    : new IOException("cannot mount export " + export + " at " + mountpoint + ": " + e.getMessage(), e);
        }
    }

    public String export() {
        return export;
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public boolean connected() {
        return host.connected();
    }

    /** Tries to reconnect now, not at the end of its backoff: the host is known to be back. */
    public void reconnectNow() {
        client.reconnectNow();
    }

    public long forwarded() {
        return session.forwarded.sum();
    }

    /** Operations sent to the host as notices (releases and forgets): run there, not answered. */
    public long noticed() {
        return session.noticed.sum();
    }

    public long failed() {
        return session.failed.sum();
    }

    /** Runs {@code action} once the kernel ends the mount (e.g. `umount` from outside). */
    public void onGone(Runnable action) {
        session.whenStopped(action);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Mounts.umount2(mountpoint.toString(), Mounts.MNT_DETACH);
        } catch (ErrnoException e) {
            log.warn("unmounting {} failed: {}", mountpoint, e.getMessage());
        }
        notices.close();
        session.stop();
        FileCalls.closeQuietly(deviceFd);
        client.close();
        log.info("unmounted {}", mountpoint);
    }
}
