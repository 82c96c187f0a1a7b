package io.dpuoffload.api.status;

/** The DPU agent's channel to its host agent. */
public record ChannelStatus(String endpoint, boolean connected) {}
