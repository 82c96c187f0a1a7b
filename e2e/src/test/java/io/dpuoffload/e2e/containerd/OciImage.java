package io.dpuoffload.e2e.containerd;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container image with no registry: the machine's static busybox as one uncompressed layer, written as an OCI
 * image-layout tar that {@code ctr images import} takes. {@code index.json} names the image with containerd's own
 * annotation, which its import prefers to any other name.
 *
 * @param name the reference containerd stores it under, e.g. {@code localhost/dpuo/busybox:1}
 * @param cmd the image's command (no entrypoint), what runs when a container names no other
 */
public record OciImage(String name, List<String> cmd) {

    /** A shell image: every container in the tests names its own command. */
    public static final OciImage BUSYBOX = new OciImage("localhost/dpuo/busybox:1", List.of("/bin/sh"));
    /**
     * CRI's sandbox ("pause") image: a process that waits until it is killed, as the real pause does (CRI stops a
     * sandbox with SIGKILL). busybox's sleep takes {@code infinity}.
     */
    public static final OciImage PAUSE = new OciImage("localhost/dpuo/pause:1", List.of("/bin/sleep", "infinity"));

    /** Debian's busybox-static installs it here; the dynamic busybox package's would need a libc in the image. */
    public static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");
    /** The applets the tests call, each a symlink to busybox in /bin, as busybox's own install makes them. */
    public static final List<String> APPLETS = List.of("sh", "sleep", "echo", "cat", "ls", "true", "id", "hostname");

    static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
    /** containerd's name annotation; its import takes the image's name from it before the OCI ref.name. */
    static final String CONTAINERD_NAME = "io.containerd.image.name";

    /** Java's names of the architectures an OCI config names otherwise. */
    private static final Map<String, String> OCI_ARCHITECTURES = Map.of("amd64", "amd64", "aarch64", "arm64");
    /** ELF program header type of the dynamic loader's path: a program with one is not static. */
    private static final int PT_INTERP = 3;
    /** The ELF magic number (0x7f, then "ELF"), read little-endian. */
    private static final int ELF_MAGIC = 0x464c457f;
    /** EI_CLASS of a 64-bit ELF, the only layout read here. */
    private static final byte ELF_64 = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    public OciImage {
        cmd = List.copyOf(cmd);
    }

    /** Writes the image into DIR as {@code <name>.tar} (the name made file-safe) and returns that tar. */
    public static Path write(Path dir, String name, List<String> cmd) throws IOException {
        return new OciImage(name, cmd).writeTo(dir);
    }

    /** Writes this image into DIR as {@code <name>.tar} (the name made file-safe) and returns that tar. */
    public Path writeTo(Path dir) throws IOException {
        byte[] layer = layer();
        String layerDigest = digest(layer);
        byte[] config = json(ordered(
                "architecture", architecture(),
                "os", "linux",
                "config", ordered("Cmd", cmd, "Env", List.of("PATH=/bin")),
                "rootfs", ordered("type", "layers", "diff_ids", List.of(layerDigest))));
        byte[] manifest = json(ordered(
                "schemaVersion",
                2,
                "mediaType",
                MANIFEST_TYPE,
                "config",
                descriptor(CONFIG_TYPE, config),
                "layers",
                List.of(descriptor(LAYER_TYPE, layer))));
        Map<String, Object> manifestEntry = descriptor(MANIFEST_TYPE, manifest);
        manifestEntry.put("annotations", Map.of(CONTAINERD_NAME, name));
        byte[] index = json(ordered("schemaVersion", 2, "mediaType", INDEX_TYPE, "manifests", List.of(manifestEntry)));

        Path tar = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + ".tar");
        try (TarWriter out = new TarWriter(Files.newOutputStream(tar))) {
            out.file("oci-layout", 0644, json(Map.of("imageLayoutVersion", "1.0.0")));
            out.file("index.json", 0644, index);
            out.directory("blobs", 0755);
            out.directory("blobs/sha256", 0755);
            for (byte[] blob : List.of(layer, config, manifest)) {
                out.file("blobs/sha256/" + digest(blob).substring("sha256:".length()), 0644, blob);
            }
        }
        return tar;
    }

    /** Why the images cannot be built here, if they cannot: busybox missing or not static. */
    public static Optional<String> busyboxProblem() throws IOException {
        if (!Files.isRegularFile(BUSYBOX_BINARY)) {
            return Optional.of(BUSYBOX_BINARY + " (Debian's busybox-static)");
        }
        if (!isStatic(BUSYBOX_BINARY)) {
            return Optional.of("a static " + BUSYBOX_BINARY + " (Debian's busybox-static; this one needs a libc)");
        }
        return Optional.empty();
    }

    /** The layer: {@code bin/busybox} and its applets as symlinks beside it. */
    private static byte[] layer() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarWriter out = new TarWriter(bytes)) {
            out.directory("bin", 0755);
            out.file("bin/busybox", 0755, Files.readAllBytes(BUSYBOX_BINARY));
            for (String applet : APPLETS) {
                out.symlink("bin/" + applet, "busybox");
            }
        }
        return bytes.toByteArray();
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return OCI_ARCHITECTURES.getOrDefault(arch, arch);
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        return ordered("mediaType", mediaType, "digest", digest(content), "size", content.length);
    }

    /** A JSON object with its keys in the order given, as people write them and read them back. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static byte[] json(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }

    static String digest(byte[] content) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** An ELF64 program without a PT_INTERP program header: the kernel runs it with no loader and no libc. */
    private static boolean isStatic(Path program) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(program.toFile(), "r")) {
            ByteBuffer elf = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            file.getChannel().read(elf, 0);
            if (elf.getInt(0) != ELF_MAGIC || elf.get(4) != ELF_64) {
                return false;
            }
            long headersAt = elf.getLong(0x20);
            int headerSize = Short.toUnsignedInt(elf.getShort(0x36));
            int headers = Short.toUnsignedInt(elf.getShort(0x38));
            ByteBuffer type = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < headers; i++) {
                type.clear();
                file.getChannel().read(type, headersAt + (long) i * headerSize);
                if (type.getInt(0) == PT_INTERP) {
                    return false;
                }
            }
            return true;
        }
    }
}
