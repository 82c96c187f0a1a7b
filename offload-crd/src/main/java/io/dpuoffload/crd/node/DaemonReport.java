package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One daemon in the DPU's root: running, healthy (null without a check), restarts and why. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DaemonReport(
        String name, Boolean running, Long pid, Integer restarts, Integer lastExit, Boolean healthy, String detail) {}
