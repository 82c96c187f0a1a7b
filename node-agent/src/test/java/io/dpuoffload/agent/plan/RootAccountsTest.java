package io.dpuoffload.agent.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.api.spec.RootGroup;
import io.dpuoffload.api.spec.RootUser;
import java.util.List;
import org.junit.jupiter.api.Test;

class RootAccountsTest {
    private static final List<RootGroup> KVM_AND_QEMU =
            List.of(new RootGroup("kvm", 104L), new RootGroup("libvirt-qemu", 64055L));

    @Test
    void onlyTheGroupsTheDpuLacksAreAppendedAfterItsOwnLastLine() {
        // No final newline on the DPU's file, a comment, and kvm already there with another id.
        RootAccounts.Added added = RootAccounts.group("# groups\nroot:x:0:\nkvm:x:993:", KVM_AND_QEMU)
                .orElseThrow();
        assertThat(added.content()).isEqualTo("# groups\nroot:x:0:\nkvm:x:993:\nlibvirt-qemu:x:64055:\n");
        assertThat(added.names()).containsExactly("libvirt-qemu");
    }

    @Test
    void nothingToAddLeavesTheDpusFileAlone() {
        assertThat(RootAccounts.group("kvm:x:993:\nlibvirt-qemu:x:1:\n", KVM_AND_QEMU))
                .isEmpty();
        assertThat(RootAccounts.passwd("root:x:0:0::/root:/bin/sh\n", List.of()))
                .isEmpty();
    }

    @Test
    void aDpuWithoutTheFileGetsOneOfTheAddedAccountsOnly() {
        assertThat(RootAccounts.passwd("", List.of(new RootUser("svc", 900L, 901L)))
                        .orElseThrow()
                        .content())
                .isEqualTo("svc:x:900:901:svc (dpu-offload):/nonexistent:/usr/sbin/nologin\n");
    }
}
