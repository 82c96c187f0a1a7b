package io.dpuoffload.agent.dpu;

import io.dpuoffload.exec.console.ConsoleRelay;
import io.dpuoffload.exec.gateway.HostPids;
import io.dpuoffload.exec.wire.ExecWire;
import io.dpuoffload.linux.ErrnoException;
import io.dpuoffload.linux.FileCalls;
import io.dpuoffload.linux.Flags;
import io.dpuoffload.linux.Mounts;
import io.dpuoffload.linux.Terminals;
import io.dpuoffload.transport.OffloadClient;
import io.dpuoffload.transport.mux.ByteStream;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code virsh console} from the DPU: the VMs' serial consoles, which are ptys of QEMU's on the host
 * ({@code /dev/pts/N} in libvirt's domain status), mirrored as ptys of the same numbers in the
 * offload root. libvirtd opens the path QEMU told it, {@code /dev/pts/N}; in the root that is a pty
 * of a devpts instance of the root's own, made here with that number, whose other end is relayed to
 * the host's pty ({@link ConsoleRelay}, {@link ExecWire#CONSOLE}). Two machines never share a
 * devpts, so without this libvirtd would open the DPU's own terminal N, or none.
 *
 * <p>Which ptys: those in the status files libvirtd keeps for its running domains ({@code
 * /run/libvirt/qemu/NAME.xml}), looked at twice a second; a mirror goes when its domain's status
 * does. libvirtd may open a console as soon as a start returns ({@code virsh start --console}),
 * before a look has found it; so the root's ptys are made ahead, every number up to {@link
 * #AHEAD} past the highest in use: what is typed at one before its mirror starts waits in it, and
 * nothing fails. The agent keeps each pty's slave open itself, so that its master never reads "no
 * one there", and drops what QEMU prints while no console is open once the pty's buffer is full, as
 * QEMU does with nobody connected.
 */
final class ConsoleMirrors implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleMirrors.class);
    private static final Pattern PTY = Pattern.compile("<source path='/dev/pts/(\\d+)'/>");
    private static final long SCAN_MILLIS = 500;
    /** How long opening a console waits for the channel, which the scan saw up a moment ago. */
    private static final java.time.Duration CONNECTION_WAIT = java.time.Duration.ofSeconds(5);
    /** Ptys made ahead of the highest number in use. */
    private static final int AHEAD = 32;
    /** The most ptys made in the root. */
    private static final int MOST = 4096;

    private final Path devPts;
    private final Path statusDirectory;
    private final Supplier<HostPids> hostPids;
    private final OffloadClient channel;
    private final Map<Integer, Mirror> mirrors = new ConcurrentHashMap<>();
    /** Ptys made and not mirrored yet, by number: each its master and the slave we keep open. */
    private final Map<Integer, int[]> ahead = new ConcurrentHashMap<>();

    private final Thread scanner;

    /**
     * Each domain status file's ptys, as of its modification time and size: a scan reads again only
     * the files that changed (a host with dozens of VMs would otherwise parse all their status twice
     * a second). On the scanner's thread only.
     */
    private final Map<Path, StatusPtys> statusPtys = new HashMap<>();

    private record StatusPtys(java.nio.file.attribute.FileTime modified, long size, List<Integer> ptys) {}

    private volatile boolean closed;

    private record Mirror(int hostPid, int slave, ConsoleRelay relay) {}

    private ConsoleMirrors(Path root, Path runDirectory, Supplier<HostPids> hostPids, OffloadClient channel) {
        this.devPts = root.resolve("dev/pts");
        this.statusDirectory = runDirectory.resolve("libvirt/qemu");
        this.hostPids = hostPids;
        this.channel = channel;
        this.scanner = Thread.ofPlatform().daemon().name("console-mirrors").unstarted(this::scanEverySecond);
    }

    /**
     * Mounts the root's own devpts over its {@code /dev/pts} (its {@code /dev/ptmx} the instance's)
     * and starts mirroring.
     *
     * @param runDirectory the root's {@code /run}, where libvirtd keeps its domains' status
     */
    static ConsoleMirrors start(Path root, Path runDirectory, Supplier<HostPids> hostPids, OffloadClient channel)
            throws ErrnoException {
        ConsoleMirrors mirrors = new ConsoleMirrors(root, runDirectory, hostPids, channel);
        String pts = mirrors.devPts.toString();
        Mounts.mount(
                "devpts", pts, "devpts", Mounts.MS_NOSUID | Mounts.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
        try {
            Mounts.mount(pts + "/ptmx", root.resolve("dev/ptmx").toString(), null, Mounts.MS_BIND, null);
        } catch (ErrnoException e) {
            Mounts.umount2(pts, Mounts.MNT_DETACH);
            throw e;
        }
        mirrors.makeAheadOf(-1);
        mirrors.scanner.start();
        return mirrors;
    }

    private void scanEverySecond() {
        while (!closed) {
            try {
                scan();
                Thread.sleep(SCAN_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("console mirrors: {}", e.toString());
            }
        }
    }

    /** The ptys the running domains' status names, each with its QEMU's host pid. */
    private Map<Integer, Integer> wanted() {
        Map<Integer, Integer> wanted = new HashMap<>();
        try (var files = Files.list(statusDirectory)) {
            for (Path status : files.filter(f -> f.toString().endsWith(".xml")).toList()) {
                String name = status.getFileName().toString().replaceFirst("\\.xml$", "");
                int hostPid = hostPid(statusDirectory.resolve(name + ".pid"));
                if (hostPid <= 0) {
                    continue;
                }
                for (int pty : ptysOf(status)) {
                    wanted.put(pty, hostPid);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no domain has run yet (no directory), or one went while we looked: the next scan sees
        }
        statusPtys.keySet().removeIf(status -> !Files.exists(status));
        return wanted;
    }

    /** The ptys {@code status} names, read again only when it changed since the last scan. */
    private List<Integer> ptysOf(Path status) throws IOException {
        var attributes = Files.readAttributes(status, java.nio.file.attribute.BasicFileAttributes.class);
        StatusPtys known = statusPtys.get(status);
        if (known != null
                && known.modified().equals(attributes.lastModifiedTime())
                && known.size() == attributes.size()) {
            return known.ptys();
        }
        List<Integer> ptys = new java.util.ArrayList<>();
        Matcher pty = PTY.matcher(Files.readString(status));
        while (pty.find()) {
            ptys.add(Integer.parseInt(pty.group(1)));
        }
        statusPtys.put(status, new StatusPtys(attributes.lastModifiedTime(), attributes.size(), List.copyOf(ptys)));
        return ptys;
    }

    /** The host pid of the program whose stand-in's pid is in {@code pidFile}; 0 if none (yet). */
    private int hostPid(Path pidFile) {
        try {
            int standIn = Integer.parseInt(Files.readString(pidFile).strip());
            HostPids pids = hostPids.get();
            return pids == null ? 0 : pids.programOf(standIn);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private void scan() {
        Map<Integer, Integer> wanted = wanted();
        mirrors.forEach((index, mirror) -> {
            if (!Integer.valueOf(mirror.hostPid()).equals(wanted.get(index))) {
                log.debug("console pts/{}: its domain's status names it no more", index);
                mirror.relay().close(); // its domain stopped: the relay's end removes it
            }
        });
        if (!channel.isConnected()) {
            return;
        }
        wanted.forEach((index, hostPid) -> {
            if (!mirrors.containsKey(index)) {
                open(index, hostPid);
            }
        });
    }

    /** Makes every pty up to {@link #AHEAD} past {@code highest} that is neither made nor mirrored. */
    private synchronized void makeAheadOf(int highest) {
        for (int index = 0; index <= Math.min(highest + AHEAD, MOST - 1); index++) {
            if (!ahead.containsKey(index) && !mirrors.containsKey(index)) {
                try {
                    ahead.put(index, make(index));
                } catch (ErrnoException e) {
                    log.debug("console pts/{}: not made ahead: {}", index, e.getMessage()); // in use otherwise
                }
            }
        }
    }

    /** Pty {@code index} of the root's devpts, raw: its master, and its slave, which we keep open. */
    private int[] make(int index) throws ErrnoException {
        Terminals.Pty pty = Terminals.openNumbered(devPts.toString(), index);
        try {
            int slave = FileCalls.openat(
                    Flags.AT_FDCWD,
                    devPts.resolve(Integer.toString(index)).toString(),
                    Flags.O_RDWR | Flags.O_NOCTTY | Flags.O_CLOEXEC,
                    0);
            return new int[] {pty.master(), slave};
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(pty.master());
            throw e;
        }
    }

    private void open(int index, int hostPid) {
        String description = "console pts/" + index + " (host pid " + hostPid + ")";
        int[] made;
        synchronized (this) {
            made = ahead.remove(index);
        }
        if (made == null) {
            try {
                made = make(index);
            } catch (ErrnoException e) {
                log.warn("{}: cannot make its pty in the root: {}", description, e.getMessage());
                return;
            }
        }
        int master = made[0];
        int slave = made[1];
        ByteStream stream;
        try {
            stream = channel.connection(CONNECTION_WAIT)
                    .openStream(
                            ExecWire.CONSOLE,
                            ByteBufAllocator.DEFAULT.buffer(8).writeInt(hostPid).writeInt(index));
        } catch (RuntimeException e) { // the channel went since the scan looked: the pty waits for the next
            synchronized (this) {
                ahead.put(index, made);
            }
            log.debug("{}: no channel to the host now: {}", description, e.toString());
            return;
        }
        Mirror[] mirror = new Mirror[1];
        try {
            ConsoleRelay relay = ConsoleRelay.start(master, stream, true, description, () -> {
                FileCalls.closeQuietly(slave);
                mirrors.remove(index, mirror[0]);
                log.info("{}: mirror ended", description);
                if (!closed) {
                    makeAheadOf(index - AHEAD); // this number again, ready for its next VM
                }
            });
            mirror[0] = new Mirror(hostPid, slave, relay);
            mirrors.put(index, mirror[0]);
            if (relay.hasEnded()) {
                mirrors.remove(index, mirror[0]); // it ended before it was recorded: the next scan tries again
                return;
            }
            log.info("{}: mirrored in the root", description);
            makeAheadOf(index);
        } catch (ErrnoException e) {
            FileCalls.closeQuietly(slave);
            log.warn("{}: cannot relay it: {}", description, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        scanner.interrupt();
        mirrors.values().forEach(mirror -> mirror.relay().close());
        synchronized (this) {
            ahead.values().forEach(fds -> {
                FileCalls.closeQuietly(fds[0]);
                FileCalls.closeQuietly(fds[1]);
            });
            ahead.clear();
        }
        for (String target : new String[] {devPts.getParent().resolve("ptmx").toString(), devPts.toString()}) {
            try {
                Mounts.umount2(target, Mounts.MNT_DETACH);
            } catch (ErrnoException e) {
                log.warn("cannot unmount {}: {}", target, e.getMessage());
            }
        }
    }
}
