package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** A host directory mounted in the root: the api module's {@code Share}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
        value = "!has(self.allow) || self.allow.all(op, op in ['all', 'lookup', 'getattr', 'open', 'read', 'write',"
                + " 'readdir', 'mkdir', 'rmdir', 'create', 'mknod', 'unlink', 'rename', 'link', 'symlink', 'setattr',"
                + " 'xattr-get', 'xattr-set', 'xattr-remove', 'statfs'])",
        message = "allow's keys are operations (lookup, getattr, open, read, write, readdir, mkdir, rmdir, create,"
                + " mknod, unlink, rename, link, symlink, setattr, xattr-get, xattr-set, xattr-remove, statfs) or all")
public record ShareSpec(
        @Required @Pattern(Schema.SHARE_NAME) @JsonPropertyDescription("The export's name on the host.")
        String name,

        @Required @Pattern(Schema.ABSOLUTE_PATH) @JsonPropertyDescription("The directory on the host.")
        String hostPath,

        @Pattern(Schema.ABSOLUTE_PATH) @JsonPropertyDescription("Where it appears in the root; default: the host path.")
        String path,

        @JsonPropertyDescription("ttl for data directories, none for /proc, /sys and cgroups.")
        CacheSpec cache,

        @Pattern(Schema.DURATION)
        @JsonPropertyDescription("How long entries and attributes are trusted (cache: ttl); default 1s.")
        String ttl,

        @JsonPropertyDescription("Refuse every change with EROFS.")
        Boolean readOnly,

        @JsonPropertyDescription("The host's /proc, with the DPU's own processes resolved locally.")
        Boolean procView,

        @Size(max = ShareSpec.OPERATIONS_AND_ALL)
        @JsonPropertyDescription("Per operation (or all), the path prefixes the DPU may use; the rest is denied."
                + " Default: {all: [/]}.")
        Map<String, List<@Pattern(Schema.ABSOLUTE_PATH) String>> allow,

        @JsonPropertyDescription("Where fifos connect a reader on one side with a writer on the other.")
        List<@Pattern(Schema.ABSOLUTE_PATH) String> sharedFifos,

        @JsonPropertyDescription("Whether the root may create device nodes in the share.")
        Boolean devices) {
    /**
     * The most keys {@code allow} can have: every operation and {@code all} (the api module's
     * Share.OPERATIONS). Bounding the map also bounds the cost of its CEL rule, which the API server
     * estimates before it accepts the CRD.
     */
    public static final int OPERATIONS_AND_ALL = 20;
}
