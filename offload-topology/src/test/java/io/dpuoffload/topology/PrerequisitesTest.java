package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PrerequisitesTest {

    private static final List<String> MISSING = List.of("root (running as alice; ...)", "command 'unshare' (...)");

    @Test
    void explanationNamesEveryMissingPrerequisite() {
        assertThat(Prerequisites.explain(MISSING))
                .isEqualTo("the host/DPU topology needs root (running as alice; ...); command 'unshare' (...)");
        assertThat(Prerequisites.explain(List.of())).startsWith("all prerequisites met");
    }

    @Test
    void missingPrerequisitesSkipOnADevelopersMachine() {
        assertThatThrownBy(() -> TopologyExtension.gate(MISSING, null))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("command 'unshare'");
        assertThatThrownBy(() -> TopologyExtension.gate(MISSING, "false")).isInstanceOf(TestAbortedException.class);
    }

    @Test
    void missingPrerequisitesFailUnderCiInsteadOfHidingABrokenMachine() {
        assertThatThrownBy(() -> TopologyExtension.gate(MISSING, "true"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CI=true")
                .hasMessageContaining("root");
    }

    @Test
    void nothingHappensWhenAllIsThere() {
        assertThatCode(() -> TopologyExtension.gate(List.of(), "true")).doesNotThrowAnyException();
    }

    @Test
    void findsCommandsOutsideANonRootPath() {
        // sh is everywhere; the point is that lookup returns an absolute, executable path.
        assertThat(Prerequisites.findCommand("sh"))
                .hasValueSatisfying(path -> assertThat(path).isAbsolute());
        assertThat(Prerequisites.hasCommand("no-such-command-dpuo")).isFalse();
    }
}
