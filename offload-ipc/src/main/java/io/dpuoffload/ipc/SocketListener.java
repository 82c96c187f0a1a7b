package io.dpuoffload.ipc;

import io.dpuoffload.ipc.config.IpcConfig;
import io.dpuoffload.linux.Errno;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Metadata;
import io.dpuoffload.linux.UnixSockets;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A socket this side makes connectable for a forward: accepts on an event loop and hands each connection on. */
final class SocketListener implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(SocketListener.class);
    private static final int BACKLOG = 512;

    private final int fd;
    private final IpcConfig.Forward forward;
    private final BiConsumer<Integer, IpcConfig.Forward> accepted;
    private IoRegistration registration;

    private SocketListener(int fd, IpcConfig.Forward forward, BiConsumer<Integer, IpcConfig.Forward> accepted) {
        this.fd = fd;
        this.forward = forward;
        this.accepted = accepted;
    }

    /** Binds the forward's socket (replacing a stale socket file of ours) and starts accepting. */
    static SocketListener start(
            IoEventLoop loop, IpcConfig.Forward forward, BiConsumer<Integer, IpcConfig.Forward> accepted)
            throws ErrnoException {
        if (!forward.listen().isAbstract()) {
            Path path = Path.of(new String(forward.listen().bytes(), StandardCharsets.UTF_8));
            try {
                // A socket file left by an earlier run would make bind fail with EADDRINUSE.
                if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        && Files.readAttributes(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS)
                                        .get("mode")
                                instanceof Integer mode
                        && (mode & 0170000) == 0140000) {
                    Files.delete(path);
                }
            } catch (java.io.IOException e) {
                log.debug("could not clear {}: {}", path, e.getMessage());
            }
        }
        int fd = UnixSockets.socket(forward.socketType());
        try {
            // The mode set before bind is what bind gives the file (less the umask), so the socket
            // is never reachable by more than the configured mode, not even for a moment; chmod
            // afterwards gives back what the umask took.
            Metadata.fchmod(fd, forward.mode());
            UnixSockets.listen(fd, forward.listen(), BACKLOG);
            if (!forward.listen().isAbstract()) {
                Metadata.fchmodat(
                        Flags.AT_FDCWD,
                        new String(forward.listen().bytes(), StandardCharsets.UTF_8),
                        forward.mode(),
                        0);
            }
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(fd);
            throw e;
        }
        SocketListener listener = new SocketListener(fd, forward, accepted);
        loop.register(listener).addListener(registered -> {
            if (registered.isSuccess()) {
                listener.registration = (IoRegistration) registered.getNow();
                listener.registration.submit(EpollIoOps.EPOLLIN);
            } else {
                log.error(
                        "cannot accept on {}: {}",
                        forward.listen(),
                        registered.cause().toString());
            }
        });
        return listener;
    }

    @Override
    public FileDescriptor fd() {
        return new FileDescriptor(fd);
    }

    @Override
    public void handle(IoRegistration ignored, IoEvent event) {
        while (true) {
            int connection = UnixSockets.accept(fd);
            if (connection == -Errno.EAGAIN) {
                return;
            }
            if (connection < 0) {
                log.warn("accepting on {} failed: {}", forward.listen(), Errno.name(-connection));
                return;
            }
            accepted.accept(connection, forward);
        }
    }

    /** Stops accepting, closes the socket and removes its file. */
    void stop() {
        if (registration != null) {
            registration.cancel();
        }
        FileCalls.closeQuietly(fd);
        if (!forward.listen().isAbstract()) {
            try {
                Files.deleteIfExists(Path.of(new String(forward.listen().bytes(), StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                log.debug("could not remove {}: {}", forward.listen(), e.getMessage());
            }
        }
    }

    /** The loop lets go of the socket; {@link #stop} is what closes it. */
    @Override
    public void close() {}
}
