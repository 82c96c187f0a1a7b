package io.dpuoffload.exec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpuoffload.api.validation.ConfigException;
import org.junit.jupiter.api.Test;

class ExecConfigLoaderTest {
    @Test
    void readsBothSides() {
        ExecConfig host = ExecConfigLoader.parse("""
                node: host-1
                listen: tcp://198.51.100.1:7300
                pki: /etc/dpu-offload/pki
                peers: [dpu-1]
                allow: [/usr/bin/qemu-system-x86_64]
                files: [/var/lib/libvirt]
                """);
        assertThat(host.allow()).containsExactly("/usr/bin/qemu-system-x86_64");
        assertThat(host.files()).containsExactly("/var/lib/libvirt");
        ExecConfig dpu = ExecConfigLoader.parse("""
                node: dpu-1
                peers: [host-1]
                dropEnvironment: [SSH_AUTH_SOCK]
                """);
        assertThat(dpu.environment()).containsExactly("SSH_AUTH_SOCK");
        assertThat(dpu.allow()).isEmpty();
        assertThat(dpu.files()).isEmpty();
    }

    @Test
    void namesTheFieldAndTheFix() {
        assertThatThrownBy(() -> ExecConfigLoader.parse("node: h\nallow: [qemu]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("allow")
                .hasMessageContaining("exact absolute path");
        assertThatThrownBy(() -> ExecConfigLoader.parse("node: h\nfiles: [var/lib]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("files")
                .hasMessageContaining("absolute directory");
        assertThatThrownBy(() -> ExecConfigLoader.parse("node: h\nalow: [/bin/true]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alow");
    }
}
