package io.dpuoffload.e2e.fs.workloads;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A bare git repository whose tags t1..t5 change a work tree in the ways a checkout must replay:
 * files added, changed, removed and renamed, the executable bit set and cleared, symlinks made and
 * retargeted, a directory replaced by a file and a file by a symlink.
 */
final class GitHistory {
    /** Checked out in this order: forwards, backwards and across several commits at once. */
    static final List<String> CHECKOUT_ORDER = List.of("t5", "t1", "t3", "t2", "t4", "t1", "t5");

    /** Each commit as a shell step on the seed's work tree. */
    private static final List<String> COMMITS = List.of(
            "mkdir -p lib docs thing && seq 1 2000 > lib/numbers && echo one > docs/readme && echo x > thing/inside"
                    + " && printf '#!/bin/sh\\necho run\\n' > run.sh && ln -s docs/readme README && echo plain > becomes-link",
            "seq 1 3000 > lib/numbers && chmod +x run.sh && git mv docs/readme docs/guide && ln -sfn docs/guide README"
                    + " && mkdir -p deep/a/b/c && echo deep > deep/a/b/c/file",
            "git rm -q -r thing && echo now-a-file > thing && chmod -x run.sh && rm becomes-link"
                    + " && ln -s lib/numbers becomes-link",
            "git rm -q -r deep && seq 5 7000 > lib/numbers && dd if=/dev/urandom of=lib/blob bs=64k count=8 2>/dev/null",
            "rm lib/blob && echo five >> docs/guide && chmod +x thing");

    private static final long GIT_TIMEOUT_SECONDS = 60;

    /** Makes the history in {@code dir}/seed and returns its bare clone, {@code dir}/bare.git. */
    static Path bareRepository(Path dir) throws IOException, InterruptedException {
        Path seed = Files.createDirectories(dir.resolve("seed"));
        sh(seed, "git init -q . && git config user.email test@example.invalid && git config user.name test");
        for (int i = 0; i < COMMITS.size(); i++) {
            String tag = "t" + (i + 1);
            sh(seed, COMMITS.get(i) + " && git add -A && git commit -q -m " + tag + " && git tag " + tag);
        }
        Path bare = dir.resolve("bare.git");
        sh(dir, "git clone -q --bare seed bare.git");
        return bare;
    }

    private static void sh(Path dir, String script) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).directory(dir.toFile());
        builder.redirectErrorStream(true);
        // No user or system configuration: the same history on any machine.
        builder.environment().put("HOME", dir.toString());
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        Process process = builder.start();
        if (!process.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("`" + script + "` did not end within " + GIT_TIMEOUT_SECONDS + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("`" + script + "` failed (" + process.exitValue() + "): " + output);
        }
    }

    private GitHistory() {}
}
