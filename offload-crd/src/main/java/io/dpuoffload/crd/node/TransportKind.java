package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonProperty;

public enum TransportKind {
    @JsonProperty("tcp")
    TCP,
    @JsonProperty("vsock")
    VSOCK
}
