package io.dpuoffload.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A host/DPU pair's libvirt on one machine, with none of the machine's own libvirt state touched:
 * each agent runs in its node's private mount namespace, where directories of {@code work} stand
 * over the fixed paths the built-in libvirt profile names (the host's /var/lib; the DPU's /var/lib,
 * /var/cache, /var/log and /etc/libvirt). Also the VM: a boot-sector guest that prints one line on
 * its serial port, its image in the shared images directory. Used by {@code offloadctl demo} and
 * the end-to-end test.
 */
public record LibvirtSandbox(Path work, String domain, Path domainXml, Path serialLogOnHost) {

    /** The commands the demo and the libvirt tests run, each with its Debian package. */
    public static final List<List<String>> TOOLS = List.of(
            List.of("libvirtd", "libvirt-daemon"),
            List.of("virtlogd", "libvirt-daemon"),
            List.of("virsh", "libvirt-clients"),
            List.of("virt-admin", "libvirt-clients"),
            List.of("qemu-system-x86_64", "qemu-system-x86"),
            List.of("chroot", "coreutils"));

    /** The missing {@link #TOOLS}: "name (Debian package P)" each. */
    public static List<String> missingTools() {
        return DebianTools.missing(TOOLS);
    }

    /**
     * virsh, as an operator on the DPU runs it: in the offload root {@code root}, inside the
     * namespaces of {@code dpu} (a process on the DPU node).
     */
    public static io.dpuoffload.topology.CommandResult virshInRoot(
            io.dpuoffload.topology.NodeProcess dpu, Path root, java.time.Duration timeout, List<String> args) {
        List<String> command = new ArrayList<>(List.of("chroot", root.toString(), "virsh", "-c", "qemu:///system"));
        command.addAll(args);
        return dpu.runInside(timeout, command.toArray(String[]::new));
    }

    /**
     * The DPU machine's init, for a DPU agent started beside it ({@code NodeProcess.startInside}) that
     * may stop and start again while the VMs' stand-ins stay, as under systemd on a real DPU: it
     * reaps what is left to it and ends on SIGTERM (as pid 1 of its PID namespace it gets only the
     * signals it handles). Run it with {@link #onDpu}.
     */
    public static final List<String> DPU_INIT =
            List.of("perl", "-e", "$SIG{TERM} = sub { exit 0 }; while (1) { sleep 1 if wait() == -1 }");

    /** What the guest prints on its serial port once it runs. */
    public static final String GUEST_SAYS = "dpu-offload: hello from the guest";

    /** The host node: this sandbox's /var/lib (libvirt's state, the VM images) and /var/cache, then "$@". */
    private static final String HOST_NODE = """
            set -eu
            mount --bind "$1/host/var-lib" /var/lib
            mount --bind "$1/host/var-cache" /var/cache
            shift
            exec "$@"
            """;

    /**
     * The DPU node: the sandbox's /var/lib, /var/cache, /var/log and /etc/libvirt. Its accounts are
     * the machine's: the libvirt profile gives the root the libvirt-qemu user libvirtd looks up.
     */
    private static final String DPU_NODE = """
            set -eu
            w=$1
            shift
            mount --bind "$w/dpu/var-lib" /var/lib
            mount --bind "$w/dpu/var-cache" /var/cache
            mount --bind "$w/dpu/var-log" /var/log
            mount --bind "$w/dpu/etc-libvirt" /etc/libvirt
            exec "$@"
            """;

    /**
     * What libvirt on the DPU is told: the built-in profile's qemu.conf (the agent puts it in the
     * root); the host-local libvirtd of the comparison gets the same.
     */
    public static final String QEMU_CONF = io.dpuoffload.api.yaml.SpecFiles.profile("libvirt").files().stream()
            .filter(file -> file.path().toString().equals("/etc/libvirt/qemu.conf"))
            .findFirst()
            .orElseThrow()
            .content();

    /** Warnings and errors only, to the daemons' stderr, which the agent logs with their names. */
    private static final String DAEMON_LOGS = """
            log_outputs = "3:stderr"
            """;

    private static final String DOMAIN_XML = """
            <domain type='%s'>
              <name>%s</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/dpu-offload/images/%s.img'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <serial type='file'>
                  <source path='/var/lib/libvirt/qemu/%s-serial.log'/>
                  <target port='0'/>
                </serial>
                <video><model type='vga'/></video>
                <controller type='usb' model='none'/>
                <memballoon model='none'/>
              </devices>
            </domain>
            """;

    /**
     * A domain like the sandbox's, named {@code name} and booting {@code name}.img from the images
     * directory, whose serial port is a pty and its console ({@code virsh console}).
     */
    public static String consoleDomainXml(String name) {
        return DOMAIN_XML
                .formatted(accelerator(), name, name, name)
                .replaceFirst(
                        "(?s)<serial type='file'>.*?</serial>",
                        "<serial type='pty'><target port='0'/></serial>"
                                + "<console type='pty'><target type='serial' port='0'/></console>");
    }

