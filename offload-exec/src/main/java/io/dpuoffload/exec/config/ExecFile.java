package io.dpuoffload.exec.config;

import io.dpuoffload.api.validation.Problem;
import io.dpuoffload.api.validation.Problems;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code offloadctl exec serve}'s (and the DPU side's) YAML as Jackson binds it, its validation,
 * and the {@link ExecConfig} it means.
 *
 * @param allow host: the exact program paths the DPU may run
 * @param files host: where inherited regular files may be opened again
 * @param dropEnvironment client: variables not carried to the host
 */
public record ExecFile(
        String node,
        String listen,
        Path pki,
        List<String> peers,
        List<String> allow,
        List<String> files,
        List<String> dropEnvironment) {

    public ExecFile {
        pki = pki == null ? Path.of("/etc/dpu-offload/pki") : pki;
        peers = peers == null ? List.of() : peers;
        allow = allow == null ? List.of() : allow;
        files = files == null ? List.of() : files;
        dropEnvironment = dropEnvironment == null ? List.of() : dropEnvironment;
    }

    public List<Problem> problems() {
        Problems problems = new Problems();
        problems.required("node", node, "host-1");
        problems.absolute("pki", pki);
        for (int i = 0; i < allow.size(); i++) {
            String program = allow.get(i);
            if (program == null
                    || !program.startsWith("/")
                    || !Path.of(program).normalize().toString().equals(program)) {
                problems.add(
                        "allow[" + i + "]",
                        "'" + program
                                + "' must be an exact absolute path (no '.', '..' or trailing '/'), e.g. /usr/bin/qemu-system-x86_64");
            }
        }
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i) == null || !files.get(i).startsWith("/")) {
                problems.add(
                        "files[" + i + "]",
                        "'" + files.get(i) + "' must be an absolute directory, e.g. /var/lib/libvirt");
            }
        }
        return problems.list();
    }

    ExecConfig toConfig() {
        return new ExecConfig(
                node,
                listen,
                pki.normalize(),
                new LinkedHashSet<>(peers),
                new LinkedHashSet<>(allow),
                List.copyOf(dropEnvironment),
                List.copyOf(files));
    }
}
