package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension hands each test a topology and cleans it up, also after a failing test. */
@Timeout(120)
class TopologyExtensionIT {

    @BeforeAll
    static void prerequisites() {
        TopologyExtension.gate(Prerequisites.missing(), System.getenv("CI"));
    }

    @Test
    void aFailingTestLeavesNoNamespaceAndNoProcess() {
        FailingBody.seen.clear();

        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(FailingBody.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(2, event(test(), finishedWithFailure(message(m -> m.startsWith("deliberate failure")))));

        assertThat(FailingBody.seen).hasSize(2);
        for (Seen seen : FailingBody.seen) {
            assertThat(seen.sameAsBeforeEach())
                    .as("@BeforeEach and the test share one topology")
                    .isTrue();
            assertThat(IpNetns.list()).doesNotContainAnyElementsOf(seen.namespaces());
            assertThat(ProcFs.isGone(seen.process())).isTrue();
        }
        assertThat(FailingBody.seen.get(0).namespaces())
                .as("each test gets its own")
                .doesNotContainAnyElementsOf(FailingBody.seen.get(1).namespaces());
    }

    record Seen(List<String> namespaces, ProcessHandle process, boolean sameAsBeforeEach) {}

    /** Run only through the test kit above (failsafe skips nested classes). */
    @ExtendWith(TopologyExtension.class)
    static class FailingBody {

        static final List<Seen> seen = new CopyOnWriteArrayList<>();

        private Topology fromBeforeEach;

        @BeforeEach
        void remember(Topology topology) {
            fromBeforeEach = topology;
        }

        @Test
        void first(Topology topology) throws Exception {
            failAfterStarting(topology);
        }

        @Test
        void second(Topology topology) throws Exception {
            failAfterStarting(topology);
        }

        private void failAfterStarting(Topology topology) throws Exception {
            NodeProcess sleeper = topology.dpu().start(List.of("sleep", "300"));
            seen.add(new Seen(
                    topology.nodes().stream().map(Node::namespace).toList(),
                    ProcessHandle.of(sleeper.pid()).orElseThrow(),
                    fromBeforeEach == topology));
            throw new AssertionError("deliberate failure in " + topology.id());
        }
    }
}