    /** Lays the sandbox out under {@code work} (which must be readable by all, as the root shows it). */
    public static LibvirtSandbox create(Path work, String domain) throws IOException {
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path images = Files.createDirectories(work.resolve("host/var-lib/dpu-offload/images"));
        Files.createDirectories(work.resolve("host/var-lib/libvirt/qemu"));
        Files.createDirectories(work.resolve("host/var-cache"));
        Files.write(images.resolve(domain + ".img"), BootSector.printingEverySecond(GUEST_SAYS));
        for (String dir : List.of("var-lib", "var-cache", "var-log", "etc-libvirt")) {
            Files.createDirectories(work.resolve("dpu").resolve(dir));
        }
        Path etc = work.resolve("dpu/etc-libvirt");
        Files.writeString(etc.resolve("libvirtd.conf"), DAEMON_LOGS);
        Files.writeString(etc.resolve("virtlogd.conf"), DAEMON_LOGS);
        Path xml = Files.writeString(
                work.resolve(domain + ".xml"), DOMAIN_XML.formatted(accelerator(), domain, domain, domain));
        return new LibvirtSandbox(
                work, domain, xml, work.resolve("host/var-lib/libvirt/qemu/" + domain + "-serial.log"));
    }

    /**
     * A libvirtd of the host's own, for comparison: the host node's /run, /etc/libvirt, /var/lib,
     * /var/cache and /var/log are the sandbox's {@code local/} directories, the same qemu.conf, a
     * domain {@code name} like the offloaded one; the shell stays init of the node's PID namespace
     * and reaps what libvirtd's probes leave (SIGTERM to it ends libvirtd). Returns the command and
     * the domain's XML.
     */
    public LocalLibvirt localLibvirt(String name) throws IOException {
        Path local = privateLibvirtDirectories(work.resolve("local"));
        Files.createDirectories(local.resolve("var/lib/libvirt/qemu"));
        Path images = Files.createDirectories(local.resolve("var/lib/dpu-offload/images"));
        Files.write(images.resolve(name + ".img"), BootSector.printing(GUEST_SAYS));
        Path xml =
                Files.writeString(local.resolve(name + ".xml"), DOMAIN_XML.formatted(accelerator(), name, name, name));
        return new LocalLibvirt(privateLibvirtd(local), xml);
    }

    public record LocalLibvirt(List<String> command, Path domainXml) {}

    /**
     * The directories a libvirtd of its own gets over the machine's ({@code dir}'s run, etc/libvirt,
     * var/lib, var/cache and var/log), with the DPU's qemu.conf and daemons that log warnings to
     * stderr; returns {@code dir}.
     */
    public static Path privateLibvirtDirectories(Path dir) throws IOException {
        for (String sub : List.of("run", "etc/libvirt", "var/lib", "var/cache", "var/log")) {
            Files.createDirectories(dir.resolve(sub));
        }
        Files.writeString(dir.resolve("etc/libvirt/qemu.conf"), QEMU_CONF);
        Files.writeString(dir.resolve("etc/libvirt/libvirtd.conf"), DAEMON_LOGS);
        Files.writeString(dir.resolve("etc/libvirt/virtlogd.conf"), DAEMON_LOGS);
        return dir;
    }

    /**
     * The command that runs virtlogd and libvirtd in {@code dir}'s directories (see {@link
     * #privateLibvirtDirectories}), in the starting node's own mount namespace. The shell stays init
     * of the node's PID namespace because libvirtd must not be: its QEMU capability probes
     * daemonize, their processes end as children of init, and libvirtd as init would never reap
     * them (`virsh define` hangs). SIGTERM to the shell ends libvirtd ("libvirtd ended").
     */
    public static List<String> privateLibvirtd(Path dir) {
        return List.of("sh", "-c", PRIVATE_LIBVIRTD, "sh", dir.toString());
    }

    /**
     * libvirtd looks its built-in default user, libvirt-qemu, up even when qemu.conf says root;
     * where the machine has no such user, the namespace gets a passwd and group that name one.
     */
    private static final String PRIVATE_LIBVIRTD = """
            set -eu
            d=$1
            mount --bind "$d/run" /run
            mount --bind "$d/etc/libvirt" /etc/libvirt
            mount --bind "$d/var/lib" /var/lib
            mount --bind "$d/var/cache" /var/cache
            mount --bind "$d/var/log" /var/log
            if ! getent passwd libvirt-qemu >/dev/null; then
                cp /etc/passwd /etc/group /run/
                echo 'libvirt-qemu:x:64055:64055:libvirt-qemu (sandbox):/nonexistent:/usr/sbin/nologin' >>/run/passwd
                echo 'libvirt-qemu:x:64055:' >>/run/group
                mount --bind /run/passwd /etc/passwd
                mount --bind /run/group /etc/group
            fi
            virtlogd -d
            libvirtd &
            pid=$!
            trap 'kill -TERM $pid' TERM
            echo "libvirtd pid $pid"
            while kill -0 $pid 2>/dev/null; do wait $pid || true; done
            echo "libvirtd ended"
            """;

    /** KVM when /dev/kvm opens for writing, else QEMU's emulator (TCG). */
    public static String accelerator() {
        return Files.isWritable(Path.of("/dev/kvm")) ? "kvm" : "qemu";
    }

    /** {@code agent} (a command line), run in the host node's sandbox. */
    public List<String> onHost(List<String> agent) {
        return wrapped(HOST_NODE, agent);
    }

    /** {@code agent} (a command line), run in the DPU node's sandbox. */
    public List<String> onDpu(List<String> agent) {
        return wrapped(DPU_NODE, agent);
    }

    /** Where the domain logs of libvirt on the DPU are (QEMU's command line and stderr). */
    public Path dpuDomainLogs() {
        return work.resolve("dpu/var-log/libvirt/qemu");
    }

    private List<String> wrapped(String script, List<String> agent) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh", work.toString()));
        command.addAll(agent);
        return command;
    }
}
