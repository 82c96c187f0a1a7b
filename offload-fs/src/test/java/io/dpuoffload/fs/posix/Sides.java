package io.dpuoffload.fs.posix;

import java.nio.file.Path;

/**
 * One test's directory seen three ways: on the host ({@code host}), through the mount on the DPU side
 * ({@code mount}, the same directory), and a plain host directory outside any export ({@code local})
 * where a test repeats a call to learn what the kernel itself answers.
 */
record Sides(Path host, Path mount, Path local) {
    Path host(String name) {
        return host.resolve(name);
    }

    Path mount(String name) {
        return mount.resolve(name);
    }

    Path local(String name) {
        return local.resolve(name);
    }
}
