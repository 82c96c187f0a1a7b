package io.dpuoffload.agent.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialFilesTest {
    @TempDir
    Path state;

    @Test
    void theFilesAreInTheTransportsLayoutPrivateAndReplacedAllAtOnce() throws Exception {
        Path pki = state.resolve("pki");
        var first = new SecretCredentials("CA1", "CERT1", "KEY1");
        var second = new SecretCredentials("CA1", "CERT2", "KEY2");

        assertThat(CredentialFiles.write(pki, "host-1", first)).isTrue();
        var files = CredentialFiles.of(pki, "host-1");
        assertThat(Files.readString(files.caCertificate())).isEqualTo("CA1");
        assertThat(Files.readString(files.certificate())).isEqualTo("CERT1");
        assertThat(Files.readString(files.privateKey())).isEqualTo("KEY1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey())))
                .isEqualTo("rw-------");
        assertThat(CredentialFiles.write(pki, "host-1", first))
                .as("the same again: nothing written")
                .isFalse();
        Path firstVersion = pki.toRealPath();

        assertThat(CredentialFiles.write(pki, "host-1", second)).isTrue();
        assertThat(Files.readString(files.certificate())).isEqualTo("CERT2");
        assertThat(Files.readString(files.privateKey())).isEqualTo("KEY2");
        assertThat(Files.isSymbolicLink(pki)).isTrue();
        assertThat(firstVersion).as("the earlier version, removed").doesNotExist();
        try (var entries = Files.list(state)) {
            assertThat(entries).hasSize(2);
        }
    }
}
