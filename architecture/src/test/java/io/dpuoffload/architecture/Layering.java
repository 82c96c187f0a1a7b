package io.dpuoffload.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The layering rules between the modules (docs/architecture.md), by package: each module has its
 * own package root ({@code io.dpuoffload.transport}, {@code .linux}, {@code .fs} …). A rule on a
 * module that does not exist yet (the operator) holds trivially until it does.
 */
final class Layering {
    static final String OURS = "io.dpuoffload..";
    static final String PKI = "io.dpuoffload.pki..";
    static final String TRANSPORT = "io.dpuoffload.transport..";
    static final String LINUX = "io.dpuoffload.linux..";
    static final String FS = "io.dpuoffload.fs..";
    static final String INTERCEPT = "io.dpuoffload.intercept..";
    static final String IPC = "io.dpuoffload.ipc..";
    static final String EXEC = "io.dpuoffload.exec..";
    static final String AGENT = "io.dpuoffload.agent..";
    static final String CLI = "io.dpuoffload.cli..";
    static final String API = "io.dpuoffload.api..";
    static final String OPERATOR = "io.dpuoffload.operator..";
    static final String BENCH = "io.dpuoffload.bench..";
    static final String[] KUBERNETES = {"io.fabric8..", "io.javaoperatorsdk.."};

    /** offload-ipc's handler of intercepted connects: exec does not reach into it. */
    static final String IPC_TRANSPARENT_CONNECT = "io.dpuoffload.ipc.transparent..";

    private Layering() {}

    /** The transport carries services; it knows none of them. */
    static final ArchRule TRANSPORT_KNOWS_NO_SERVICE = noClasses()
            .that()
            .resideInAPackage(TRANSPORT)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(FS, INTERCEPT, IPC, EXEC, AGENT, CLI, OPERATOR)
            .because("the transport carries the services; a service registers itself with it (Services, Feature)");

    /** The data plane runs without the agents that assemble it and without Kubernetes. */
    static final ArchRule DATA_PLANE_KNOWS_NO_AGENT_NOR_KUBERNETES = noClasses()
            .that()
            .resideInAnyPackage(PKI, TRANSPORT, LINUX, FS, INTERCEPT, IPC, EXEC)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(List.of(AGENT, CLI, OPERATOR, BENCH), KUBERNETES))
            .because("node-agent, offloadctl and the operator assemble the services, not the other way round");

    /** offload-linux is the platform layer: FFM calls, nothing of ours above them. */
    static final ArchRule LINUX_IMPORTS_NONE_OF_OURS =
            importsNoneOfOursBut(LINUX).because("the system-call wrappers serve every module and depend on none");

    /** offload-api is the declarative model, shared by the agents, the operator and offloadctl. */
    static final ArchRule API_IMPORTS_NONE_OF_OURS = importsNoneOfOursBut(API)
            .because("the model is read by the operator, which must not pull in the data plane");

    /**
     * The operator (control plane) speaks to the nodes through the api model and issues their
     * certificates with offload-pki; of ours it uses nothing else: no data plane, no agent, no CLI.
     */
    static final ArchRule OPERATOR_IMPORTS_ONLY_API_AND_PKI = noClasses()
            .that()
            .resideInAPackage(OPERATOR)
            .should()
            .dependOnClassesThat(resideInAPackage(OURS).and(not(resideInAnyPackage(OPERATOR, API, PKI))))
            .allowEmptyShould(true)
            .because("the operator runs in a cluster without FFM, Netty or libvirt");

    /**
     * offload-pki is shared by offloadctl, the agents (through the transport) and the operator: the
     * JDK and BouncyCastle only, so that the operator gets certificates without Netty.
     */
    static final ArchRule PKI_IMPORTS_ONLY_THE_JDK_AND_BOUNCYCASTLE = noClasses()
            .that()
            .resideInAPackage(PKI)
            .should()
            .dependOnClassesThat(not(resideInAnyPackage(PKI, "java..", "javax..", "org.bouncycastle..")))
            .because("the operator uses offload-pki and must not pull in the transport or Netty");

    /** offload-intercept owns the notification loop; the services own the handlers. */
    static final ArchRule INTERCEPT_IMPORTS_ONLY_LINUX = noClasses()
            .that()
            .resideInAPackage(INTERCEPT)
            .should()
            .dependOnClassesThat(resideInAPackage(OURS).and(not(resideInAnyPackage(INTERCEPT, LINUX))))
            .because("what an intercepted call means is the service's: its handler lives there");

    /** exec and ipc each handle their own intercepted calls, through offload-intercept only. */
    static final ArchRule EXEC_DOES_NOT_REACH_INTO_IPC_INTERCEPTION = noClasses()
            .that()
            .resideInAPackage(EXEC)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(IPC_TRANSPARENT_CONNECT)
            .because("the pid calls are exec's and the connects ipc's; both use offload-intercept");

    static final ArchRule IPC_KNOWS_NO_EXEC = noClasses()
            .that()
            .resideInAPackage(IPC)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(EXEC)
            .because("offload-exec builds on offload-ipc (passed descriptors), not the other way round");

    /** The product CLI and the agents ship no benchmark code (offload-bench measures them from outside). */
    static final ArchRule PRODUCT_KNOWS_NO_BENCHMARK = noClasses()
            .that()
            .resideInAnyPackage(CLI, AGENT, API)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(BENCH)
            .because("the benchmarks are their own module and distribution, run by ./dpuo bench");

    static final List<ArchRule> ALL = List.of(
            PRODUCT_KNOWS_NO_BENCHMARK,
            TRANSPORT_KNOWS_NO_SERVICE,
            DATA_PLANE_KNOWS_NO_AGENT_NOR_KUBERNETES,
            LINUX_IMPORTS_NONE_OF_OURS,
            API_IMPORTS_NONE_OF_OURS,
            OPERATOR_IMPORTS_ONLY_API_AND_PKI,
            PKI_IMPORTS_ONLY_THE_JDK_AND_BOUNCYCASTLE,
            INTERCEPT_IMPORTS_ONLY_LINUX,
            EXEC_DOES_NOT_REACH_INTO_IPC_INTERCEPTION,
            IPC_KNOWS_NO_EXEC);

    private static com.tngtech.archunit.lang.syntax.elements.ClassesShouldConjunction importsNoneOfOursBut(
            String module) {
        return noClasses()
                .that()
                .resideInAPackage(module)
                .should()
                .dependOnClassesThat(resideInAPackage(OURS).and(not(resideInAPackage(module))));
    }

    private static String[] concat(List<String> packages, String[] more) {
        return java.util.stream.Stream.concat(packages.stream(), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }
}
