package io.dpuoffload.e2e.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks that a demo or bench run left nothing behind, from what it printed and what the machine shows. */
final class Leftovers {

    private static final Pattern NAMESPACE = Pattern.compile("network namespaces (\\S+) and (\\S+) ");
    private static final Pattern PIDS = Pattern.compile("stopped \\d+ process\\(es\\) \\(pids ([0-9, ]+)\\)");
    private static final Pattern PKI = Pattern.compile("removed the certificates in (\\S+)\\.(\\s|$)");

    private Leftovers() {}

    static void assertNoneAfter(String output, int processes) throws IOException, InterruptedException {
        List<String> namespaces = groups(NAMESPACE, output);
        assertThat(namespaces)
                .as("namespaces the run reported deleting")
                .hasSize(2)
                .allMatch(n -> n.startsWith("dpuo-"));
        assertThat(ipNetnsList()).doesNotContainAnyElementsOf(namespaces);

        List<Long> pids = Arrays.stream(groups(PIDS, output).getFirst().split(",\\s*"))
                .map(Long::parseLong)
                .toList();
        assertThat(pids).as("pids the run reported stopping").hasSize(processes);
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("pid " + pid)
                .isEmpty());
        assertThat(ProcessHandle.current()
                        .descendants()
                        .filter(ProcessHandle::isAlive)
                        .toList())
                .as("processes this JVM started")
                .isEmpty();

        Path pki = Path.of(groups(PKI, output).getFirst());
        assertThat(Files.exists(pki)).as(pki + " still exists").isFalse();
    }

    private static List<String> ipNetnsList() throws IOException, InterruptedException {
        Process ip = new ProcessBuilder("ip", "netns", "list")
                .redirectErrorStream(true)
                .start();
        String listing = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ip.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return listing.lines().map(line -> line.split("\\s+")[0]).toList();
    }

    private static List<String> groups(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as("/" + pattern + "/ in the output").isTrue();
        return java.util.stream.IntStream.rangeClosed(1, m.groupCount())
                .mapToObj(m::group)
                .filter(g -> g != null && !g.isBlank())
                .toList();
    }
}
