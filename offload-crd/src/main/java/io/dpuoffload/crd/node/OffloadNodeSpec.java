package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dpuoffload.crd.Schema;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * One host and its DPU.
 *
 * @param hostNode the Kubernetes node of the host (labelled {@code dpuoffload.io/role=host})
 * @param dpuNode the Kubernetes node of the DPU (labelled {@code dpuoffload.io/role=dpu})
 * @param transport how the two agents reach each other; default TCP with mutual TLS on port 7400
 * @param profiles the OffloadProfiles that run in the DPU's offload root
 * @param keepRunsFor how long the host keeps the programs it runs for the DPU (a VM's QEMU) while
 *     the DPU agent is away, for the next agent to take them back; default 10m
 * @param resumeWithin how long what a lost channel leaves open (carried connections, the shares'
 *     sessions) waits for it to come back; default 60s
 * @param bridges the host's bridges that the DPU's VM interfaces may join; none by default
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.hostNode != self.dpuNode", message = "hostNode and dpuNode must be two different nodes")
public record OffloadNodeSpec(
        @Required @Pattern(Schema.OBJECT_NAME) @JsonPropertyDescription("The host's node.")
        String hostNode,

        @Required @Pattern(Schema.OBJECT_NAME) @JsonPropertyDescription("The DPU's node.")
        String dpuNode,

        @JsonPropertyDescription("How the agents reach each other; default tcp on port 7400.")
        TransportSpec transport,

        @Required
        @Size(min = 1, max = OffloadNodeSpec.MOST_PROFILES)
        @JsonPropertyDescription("The OffloadProfiles that run in the DPU's offload root.")
        List<@Pattern(Schema.OBJECT_NAME) String> profiles,

        @Pattern(Schema.DURATION)
        @JsonPropertyDescription(
                "How long the host keeps the DPU's programs while the DPU agent is away;" + " default 10m.")
        String keepRunsFor,

        @Pattern(Schema.DURATION)
        @JsonPropertyDescription("How long the daemons' connections and the shares' sessions wait for a lost"
                + " channel to come back; 0s to 1h, default 60s.")
        String resumeWithin,

        @Size(max = OffloadNodeSpec.MOST_BRIDGES)
        @JsonPropertyDescription("The host's bridges that the DPU's VM interfaces may join (a VM's NIC on a bridge"
                + " of that name on the DPU becomes a port of the host's); none by default.")
        List<@Pattern(OffloadNodeSpec.INTERFACE_NAME) String> bridges) {

    /** A network interface's name as Linux takes it: 1 to 15 bytes, no '/', ':' or white space. */
    public static final String INTERFACE_NAME = "^[^/:\\s]{1,15}$";

    /** Bounded, as every list the API server's CEL rules may reach. */
    public static final int MOST_BRIDGES = 64;

    public OffloadNodeSpec(
            String hostNode,
            String dpuNode,
            TransportSpec transport,
            List<String> profiles,
            String keepRunsFor,
            String resumeWithin) {
        this(hostNode, dpuNode, transport, profiles, keepRunsFor, resumeWithin, null);
    }

    /**
     * The most profiles one pair may run. The status pins each profile's content, whose shares and
     * daemons carry CEL rules: the API server accepts the CRD only if the lists above a rule are
     * bounded (see OffloadProfileSpec.MOST_SHARES).
     */
    public static final int MOST_PROFILES = 16;

    public TransportSpec transportOrDefault() {
        return transport == null ? TransportSpec.DEFAULT : transport;
    }
}
