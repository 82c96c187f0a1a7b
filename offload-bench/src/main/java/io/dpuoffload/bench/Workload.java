package io.dpuoffload.bench;

import java.util.List;

/** A benchmark's checked workload sizes: told to the user, and passed on to the DPU side that measures them. */
public interface Workload {

    /** "4.00 MiB of data, 100 files, ...; 3 runs", for the line before the run. */
    String describe();

    /** The same sizes as options of the DPU side's command line. */
    List<String> toArgs();
}
