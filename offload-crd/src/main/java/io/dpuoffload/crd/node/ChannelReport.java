package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * @param endpoint where the host agent listens (host) or what the DPU agent dials (DPU)
 * @param connected whether the peer is connected now
 * @param connections connections made since the agent started
 * @param requests requests (and notices) the host served for its DPU since the host agent started;
 *     the host's report only (the DPU's agent has a connection per service)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChannelReport(String endpoint, Boolean connected, Long connections, Long requests) {}
