package io.dpuoffload.pki;

import java.util.regex.Pattern;

/**
 * The one rule for node names and pair ids: a DNS-1123 subdomain, the rule Kubernetes uses for
 * object names. A node name goes into a certificate's DNS name and becomes a file name
 * ({@code <node>.crt}), so the rule also keeps it free of '/', '..' and upper case that would make
 * two names for one node.
 */
public final class NodeNames {

    /** RFC 1123 caps a full host name at 253 characters. */
    public static final int MAX_LENGTH = 253;

    public static final String RULE = "at most " + MAX_LENGTH
            + " characters of lowercase letters, digits, '-' and '.', where each dot-separated part starts and"
            + " ends with a letter or digit (a DNS-1123 subdomain, e.g. host-01.rack3)";

    private static final Pattern SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private NodeNames() {}

    public static boolean isValid(String name) {
        return name != null
                && name.length() <= MAX_LENGTH
                && SUBDOMAIN.matcher(name).matches();
    }

    /**
     * Returns {@code value} if it follows the rule.
     *
     * @param what what the value is, for the message: "node name", "pair id"
     * @throws IllegalArgumentException naming the value and stating the rule
     */
    public static String requireValid(String what, String value) {
        if (!isValid(value)) {
            throw new IllegalArgumentException(what + " '" + value + "' is not valid: use " + RULE);
        }
        return value;
    }
}
