package io.dpuoffload.transport.tls;

import io.dpuoffload.pki.TlsFileException;
import io.dpuoffload.pki.TlsFiles;
import io.dpuoffload.pki.TlsMaterial;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS context that follows a node's certificate files, so a renewed certificate (or a new CA
 * bundle) is used without restarting anything: new connections get the new context, established
 * ones keep theirs and are never dropped.
 *
 * <p>Each new connection asks for the {@link #current()} context. At most once per check interval
 * that also starts a check in the background (never on the event loop that asked): the files'
 * content is compared with what was loaded, and if it changed the files are loaded, checked as at
 * start ({@link TlsFiles#load()}) and a new context is built. The connection that started the check
 * still gets the old context; the ones after it get the new.
 *
 * <p>Content, not modification times, decides: Kubernetes updates a mounted Secret by pointing the
 * {@code ..data} symlink at a new directory, which leaves the files' own links and times alone.
 *
 * <p>Files that do not load (half written, a key from another issue, a certificate from a CA not in
 * the bundle) leave the current context in use and are logged once as a warning that names the file
 * and the problem; the next check tries again, so a swap that completes later is picked up.
 */
public final class ReloadingTlsContext implements TlsContextSource {
    private static final Logger log = LoggerFactory.getLogger(ReloadingTlsContext.class);

    /**
     * Ten seconds: the kubelet takes up to about a minute to update a mounted Secret, and the
     * operator renews weeks before expiry, so a check this often adds no meaningful delay, while it
     * costs three small reads (tmpfs) per ten seconds, and only while connections are being made.
     */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(10);

    /**
     * A certificate, key or CA bundle is a few KB; reading more of a file than this only tells that it
     * is the wrong file, which {@link TlsFiles#load()} then reports.
     */
    private static final int MAX_FILE_BYTES = 1024 * 1024;

    /** Which end of the channel the context is for. */
    public enum Side {
        SERVER,
        CLIENT
    }

    private record Loaded(SslContext context, TlsMaterial material, byte[] fingerprint) {}

    private final TlsFiles files;
    private final Side side;
    private final long checkIntervalNanos;
    private final LongSupplier nanoClock;
    private final Executor checker;
    private final AtomicBoolean checking = new AtomicBoolean();
    private volatile Loaded loaded;
    private volatile long lastCheckNanos;
    private String lastProblem;

    /**
     * Loads the files once, now: what is wrong with them at start is an error (as without
     * reloading), not a warning.
     *
     * @throws TlsFileException if a file is missing or unusable
     */
    ReloadingTlsContext(TlsFiles files, Side side, Duration checkInterval, LongSupplier nanoClock, Executor checker) {
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("the check interval must be positive, but is " + checkInterval);
        }
        this.files = files;
        this.side = side;
        this.checkIntervalNanos = checkInterval.toNanos();
        this.nanoClock = nanoClock;
        this.checker = checker;
        byte[] fingerprint = fingerprint();
        TlsMaterial material = files.load();
        this.loaded = new Loaded(build(material), material, fingerprint);
        this.lastCheckNanos = nanoClock.getAsLong();
    }

    /** @throws TlsFileException if a file is missing or unusable at start */
    public static ReloadingTlsContext forServer(TlsFiles files) {
        return of(files, Side.SERVER, DEFAULT_CHECK_INTERVAL);
    }

    /** @throws TlsFileException if a file is missing or unusable at start */
    public static ReloadingTlsContext forClient(TlsFiles files) {
        return of(files, Side.CLIENT, DEFAULT_CHECK_INTERVAL);
    }

    /** @throws TlsFileException if a file is missing or unusable at start */
    public static ReloadingTlsContext of(TlsFiles files, Side side, Duration checkInterval) {
        return new ReloadingTlsContext(files, side, checkInterval, System::nanoTime, task -> Thread.ofVirtual()
                .name("tls-reload")
                .start(task));
    }

    @Override
    public SslContext current() {
        long now = nanoClock.getAsLong();
        if (now - lastCheckNanos >= checkIntervalNanos && checking.compareAndSet(false, true)) {
            lastCheckNanos = now;
            try {
                checker.execute(() -> {
                    try {
                        reloadIfChanged();
                    } finally {
                        checking.set(false);
                    }
                });
            } catch (RuntimeException e) { // e.g. no thread could start: try again at the next interval
                checking.set(false);
                log.warn("cannot check {} for new certificates: {}", files.certificate(), e.toString());
            }
        }
        return loaded.context();
    }

    /** The certificates in use: what new connections present and trust. */
    public TlsMaterial material() {
        return loaded.material();
    }

    /**
     * Checks the files now and switches to them if their content changed and they load.
     *
     * @return true if new connections now get a new context
     */
    public synchronized boolean reloadIfChanged() {
        byte[] fingerprint = fingerprint();
        if (Arrays.equals(fingerprint, loaded.fingerprint())) {
            return false;
        }
        TlsMaterial material;
        SslContext context;
        try {
            material = files.load();
            context = build(material);
        } catch (RuntimeException e) { // TlsFileException, mostly; whatever it is, the old context stays
            warnOnce(String.valueOf(e.getMessage()));
            return false;
        }
        Loaded previous = loaded;
        loaded = new Loaded(context, material, fingerprint);
        lastProblem = null;
        log.info(
                "new connections use the certificate in {} (serial {}, valid until {}), trusting {} CA(s) from {};"
                        + " replaced serial {}; established connections keep theirs",
                files.certificate(),
                material.node().certificate().getSerialNumber().toString(16),
                material.node().certificate().getNotAfter().toInstant(),
                material.trustedCas().size(),
                files.caCertificate(),
                previous.material().node().certificate().getSerialNumber().toString(16));
        return true;
    }

    private void warnOnce(String problem) {
        if (problem.equals(lastProblem)) {
            log.debug("the certificate files are still unusable: {}", problem);
            return;
        }
        lastProblem = problem;
        log.warn(
                "the certificate files changed but cannot be used, so new connections keep serial {}: {}",
                loaded.material().node().certificate().getSerialNumber().toString(16),
                problem);
    }

    private SslContext build(TlsMaterial material) {
        return switch (side) {
            case SERVER -> TlsContexts.forServer(material);
            case CLIENT -> TlsContexts.forClient(material);
        };
    }

    /**
     * A digest of the three files' content as they read now; a file that cannot be read counts as
     * empty, so its absence is a change that {@link TlsFiles#load()} then explains.
     */
    private byte[] fingerprint() {
        MessageDigest digest = sha256();
        for (Path file : new Path[] {files.caCertificate(), files.certificate(), files.privateKey()}) {
            byte[] content;
            try (InputStream in = Files.newInputStream(file)) {
                content = in.readNBytes(MAX_FILE_BYTES + 1);
            } catch (IOException e) {
                content = new byte[0];
            }
            digest.update(Integer.toString(content.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(content);
        }
        return digest.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "ReloadingTlsContext[" + side + ", " + files.certificate() + "]";
    }
}
