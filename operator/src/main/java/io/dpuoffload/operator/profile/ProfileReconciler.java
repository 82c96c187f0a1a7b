package io.dpuoffload.operator.profile;

import io.dpuoffload.api.validation.ConfigException;
import io.dpuoffload.crd.OffloadNode;
import io.dpuoffload.crd.OffloadProfile;
import io.dpuoffload.crd.StatusFields;
import io.dpuoffload.crd.profile.OffloadProfileStatus;
import io.dpuoffload.crd.profile.ProfileResources;
import io.dpuoffload.crd.profile.RolloutStatus;
import io.dpuoffload.operator.EventRecorder;
import io.dpuoffload.operator.pair.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps an OffloadProfile's status: whether it is valid (the api module's checks, the same as for a
 * profile file), its revision, and how far its rollout has come, with a condition that says when a
 * rollout is paused or stopped at a pair that did not become Ready, and why.
 */
@ControllerConfiguration(name = ProfileReconciler.NAME, generationAwareEventProcessing = false)
public final class ProfileReconciler implements Reconciler<OffloadProfile> {
    public static final String NAME = "offloadprofile";
    public static final String VALID = "Valid";
    public static final String ROLLOUT_PROGRESSING = "RolloutProgressing";
    /** A rollout moves as pairs become Ready; look again this often while one is under way. */
    static final Duration RECHECK = Duration.ofSeconds(10);

    private final KubernetesClient client;
    private final EventRecorder events;
    private final Clock clock;

    public ProfileReconciler(KubernetesClient client, EventRecorder events, Clock clock) {
        this.client = client;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, OffloadProfile>> prepareEventSources(EventSourceContext<OffloadProfile> context) {
        var pairs = InformerEventSourceConfiguration.from(OffloadNode.class, OffloadProfile.class)
                .withName("pairs")
                .withSecondaryToPrimaryMapper((OffloadNode pair) -> pair.getSpec() == null
                        ? Set.of()
                        : pair.getSpec().profiles().stream()
                                .map(ResourceID::new)
                                .collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(pairs, context));
    }

    @Override
    public UpdateControl<OffloadProfile> reconcile(OffloadProfile profile, Context<OffloadProfile> context) {
        Instant now = clock.instant();
        String name = profile.getMetadata().getName();
        long generation = profile.getMetadata().getGeneration() == null
                ? 0
                : profile.getMetadata().getGeneration();
        OffloadProfileStatus before = profile.getStatus() == null
                ? new OffloadProfileStatus(null, null, null, List.of())
                : profile.getStatus();
        String revision = ProfileResources.revision(name, profile.getSpec());
        Conditions.Wanted valid;
        try {
            ProfileResources.toProfile(name, profile.getSpec());
            valid = new Conditions.Wanted(VALID, Conditions.TRUE, "Valid", "passes the profile checks");
        } catch (ConfigException e) {
            valid = new Conditions.Wanted(VALID, Conditions.FALSE, "Invalid", e.getMessage());
        }
        List<OffloadNode> all =
                context.getSecondaryResources(OffloadNode.class).stream().toList();
        RolloutState state = RolloutState.of(profile, revision, all, now);
        List<Condition> conditions =
                Conditions.merge(before.conditions(), List.of(valid, progress(state)), generation, now);
        for (Condition changed : Conditions.transitions(before.conditions(), conditions)) {
            String text = changed.getType() + " is " + changed.getStatus() + " (" + changed.getReason() + "): "
                    + changed.getMessage();
            if ("PairNotReady".equals(changed.getReason()) || "Invalid".equals(changed.getReason())) {
                events.warning(profile, changed.getReason(), text);
            } else {
                events.normal(profile, changed.getType(), text);
            }
        }
        RolloutStatus rollout = new RolloutStatus(
                state.pairs().size(),
                state.updated().size(),
                state.inFlight().map(RolloutState.InFlight::pair).orElse(null));
        OffloadProfileStatus after = new OffloadProfileStatus(generation, revision, rollout, conditions);
        if (!Objects.equals(before.observedGeneration(), after.observedGeneration())
                || !Objects.equals(before.revision(), after.revision())
                || !Objects.equals(before.rollout(), after.rollout())
                || !Conditions.same(before.conditions(), after.conditions())) {
            var fields = new java.util.LinkedHashMap<String, Object>();
            fields.put("observedGeneration", generation);
            fields.put("revision", revision);
            fields.put("rollout", rollout);
            fields.put("conditions", conditions);
            StatusFields.set(client, OffloadProfile.class, name, fields);
        }
        UpdateControl<OffloadProfile> control = UpdateControl.noUpdate();
        return state.complete() ? control : control.rescheduleAfter(RECHECK);
    }

    private static Conditions.Wanted progress(RolloutState state) {
        if (state.inFlight().isPresent() && state.inFlight().get().stalled()) {
            var stuck = state.inFlight().get();
            return new Conditions.Wanted(
                    ROLLOUT_PROGRESSING,
                    Conditions.FALSE,
                    "PairNotReady",
                    "stopped: pair " + stuck.pair() + " did not become Ready with revision " + state.revision()
                            + " within " + state.progressDeadline().toSeconds() + " s (" + stuck.why()
                            + "); fix the profile or the pair, the rollout goes on once it is Ready");
        }
        if (state.complete()) {
            return new Conditions.Wanted(
                    ROLLOUT_PROGRESSING,
                    Conditions.FALSE,
                    "Complete",
                    state.pairs().size() + " pair(s) run revision " + state.revision());
        }
        if (state.paused()) {
            return new Conditions.Wanted(
                    ROLLOUT_PROGRESSING,
                    Conditions.FALSE,
                    "Paused",
                    state.updated().size() + " of " + state.pairs().size() + " pair(s) updated; set"
                            + " spec.rollout.paused to false to go on");
        }
        return new Conditions.Wanted(
                ROLLOUT_PROGRESSING,
                Conditions.TRUE,
                "Updating",
                state.updated().size() + " of " + state.pairs().size() + " pair(s) run revision " + state.revision()
                        + state.inFlight().map(f -> "; updating " + f.pair()).orElse(""));
    }
}
