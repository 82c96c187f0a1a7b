package io.dpuoffload.crd.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.yaml.SpecFiles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An OffloadProfile's revision is what pairs record to know whether they run the current content,
 * so it must not change unless the content does; and a spec that passes the CRD's schema but not
 * the api module's checks is refused with problems that name its fields.
 */
class ProfileResourcesTest {
    private static final OffloadProfileSpec LIBVIRT = ProfileResources.fromProfileYaml(SpecFiles.builtIn("libvirt"));

    @Test
    void theRevisionIsTheSameForTheSameContent() {
        OffloadProfileSpec again = ProfileResources.fromProfileYaml(SpecFiles.builtIn("libvirt"));

        assertThat(ProfileResources.revision("libvirt", again))
                .isEqualTo(ProfileResources.revision("libvirt", LIBVIRT));
        assertThat(ProfileResources.revision("libvirt", LIBVIRT)).matches("[0-9a-f]{10}");
    }

    @Test
    void theRevisionChangesWithTheContent() {
        List<DaemonSpec> daemons = new ArrayList<>(LIBVIRT.daemons());
        DaemonSpec libvirtd = daemons.get(1);
        daemons.set(
                1,
                new DaemonSpec(
                        libvirtd.name(),
                        List.of("/usr/sbin/libvirtd", "--verbose"),
                        libvirtd.environment(),
                        libvirtd.after(),
                        libvirtd.ready(),
                        libvirtd.restart(),
                        libvirtd.health()));
        OffloadProfileSpec changed = LIBVIRT.withDaemons(daemons);

        assertThat(ProfileResources.revision("libvirt", changed))
                .isNotEqualTo(ProfileResources.revision("libvirt", LIBVIRT));
    }

    @Test
    void theRevisionDoesNotChangeWithTheRolloutSettings() {
        OffloadProfileSpec paused = withRollout(new RolloutSpec(true, "30m"));
        OffloadProfileSpec running = withRollout(new RolloutSpec(false, null));

        // Pausing a rollout must not itself look like a new revision to roll out.
        assertThat(ProfileResources.revision("libvirt", paused))
                .isEqualTo(ProfileResources.revision("libvirt", running))
                .isEqualTo(ProfileResources.revision("libvirt", LIBVIRT));
    }

    @Test
    void aSpecIsReadAsTheProfileFileItMirrors() {
        assertThat(ProfileResources.toProfile("libvirt", withRollout(new RolloutSpec(true, "5m"))))
                .isEqualTo(SpecFiles.profile("libvirt"));
    }

    @Test
    void toProfilesProblemsNameTheFields() {
        List<ShareSpec> shares = new ArrayList<>(LIBVIRT.shares());
        shares.add(shares.getFirst());
        List<DaemonSpec> daemons = new ArrayList<>(LIBVIRT.daemons());
        DaemonSpec virtlogd = daemons.getFirst();
        daemons.set(
                0,
                new DaemonSpec(
                        virtlogd.name(),
                        virtlogd.command(),
                        virtlogd.environment(),
                        List.of("libvirtd"),
                        virtlogd.ready(),
                        virtlogd.restart(),
                        virtlogd.health()));
        OffloadProfileSpec wrong = LIBVIRT.withShares(shares).withDaemons(daemons);

        // Neither mistake is the schema's to see: names twice, an order among list entries.
        assertThatThrownBy(() -> ProfileResources.toProfile("mine", wrong))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OffloadProfile mine")
                .hasMessageContaining("shares[" + LIBVIRT.shares().size() + "].name") // the one added last
                .hasMessageContaining("'libvirt' is used twice")
                .hasMessageContaining("daemons[0].after[0]")
                .hasMessageContaining("'libvirtd' is not a daemon listed above this one");
    }

    private static OffloadProfileSpec withRollout(RolloutSpec rollout) {
        return LIBVIRT.withRollout(rollout);
    }
}
