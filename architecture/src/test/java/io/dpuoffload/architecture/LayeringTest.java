package io.dpuoffload.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.dpuoffload.operator.fixture.IssuesCertificates;
import io.dpuoffload.operator.fixture.ReachesIntoTheTransport;
import io.dpuoffload.transport.fixture.ReachesIntoAService;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The layering rules of {@link Layering}, checked on the main classes of every module (this module
 * depends on all of them; tests are left out: a test may start what it tests from anywhere).
 */
class LayeringTest {
    /** One class of each module: the import saw every module, so no rule holds merely for lack of classes. */
    private static final List<String> ONE_CLASS_OF_EACH_MODULE = List.of(
            "io.dpuoffload.pki.CertificateAuthority",
            "io.dpuoffload.transport.OffloadConnection",
            "io.dpuoffload.linux.Seccomp",
            "io.dpuoffload.fs.wire.FsFeature",
            "io.dpuoffload.intercept.InterceptedLauncher",
            "io.dpuoffload.ipc.IpcNode",
            "io.dpuoffload.exec.gateway.ExecGateway",
            "io.dpuoffload.agent.dpu.DpuAgent",
            "io.dpuoffload.cli.Offloadctl",
            "io.dpuoffload.api.spec.Profile",
            "io.dpuoffload.bench.OffloadBench");

    private static JavaClasses ours;

    @BeforeAll
    static void importEveryModule() {
        ours = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.dpuoffload");
    }

    @Test
    void everyModuleIsSeen() {
        assertThat(ours.stream().map(JavaClass::getName)).containsAll(ONE_CLASS_OF_EACH_MODULE);
    }

    @TestFactory
    Stream<DynamicTest> everyRuleHolds() {
        return Layering.ALL.stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(ours)));
    }

    @Test
    void aTransportClassThatReachesIntoAServiceBreaksTheRule() {
        ArchRule rule = Layering.TRANSPORT_KNOWS_NO_SERVICE;
        JavaClasses offender = new ClassFileImporter().importClasses(ReachesIntoAService.class);
        assertThatThrownBy(() -> rule.check(offender))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(ReachesIntoAService.class.getName())
                .hasMessageContaining("io.dpuoffload.ipc.IpcNode");
    }

    @Test
    void anOperatorClassMayIssueCertificatesButNotBuildATransportContext() {
        ArchRule rule = Layering.OPERATOR_IMPORTS_ONLY_API_AND_PKI;

        rule.check(new ClassFileImporter().importClasses(IssuesCertificates.class));
        JavaClasses offender = new ClassFileImporter().importClasses(ReachesIntoTheTransport.class);
        assertThatThrownBy(() -> rule.check(offender))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(ReachesIntoTheTransport.class.getName())
                .hasMessageContaining("io.dpuoffload.transport.tls.TlsContexts");
    }

    @Test
    void pkiClassesUseNoNetty() {
        // The module's pom has no Netty; the rule also catches one that arrives transitively.
        assertThat(ours.getPackage("io.dpuoffload.pki").getClassDependenciesFromThisPackageTree())
                .noneMatch(dependency ->
                        dependency.getTargetClass().getPackageName().startsWith("io.netty"));
    }
}
