package io.dpuoffload.crd.node;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One mount in the DPU's root: its target, kind (e.g. offload-fs, bind, tmpfs), phase and any problem. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MountReport(String target, String kind, String phase, String detail) {}
