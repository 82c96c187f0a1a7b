package io.dpuoffload.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpuoffload.crd.node.OffloadNodeSpec;
import io.dpuoffload.crd.testing.CrdSchemas;
import io.dpuoffload.crd.testing.Resources;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mistakes a user can make in an OffloadNode or OffloadProfile are refused at {@code kubectl apply},
 * each with a message that names the field and what is wrong with it; and what is right but unusual
 * (a transport without its kind, a vsock with its cid) is not refused. Each case is a sample with
 * one change.
 */
class WrongResourcesTest {
    private static final CrdSchemas CRDS = CrdSchemas.committed();

    static Stream<Arguments> wrongResources() {
        return Stream.of(
                wrongNode(
                        "the host as its own DPU",
                        spec -> spec.put("dpuNode", "host-1"),
                        "spec",
                        "hostNode and dpuNode must be two different nodes"),
                wrongNode(
                        "an unknown field (hostnode)",
                        spec -> spec.set("hostnode", spec.remove("hostNode")),
                        "hostnode",
                        "not defined in the schema"),
                wrongNode(
                        "a transport that is neither tcp nor vsock",
                        spec -> spec.with("transport").put("kind", "udp"),
                        "spec.transport.kind",
                        "enumeration [\"tcp\", \"vsock\"]"),
                wrongNode(
                        "vsock without the host's cid",
                        spec -> spec.with("transport").put("kind", "vsock"),
                        "spec.transport",
                        "transport kind vsock needs the host's cid"),
                wrongNode(
                        "port 70000",
                        spec -> spec.with("transport").put("port", 70000),
                        "spec.transport.port",
                        "65535"),
                wrongNode(
                        "keepRunsFor in words",
                        spec -> spec.put("keepRunsFor", "10 minutes"),
                        "spec.keepRunsFor",
                        "does not match the regex pattern"),
                wrongNode(
                        "resumeWithin in words",
                        spec -> spec.put("resumeWithin", "a minute"),
                        "spec.resumeWithin",
                        "does not match the regex pattern"),
                wrongNode("no profiles", spec -> spec.putArray("profiles"), "spec.profiles", "at least 1"),
                wrongNode(
                        "more profiles than a pair may run",
                        spec -> {
                            for (int i = 0; i < OffloadNodeSpec.MOST_PROFILES; i++) {
                                spec.withArray("profiles").add("profile-" + i);
                            }
                        },
                        "spec.profiles",
                        "at most " + OffloadNodeSpec.MOST_PROFILES),
                wrongNode("no host node", spec -> spec.remove("hostNode"), "hostNode", "required"),
                wrongProfile(
                        "a share name with capitals",
                        spec -> share(spec, 1).put("name", "VM-Images"),
                        "spec.shares[1].name",
                        "does not match the regex pattern"),
                wrongProfile(
                        "a relative hostPath",
                        spec -> share(spec, 1).put("hostPath", "var/lib/dpu-offload/images"),
                        "spec.shares[1].hostPath",
                        "does not match the regex pattern ^/"),
                wrongProfile(
                        "cache sometimes",
                        spec -> share(spec, 0).put("cache", "sometimes"),
                        "spec.shares[0].cache",
                        "enumeration [\"none\", \"ttl\"]"),
                wrongProfile(
                        "restart sometimes",
                        spec -> daemon(spec, 0).put("restart", "sometimes"),
                        "spec.daemons[0].restart",
                        "enumeration [\"always\", \"never\", \"on-failure\"]"),
                wrongProfile(
                        "a health check of both kinds",
                        spec -> daemon(spec, 1).with("health").put("socket", "/run/libvirt/libvirt-sock"),
                        "spec.daemons[1].health",
                        "give exactly one kind of check"),
                wrongProfile(
                        "a health check of containerd's and libvirt's kinds",
                        spec -> daemon(spec, 1).with("health").put("containerd", "/run/containerd/containerd.sock"),
                        "spec.daemons[1].health",
                        "give exactly one kind of check"),
                wrongProfile(
                        "a health check of neither kind",
                        spec -> daemon(spec, 1).with("health").remove("libvirt"),
                        "spec.daemons[1].health",
                        "give exactly one kind of check"),
                wrongProfile(
                        "an allow key that is not an operation",
                        spec -> share(spec, 2).with("allow").putArray("chmod").add("/"),
                        "spec.shares[2]",
                        "allow's keys are operations"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongResources")
    void isRefusedNamingTheProblem(String what, JsonNode resource, String field, String problem) {
        List<String> problems = CRDS.validate(resource);

        assertThat(problems)
                .as("%s, in %s", what, Resources.toYaml(resource.path("spec")))
                .anySatisfy(message -> assertThat(message).contains(field).contains(problem));
    }

    static Stream<Arguments> unusualButRight() {
        return Stream.of(
                rightNode(
                        "a transport with only a port",
                        spec -> spec.set("transport", spec.objectNode().put("port", 7401))),
                rightNode("no transport at all", spec -> spec.remove("transport")),
                rightNode(
                        "vsock with the host's cid",
                        spec -> spec.with("transport").put("kind", "vsock").put("cid", 3)),
                rightNode("two profiles, no keepRunsFor", spec -> {
                    spec.withArray("profiles").add("containerd");
                    spec.remove("keepRunsFor");
                }),
                rightProfile("a health check by socket", spec -> {
                    ObjectNode health = daemon(spec, 1).with("health");
                    health.remove("libvirt");
                    health.put("socket", "/run/libvirt/libvirt-sock");
                }),
                rightProfile("a share with a ttl and shared fifos", spec -> share(spec, 1)
                        .put("cache", "ttl")
                        .put("ttl", "500ms")
                        .set("sharedFifos", spec.arrayNode().add("/var/lib/dpu-offload/images/fifo"))),
                rightProfile("an empty spec", spec -> spec.removeAll()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusualButRight")
    void isAccepted(String what, JsonNode resource) {
        assertThat(CRDS.validate(resource)).as(what).isEmpty();
    }

    private static Arguments wrongNode(String what, Consumer<ObjectNode> change, String field, String problem) {
        return Arguments.of(what, changed("offloadnode.yaml", change), field, problem);
    }

    private static Arguments wrongProfile(String what, Consumer<ObjectNode> change, String field, String problem) {
        return Arguments.of(what, changed("offloadprofile-libvirt.yaml", change), field, problem);
    }

    private static Arguments rightNode(String what, Consumer<ObjectNode> change) {
        return Arguments.of(what, changed("offloadnode.yaml", change));
    }

    private static Arguments rightProfile(String what, Consumer<ObjectNode> change) {
        return Arguments.of(what, changed("offloadprofile-libvirt.yaml", change));
    }

    /** The sample in {@code file} with {@code change} made to its spec. */
    private static JsonNode changed(String file, Consumer<ObjectNode> change) {
        ObjectNode resource = (ObjectNode)
                Resources.read(SamplesTest.SAMPLES.resolve(file)).getFirst().deepCopy();
        change.accept(resource.with("spec"));
        return resource;
    }

    private static ObjectNode share(ObjectNode spec, int index) {
        return (ObjectNode) ((ArrayNode) spec.get("shares")).get(index);
    }

    private static ObjectNode daemon(ObjectNode spec, int index) {
        return (ObjectNode) ((ArrayNode) spec.get("daemons")).get(index);
    }
}
