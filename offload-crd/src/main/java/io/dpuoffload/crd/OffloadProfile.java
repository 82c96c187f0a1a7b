package io.dpuoffload.crd;

import io.dpuoffload.crd.profile.OffloadProfileSpec;
import io.dpuoffload.crd.profile.OffloadProfileStatus;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * What runs in an offload root, as a cluster resource: the api module's profile (shares, sockets,
 * programs, daemons, files), named by the resource. A change rolls out to the OffloadNodes that use
 * it one pair at a time (see {@link io.dpuoffload.crd.profile.RolloutSpec}).
 */
@Group(OffloadProfile.GROUP)
@Version(OffloadProfile.VERSION)
@ShortNames("oprofile")
@AdditionalPrinterColumn(name = "REVISION", jsonPath = ".status.revision", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "UPDATED",
        jsonPath = ".status.rollout.updated",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "PAIRS",
        jsonPath = ".status.rollout.pairs",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "AGE",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class OffloadProfile extends CustomResource<OffloadProfileSpec, OffloadProfileStatus> {
    public static final String GROUP = "dpuoffload.io";
    public static final String VERSION = "v1alpha1";

    public OffloadProfile() {}

    public OffloadProfile(String name, OffloadProfileSpec spec) {
        getMetadata().setName(name);
        setSpec(spec);
    }
}
