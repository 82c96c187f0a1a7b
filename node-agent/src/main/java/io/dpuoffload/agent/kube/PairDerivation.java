package io.dpuoffload.agent.kube;

import io.dpuoffload.api.spec.Pair;
import io.dpuoffload.api.spec.Profile;
import io.dpuoffload.api.spec.ResolvedPair;
import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.api.validation.PairValidation;
import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.yaml.Durations;
import io.dpuoffload.crd.NodeSecrets;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.node.AgentReport;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.node.PinnedProfile;
import io.dpuoffload.crd.node.TransportKind;
import io.dpuoffload.crd.node.TransportSpec;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.transport.net.Endpoint;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * From an OffloadNode, this node's role in it and the node's Secret to what this agent runs (pure
 * functions): the profiles the operator pinned in {@code status.profiles} (never the OffloadProfiles
 * themselves), the transport from {@code spec.transport}, and on the DPU the endpoint the host agent
 * reported.
 */
public final class PairDerivation {
    /** Where the host agent listens on TCP: every address of the node (the pod is on the host network). */
    static final String ALL_ADDRESSES = "0.0.0.0";

    private PairDerivation() {}

    /** @param secret the node's Secret, null when it does not exist (yet) */
    public static Derivation derive(OffloadNode resource, AgentRole role, AgentSettings settings, Secret secret) {
        String name = resource.getMetadata().getName();
        OffloadNodeSpec spec = resource.getSpec();
        if (spec == null || spec.hostNode() == null || spec.dpuNode() == null) {
            return new Derivation.Invalid(Derivation.SPEC_INVALID, "OffloadNode " + name + " names no host or DPU");
        }
        if (secret == null) {
            return new Derivation.Waiting(
                    Derivation.WAITING_FOR_OPERATOR,
                    "the Secret " + settings.namespace() + "/" + NodeSecrets.name(settings.node())
                            + " with this node's certificate does not exist yet");
        }
        SecretCredentials credentials;
        try {
            credentials = SecretCredentials.from(secret);
        } catch (IllegalArgumentException e) {
            return new Derivation.Invalid(Derivation.SECRET_INCOMPLETE, e.getMessage());
        }
        List<PinnedProfile> pinned =
                resource.getStatus() == null ? null : resource.getStatus().profiles();
        if (pinned == null || pinned.isEmpty()) {
            return new Derivation.Waiting(
                    Derivation.WAITING_FOR_OPERATOR,
                    "the operator has not pinned this pair's profiles (status.profiles) yet");
        }
        List<Profile> profiles = new ArrayList<>();
        try {
            for (PinnedProfile profile : pinned) {
                profiles.add(ProfileResources.toProfile(profile.name(), profile.spec()));
            }
        } catch (ConfigException e) {
            return new Derivation.Invalid(Derivation.PROFILE_INVALID, e.getMessage());
        }
        List<Problem> conflicts = PairValidation.acrossProfiles(profiles);
        if (!conflicts.isEmpty()) {
            return new Derivation.Invalid(
                    Derivation.PROFILE_INVALID,
                    conflicts.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        }
        Duration keepRunsFor = null;
        if (spec.keepRunsFor() != null) {
            keepRunsFor = Durations.parse(spec.keepRunsFor()).orElse(null);
            if (keepRunsFor == null) {
                return notADuration("spec.keepRunsFor", spec.keepRunsFor());
            }
        }
        Duration resumeWithin = null;
        if (spec.resumeWithin() != null) {
            resumeWithin = Durations.parse(spec.resumeWithin()).orElse(null);
            if (resumeWithin == null) {
                return notADuration("spec.resumeWithin", spec.resumeWithin());
            }
        }
        Endpoints endpoints = role == AgentRole.HOST
                ? hostEndpoints(spec.transportOrDefault(), settings)
                : dpuEndpoint(resource, spec);
        if (endpoints.problem() != null) {
            return endpoints.problem();
        }
        Pair pair = new Pair(
                name,
                new Pair.Host(
                        spec.hostNode(),
                        endpoints.hostEndpoint(),
                        keepRunsFor,
                        resumeWithin,
                        settings.hostState(),
                        spec.bridges()),
                new Pair.Dpu(spec.dpuNode(), settings.root(), settings.dpuState()),
                settings.pki(),
                pinned.stream().map(PinnedProfile::name).toList());
        List<String> revisions = pinned.stream()
                .map(profile -> profile.name() + "@" + profile.revision())
                .toList();
        long generation = resource.getMetadata().getGeneration() == null
                ? 0
                : resource.getMetadata().getGeneration();
        return new Derivation.Run(
                new Plan(role, name, generation, new ResolvedPair(pair, profiles), endpoints.endpoint(), revisions),
                credentials);
    }

    /**
     * Where this side listens or dials, and the host's endpoint as the pair names it; or why there
     * is none.
     */
    private record Endpoints(Endpoint endpoint, String hostEndpoint, Derivation problem) {
        static Endpoints of(Endpoint endpoint, String hostEndpoint) {
            return new Endpoints(endpoint, hostEndpoint, null);
        }

        static Endpoints none(Derivation problem) {
            return new Endpoints(null, null, problem);
        }
    }

    /** The host listens on every address (or vsock's any CID) and tells the DPU the node's own. */
    private static Endpoints hostEndpoints(TransportSpec transport, AgentSettings settings) {
        int port = transport.portOrDefault();
        Endpoint listen;
        String advertised;
        if (transport.kindOrDefault() == TransportKind.VSOCK) {
            if (transport.cid() == null) {
                return Endpoints.none(
                        new Derivation.Invalid(Derivation.SPEC_INVALID, "spec.transport kind vsock needs cid"));
            }
            listen = Endpoint.parse("vsock://any:" + port);
            advertised = "vsock://" + transport.cid() + ":" + port;
        } else {
            if (settings.advertise() == null || settings.advertise().isBlank()) {
                return Endpoints.none(new Derivation.Invalid(
                        Derivation.SPEC_INVALID,
                        "the host agent has no address to report: set HOST_IP (the downward API's"
                                + " status.hostIP) or --advertise"));
            }
            listen = new Endpoint.Tcp(ALL_ADDRESSES, port);
            advertised = new Endpoint.Tcp(settings.advertise(), port).toString();
        }
        return Endpoints.of(listen, advertised);
    }

    /** The DPU dials what the host agent reported in status.host.channel.endpoint. */
    private static Endpoints dpuEndpoint(OffloadNode resource, OffloadNodeSpec spec) {
        AgentReport host = AgentRole.HOST.reportIn(resource);
        String reported =
                host == null || host.channel() == null ? null : host.channel().endpoint();
        if (reported == null || Boolean.TRUE.equals(host.tornDown())) {
            return Endpoints.none(new Derivation.Waiting(
                    Derivation.WAITING_FOR_HOST,
                    "the host agent on " + spec.hostNode() + " has not reported its endpoint yet"));
        }
        try {
            return Endpoints.of(Endpoint.parse(reported), reported);
        } catch (IllegalArgumentException e) {
            return Endpoints.none(new Derivation.Invalid(
                    Derivation.SPEC_INVALID, "status.host.channel.endpoint '" + reported + "': " + e.getMessage()));
        }
    }

    private static Derivation.Invalid notADuration(String field, String value) {
        return new Derivation.Invalid(
                Derivation.SPEC_INVALID, field + " '" + value + "' is no duration (" + Durations.FORMS + ")");
    }
}
