package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.yaml.SpecFiles;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Between an OffloadProfile's spec and the api module's {@link Profile}: the spec is written as the
 * profile file it mirrors and read back by the api module, so a profile from the cluster passes
 * exactly the checks a standalone profile file does, and its problems name the same fields.
 */
public final class ProfileResources {
    /** Hex digits of the digest kept as a revision: enough to tell revisions of one profile apart. */
    private static final int REVISION_DIGITS = 10;

    private static final ObjectMapper YAML = new ObjectMapper(
                    new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
            .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY);

    private ProfileResources() {}

    /**
     * The profile named {@code name} with {@code spec}'s content.
     *
     * @throws io.dpuoffload.api.validation.ConfigException naming every problem, as for a profile
     *     file
     */
    public static Profile toProfile(String name, OffloadProfileSpec spec) {
        return SpecFiles.parseProfile(profileYaml(name, spec), "OffloadProfile " + name);
    }

    /** {@code spec} as the profile file it mirrors ({@code rollout} is the resource's own, not the profile's). */
    public static String profileYaml(String name, OffloadProfileSpec spec) {
        ObjectNode tree = YAML.createObjectNode();
        tree.put("name", name);
        ObjectNode fields = YAML.valueToTree(spec == null ? empty() : spec);
        fields.remove("rollout");
        tree.setAll(fields);
        try {
            return YAML.writeValueAsString(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a profile spec that Jackson cannot write: " + e.getMessage(), e);
        }
    }

    /** The spec of a profile file's text (its {@code name} dropped): how the built-in profiles become samples. */
    public static OffloadProfileSpec fromProfileYaml(String yaml) {
        try {
            ObjectNode tree = (ObjectNode) YAML.readTree(yaml);
            tree.remove("name");
            return YAML.treeToValue(tree, OffloadProfileSpec.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a profile: " + e.getMessage(), e);
        }
    }

    /**
     * A digest of what the profile makes run: two specs with the same shares, sockets, programs,
     * daemons and files have the same revision, whatever the rollout settings.
     */
    public static String revision(String name, OffloadProfileSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(profileYaml(name, spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, REVISION_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    private static OffloadProfileSpec empty() {
        return new OffloadProfileSpec(null, null, null, null, null, null, null, null, null);
    }
}
