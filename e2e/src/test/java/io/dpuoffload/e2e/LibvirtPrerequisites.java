package io.dpuoffload.e2e;

/** libvirt's tools and QEMU, for the tests that run them: skipped with the reason where missing, never in CI. */
public final class LibvirtPrerequisites {
    private LibvirtPrerequisites() {}

    public static void require(String test) {
        MissingTools.require(test, io.dpuoffload.cli.demo.LibvirtSandbox.missingTools());
    }
}
