package io.dpuoffload.topology;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the network namespaces a topology creates: {@code dpuo-<jvm pid>-<counter>-host} and {@code ...-dpu}. The
 * pid makes names unique across JVMs running at once, the counter within one JVM; the pid also tells a later run
 * whether the owner is gone, so namespaces left by a crashed JVM can be removed.
 */
final class NamespaceNames {

    static final String PREFIX = "dpuo-";

    private static final Pattern NAME = Pattern.compile("dpuo-(\\d{1,19})-(\\d{1,10})-(host|dpu)");

    private NamespaceNames() {}

    /** Topology id, also the common prefix of its two namespace names. */
    static String topologyId(long ownerPid, int counter) {
        if (ownerPid <= 0 || counter <= 0) {
            throw new IllegalArgumentException("pid and counter must be positive: " + ownerPid + ", " + counter);
        }
        return PREFIX + ownerPid + "-" + counter;
    }

    static String namespace(String topologyId, String nodeName) {
        return topologyId + "-" + nodeName;
    }

    /** The pid of the JVM that created this namespace, or empty for a name this class did not make. */
    static OptionalLong ownerPid(String namespaceName) {
        Matcher m = NAME.matcher(namespaceName);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
