package io.dpuoffload.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.agent.plan.MountPlan;
import io.dpuoffload.agent.plan.MountStep;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.yaml.SpecFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountPlanTest {
    private static final Path ROOT = Path.of("/run/dpu-offload/root");
    private static final Path STATE = Path.of("/run/dpu-offload/agent");

    /** A merged-/usr DPU: /bin and /lib are links into /usr; no /lib32. */
    private static final MountPlan.DpuSystem MERGED_USR = new MountPlan.DpuSystem() {
        private final Set<String> directories =
                Set.of("/usr", "/etc", "/var", "/root", "/home", "/opt", "/srv", "/lib64");
        private final Map<String, String> links = Map.of("/bin", "usr/bin", "/sbin", "usr/sbin", "/lib", "usr/lib");

        @Override
        public boolean isDirectory(Path path) {
            return directories.contains(path.toString());
        }

        @Override
        public Path symlinkTarget(Path path) {
            String link = links.get(path.toString());
            return link == null ? null : Path.of(link);
        }

        @Override
        public String readFile(Path path) {
            return switch (path.toString()) {
                case "/etc/passwd" -> "root:x:0:0:root:/root:/bin/bash\n";
                case "/etc/group" -> "root:x:0:\nlibvirt-qemu:x:64055:\n";
                default -> "";
            };
        }
    };

    @Test
    void theLibvirtProfileGivesTheLayoutInOrder() {
        MountPlan plan = MountPlan.compute(ROOT, STATE, List.of(SpecFiles.profile("libvirt")), MERGED_USR);
        assertThat(plan.steps())
                .extracting(MountStep::describe)
                .containsExactly(
                        "tmpfs /run/dpu-offload/root (mode=0755,size=16m)",
                        "symlink /run/dpu-offload/root/bin -> usr/bin",
                        "symlink /run/dpu-offload/root/sbin -> usr/sbin",
                        "symlink /run/dpu-offload/root/lib -> usr/lib",
                        "rbind /lib64 -> /run/dpu-offload/root/lib64",
                        "rbind /usr -> /run/dpu-offload/root/usr",
                        "rbind /etc -> /run/dpu-offload/root/etc",
                        "rbind /opt -> /run/dpu-offload/root/opt",
                        "rbind /var -> /run/dpu-offload/root/var",
                        "rbind /root -> /run/dpu-offload/root/root",
                        "rbind /home -> /run/dpu-offload/root/home",
                        "rbind /srv -> /run/dpu-offload/root/srv",
                        "rbind /dev -> /run/dpu-offload/root/dev",
                        "make-rprivate /run/dpu-offload/root",
                        "tmpfs /run/dpu-offload/root/dev/shm (mode=1777)",
                        "mqueue /run/dpu-offload/root/dev/mqueue",
                        "rbind /proc -> /run/dpu-offload/root/local_proc",
                        "bind /run/dpu-offload/agent/run -> /run/dpu-offload/root/run",
                        "tmpfs /run/dpu-offload/root/tmp (mode=1777)",
                        "offload-fs proc (host /proc, cache none, proc view) -> /run/dpu-offload/root/proc",
                        "offload-fs sys (host /sys, cache none) -> /run/dpu-offload/root/sys",
                        "offload-fs libvirt (host /var/lib/libvirt, cache ttl) -> /run/dpu-offload/root/var/lib/libvirt",
                        "offload-fs libvirt-cache (host /var/cache/libvirt, cache ttl) -> "
                                + "/run/dpu-offload/root/var/cache/libvirt",
                        "offload-fs images (host /var/lib/dpu-offload/images, cache ttl) -> "
                                + "/run/dpu-offload/root/var/lib/dpu-offload/images",
                        "file /run/dpu-offload/root/etc/libvirt/qemu.conf (the profile's, "
                                + SpecFiles.profile("libvirt")
                                        .files()
                                        .getFirst()
                                        .content()
                                        .length()
                                + " bytes)",
                        "file /run/dpu-offload/root/etc/passwd (the DPU's, with libvirt-qemu added, 117 bytes)",
                        "shim /run/dpu-offload/root/usr/bin/qemu-system-x86_64 (runs the host's /usr/bin/qemu-system-x86_64)");
        MountStep.File passwd = (MountStep.File)
                plan.steps(s -> s.describe().contains("/etc/passwd")).getFirst();
        assertThat(passwd.content())
                .as("the DPU's accounts, then the profile's")
                .isEqualTo("root:x:0:0:root:/root:/bin/bash\n"
                        + "libvirt-qemu:x:64055:64055:libvirt-qemu (dpu-offload):/nonexistent:/usr/sbin/nologin\n");
        assertThat(passwd.copy()).isEqualTo(Path.of("/run/dpu-offload/agent/files/etc/passwd"));
        MountStep.Shim shim = (MountStep.Shim) plan.steps().getLast();
        assertThat(shim.file()).isEqualTo(Path.of("/run/dpu-offload/agent/shims/usr/bin/qemu-system-x86_64"));
    }

    @Test
    void accountsTheDpuHasAreItsOwnAndAFileOfThemAndAccountsToAddAreRefused() {
        Profile users = SpecFiles.parseProfile(
                "name: a\nusers: [{name: root, uid: 7, gid: 7}]\ngroups: [{name: root, gid: 7}]\n", "");
        assertThat(MountPlan.compute(ROOT, STATE, List.of(users), MERGED_USR).steps(s -> s instanceof MountStep.File))
                .as("the DPU has root: nothing is added, its root keeps its ids")
                .isEmpty();
        Profile passwdFile =
                SpecFiles.parseProfile("name: b\nfiles: [{path: /etc/passwd, content: \"x:x:1:1::/:/bin/sh\"}]\n", "");
        assertThatThrownBy(() ->
                        MountPlan.compute(ROOT, STATE, List.of(passwdFile, SpecFiles.profile("libvirt")), MERGED_USR))
                .hasMessageContaining("/etc/passwd")
                .hasMessageContaining("[libvirt-qemu]");
    }

    @Test
    void profilesThatShareOneDirectoryAgreeOrAreRefused() {
        Profile a = SpecFiles.parseProfile("name: a\nshares: [{name: data, hostPath: /srv/data}]\n", "");
        Profile same = SpecFiles.parseProfile("name: b\nshares: [{name: data, hostPath: /srv/data}]\n", "");
        Profile other =
                SpecFiles.parseProfile("name: c\nshares: [{name: other, hostPath: /srv/other, path: /srv/data}]\n", "");
        assertThat(MountPlan.compute(ROOT, STATE, List.of(a, same), MERGED_USR)
                        .steps(s -> s instanceof MountStep.Share))
                .hasSize(1);
        assertThatThrownBy(() -> MountPlan.compute(ROOT, STATE, List.of(a, other), MERGED_USR))
                .hasMessageContaining("/srv/data");
    }

    /**
     * An agent in a pod: the root's system is the node's (mounted at /host), never the image's, so
     * the daemons the root runs are the DPU's own.
     */
    @Test
    void inAPodTheRootsSystemComesFromTheNodesRoot() {
        Path node = Path.of("/host");
        MountPlan.DpuSystem podView = new MountPlan.DpuSystem() {
            @Override
            public Path root() {
                return node;
            }

            @Override
            public boolean isDirectory(Path path) {
                return path.startsWith(node)
                        && MERGED_USR.isDirectory(Path.of("/").resolve(node.relativize(path)));
            }

            @Override
            public Path symlinkTarget(Path path) {
                return path.startsWith(node)
                        ? MERGED_USR.symlinkTarget(Path.of("/").resolve(node.relativize(path)))
                        : null;
            }

            @Override
            public String readFile(Path path) {
                return path.startsWith(node) ? MERGED_USR.readFile(Path.of("/").resolve(node.relativize(path))) : "";
            }
        };
        MountPlan plan = MountPlan.compute(ROOT, STATE, List.of(SpecFiles.profile("libvirt")), podView);
        assertThat(plan.steps(s -> s instanceof MountStep.Bind))
                .extracting(MountStep::describe)
                .contains(
                        "rbind /host/usr -> /run/dpu-offload/root/usr",
                        "rbind /host/etc -> /run/dpu-offload/root/etc",
                        "rbind /host/dev -> /run/dpu-offload/root/dev",
                        "rbind /host/proc -> /run/dpu-offload/root/local_proc")
                .noneMatch(step -> step.startsWith("rbind /usr") || step.startsWith("rbind /etc"));
        assertThat(plan.steps(s -> s instanceof MountStep.File))
                .extracting(MountStep::describe)
                .as("the node's accounts, not the image's")
                .contains("file /run/dpu-offload/root/etc/passwd (the DPU's, with libvirt-qemu added, 117 bytes)");
        assertThat(plan.steps(s -> s instanceof MountStep.Symlink))
                .extracting(MountStep::describe)
                .contains("symlink /run/dpu-offload/root/bin -> usr/bin");
    }
}
