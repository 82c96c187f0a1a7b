package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamespaceNamesTest {

    @Test
    void namesCarryTheOwnerPidSoALaterRunCanTellWhetherTheOwnerIsAlive() {
        String id = NamespaceNames.topologyId(4711, 3);

        assertThat(id).isEqualTo("dpuo-4711-3");
        assertThat(NamespaceNames.namespace(id, "host")).isEqualTo("dpuo-4711-3-host");
        assertThat(NamespaceNames.ownerPid("dpuo-4711-3-host")).hasValue(4711);
        assertThat(NamespaceNames.ownerPid("dpuo-4711-3-dpu")).hasValue(4711);
    }

    @Test
    void namespacesNotMadeByATopologyAreNeverClaimed() {
        assertThat(NamespaceNames.ownerPid("dpuo-manual-host")).isEmpty();
        assertThat(NamespaceNames.ownerPid("dpuo-4711-3-other")).isEmpty();
        assertThat(NamespaceNames.ownerPid("x-dpuo-4711-3-host")).isEmpty();
        assertThat(NamespaceNames.ownerPid("dpuo-4711-3-host-extra")).isEmpty();
        assertThat(NamespaceNames.ownerPid("blue")).isEmpty();
        assertThat(NamespaceNames.ownerPid("dpuo-99999999999999999999-1-host")).isEmpty();
    }

    @Test
    void rejectsNonPositiveParts() {
        assertThatThrownBy(() -> NamespaceNames.topologyId(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NamespaceNames.topologyId(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
