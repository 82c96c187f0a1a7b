package io.dpuoffload.crd.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** The api module's {@code Health}: exactly one kind, libvirt, containerd or socket. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "[has(self.libvirt), has(self.containerd), has(self.socket)].filter(k, k).size() == 1",
        message = "give exactly one kind of check: libvirt: URI (e.g. qemu:///system), containerd: ADDRESS (its"
                + " socket) or socket: PATH")
public record HealthSpec(
        @JsonPropertyDescription("libvirt's client library lists the domains at this URI.")
        String libvirt,

        @Pattern(Schema.ABSOLUTE_PATH)
        @JsonPropertyDescription("containerd's own API answers at this socket (a path in the root).")
        String containerd,

        @Pattern(Schema.ABSOLUTE_PATH)
        @JsonPropertyDescription("Something accepts a connection at this path in the root.")
        String socket,

        @Pattern(Schema.DURATION) String interval,
        @Min(1) @Max(100) Integer failures) {}
