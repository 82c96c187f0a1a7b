package io.dpuoffload.api.spec;

import java.nio.file.Path;

/**
 * A file the daemons find in the root in place of the DPU's own (their configuration for life in
 * the root, so the DPU's stays as its package left it).
 *
 * @param path where in the root
 */
public record RootFile(Path path, String content) {}
