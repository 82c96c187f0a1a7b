package io.dpuoffload.crd;

import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.OffloadNodeStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One host and its DPU: which profiles run in the DPU's offload root, over which transport. The
 * operator owns {@code status.conditions}, {@code status.observedGeneration} and {@code
 * status.profiles} (the profile revisions this pair is to run); the host agent owns {@code
 * status.host} and the DPU agent {@code status.dpu}. Each writes only its own part, by a merge patch
 * of that part, so none overwrites another's.
 */
@Group(OffloadProfile.GROUP)
@Version(OffloadProfile.VERSION)
@ShortNames("onode")
@AdditionalPrinterColumn(name = "HOST", jsonPath = ".spec.hostNode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "DPU", jsonPath = ".spec.dpuNode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PROFILES", jsonPath = ".spec.profiles", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "READY",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "AGE",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class OffloadNode extends CustomResource<OffloadNodeSpec, OffloadNodeStatus> {
    public OffloadNode() {}

    public OffloadNode(String name, OffloadNodeSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
