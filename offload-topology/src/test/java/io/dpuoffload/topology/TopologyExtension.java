package io.dpuoffload.topology;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: injects a {@link Topology} parameter and closes it afterwards, also when the test fails.
 *
 * <p>Scope follows where it is injected: a test method or {@code @BeforeEach} parameter gets a fresh topology per
 * test (the method and its {@code @BeforeEach} share it); a {@code @BeforeAll} parameter gets one for the whole class,
 * which the tests then share.
 *
 * <p>When the machine cannot make one (not root, {@code ip}/{@code unshare}/{@code setpriv} missing), the tests are
 * skipped with a message naming what is missing; except under CI (environment variable {@code CI} set and not {@code
 * false}), where the prerequisites are part of the machine and a skip would hide a broken one: there they fail.
 *
 * <pre>{@code
 * @ExtendWith(TopologyExtension.class)
 * class MyIT {
 *     @Test
 *     void dpuReachesHost(Topology topology) { ... }
 * }
 * }</pre>
 */
public final class TopologyExtension
        implements ParameterResolver, BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Topology.class);
    private static final String KEY = "topology";

    @Override
    public void beforeAll(ExtensionContext context) {
        gate(Prerequisites.missing(), System.getenv("CI"));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        gate(Prerequisites.missing(), System.getenv("CI"));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Topology.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        // Looks in the enclosing (class) store first, so a @BeforeAll topology is shared; otherwise makes one for
        // this context and keeps it there until afterEach/afterAll closes it.
        return extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, key -> Topology.create(), Topology.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeOwn(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeOwn(context);
    }

    /** Closes the topology made for exactly this context (not one inherited from the class). */
    private static void closeOwn(ExtensionContext context) {
        Optional.ofNullable(context.getStore(NAMESPACE).remove(KEY, Topology.class))
                .ifPresent(Topology::close);
    }

    /** Skips (or, under CI, fails) when prerequisites are missing. */
    static void gate(List<String> missing, String ciVariable) {
        if (missing.isEmpty()) {
            return;
        }
        String explanation = Prerequisites.explain(missing);
        if (ciVariable != null && !ciVariable.isBlank() && !ciVariable.equalsIgnoreCase("false")) {
            throw new IllegalStateException("CI=" + ciVariable + " but " + explanation
                    + "; CI machines must provide these, so the test fails instead of being skipped");
        }
        Assumptions.abort(explanation);
    }
}
