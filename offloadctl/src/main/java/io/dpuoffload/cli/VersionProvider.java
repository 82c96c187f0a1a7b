package io.dpuoffload.cli;

import io.dpuoffload.transport.ProtocolVersions;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the release, the wire protocol it speaks, and the JVM it runs on. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String release = Offloadctl.class.getPackage().getImplementationVersion();
        return new String[] {
            "offloadctl " + (release == null ? "development build" : release),
            "wire protocol " + ProtocolVersions.SUPPORTED,
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
