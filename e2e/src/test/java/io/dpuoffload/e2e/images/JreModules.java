package io.dpuoffload.e2e.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The Java modules of the images' JRE (images/jre-modules), and those an image's class path needs (jdeps). */
final class JreModules {

    /**
     * Modules jdeps names that the images leave out on purpose (docs/kubernetes.md, Images): java.desktop for
     * optional uses only (Jackson's and SnakeYAML's java.beans support, JNA's AWT helpers), 24 MB and the X11
     * libraries; java.compiler for the Java Operator SDK's annotation processor, which runs at compile time.
     */
    static final Set<String> LEFT_OUT = Set.of("java.desktop", "java.compiler");

    /** jdeps reads some 60 jars in a few seconds. */
    private static final Duration JDEPS_TIMEOUT = Duration.ofMinutes(2);

    private JreModules() {}

    /** The list the base's JRE is linked with. */
    static Set<String> listed() throws IOException {
        Path file = Path.of(System.getProperty("images.modules", "../images/jre-modules"));
        Set<String> modules = new TreeSet<>();
        for (String line : Files.readAllLines(file)) {
            String module = line.replaceFirst("#.*", "").strip();
            if (!module.isEmpty()) {
                modules.add(module);
            }
        }
        return modules;
    }

    /** What {@code jdeps --print-module-deps} finds over the jars under APP (an image's /app). */
    static Set<String> neededBy(Path app) throws IOException, InterruptedException {
        List<String> jars;
        try (Stream<Path> files = Files.walk(app)) {
            jars = files.filter(f -> f.toString().endsWith(".jar"))
                    .map(Path::toString)
                    .sorted()
                    .toList();
        }
        if (jars.isEmpty()) {
            throw new IOException("no jars under " + app);
        }
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        List<String> command = new ArrayList<>(List.of(
                jdeps.toString(),
                "--print-module-deps",
                "--ignore-missing-deps",
                "--multi-release",
                Integer.toString(Runtime.version().feature()),
                "-q",
                "--class-path",
                String.join(":", jars)));
        command.addAll(jars);
        List<String> lines =
                BoundedCommand.check(JDEPS_TIMEOUT, command).strip().lines().toList();
        return new TreeSet<>(Arrays.asList(lines.getLast().split(",")));
    }
}
