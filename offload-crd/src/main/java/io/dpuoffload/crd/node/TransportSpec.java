package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the DPU agent reaches the host agent. Both kinds carry the same mutual-TLS channel.
 *
 * @param kind {@code tcp} (to the host node's InternalIP) or {@code vsock}
 * @param port the host agent's port; default 7400
 * @param cid the host's vsock context id, for {@code vsock}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// has(self.kind) first: the API server refuses a rule that reads an absent field, so without it a
// transport that leaves kind to its default (tcp) would be refused.
@ValidationRule(
        value = "!has(self.kind) || self.kind != 'vsock' || has(self.cid)",
        message = "transport kind vsock needs the host's cid")
public record TransportSpec(
        @JsonPropertyDescription("tcp (default) or vsock.") TransportKind kind,

        @Min(1) @Max(65535) @JsonPropertyDescription("The host agent's port; default 7400.")
        Integer port,

        @Min(2) @JsonPropertyDescription("The host's vsock context id (kind vsock).")
        Long cid) {
    public static final int DEFAULT_PORT = 7400;
    public static final TransportSpec DEFAULT = new TransportSpec(TransportKind.TCP, DEFAULT_PORT, null);

    public TransportKind kindOrDefault() {
        return kind == null ? TransportKind.TCP : kind;
    }

    public int portOrDefault() {
        return port == null ? DEFAULT_PORT : port;
    }
}
