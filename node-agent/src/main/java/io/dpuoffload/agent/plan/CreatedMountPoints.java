package io.dpuoffload.agent.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mount points each step had to create (deepest first), kept in a file of the agent's state as
 * well: an agent started over the root a killed one left adopts its mounts, and must still know
 * which directories and placeholder files on the DPU's disk are ours to remove at teardown.
 * Steps are known by their description, which the same configuration makes the same.
 */
final class CreatedMountPoints {
    private static final Logger log = LoggerFactory.getLogger(CreatedMountPoints.class);

    private final Path record;
    private final Map<String, Deque<Path>> byStep = new LinkedHashMap<>();

    /** What {@code record} holds (an earlier agent's), if it exists. */
    CreatedMountPoints(Path record) {
        this.record = record;
        try {
            if (Files.exists(record)) {
                for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                    int tab = line.lastIndexOf('\t');
                    if (tab > 0) {
                        byStep.computeIfAbsent(line.substring(0, tab), s -> new ArrayDeque<>())
                                .add(Path.of(line.substring(tab + 1)));
                    }
                }
            }
        } catch (IOException e) {
            log.warn("cannot read {}: {}; an earlier agent's mount points may stay behind", record, e.getMessage());
        }
    }

    void add(MountStep step, List<Path> deepestFirst) {
        byStep.computeIfAbsent(step.describe(), s -> new ArrayDeque<>()).addAll(deepestFirst);
        save();
    }

    /** Where an agent with state directory {@code state} keeps the record. */
    static Path recordIn(Path state) {
        return state.resolve("mount-points");
    }

    /** Every step's mount points, the last step's first and each deepest first, forgotten now (the caller removes them). */
    List<Path> takeAll() {
        List<String> steps = new ArrayList<>(byStep.keySet());
        List<Path> all = new ArrayList<>();
        for (String step : steps.reversed()) {
            all.addAll(byStep.remove(step));
        }
        save();
        return all;
    }

    /** The step's mount points, forgotten now (the caller removes them). */
    Deque<Path> take(MountStep step) {
        Deque<Path> paths = byStep.remove(step.describe());
        save();
        return paths == null ? new ArrayDeque<>() : paths;
    }

    private void save() {
        try {
            if (byStep.isEmpty()) {
                Files.deleteIfExists(record);
                return;
            }
            List<String> lines = new ArrayList<>();
            byStep.forEach((step, paths) -> paths.forEach(path -> lines.add(step + "\t" + path)));
            Files.createDirectories(record.getParent());
            Files.write(record, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("cannot write {}: {}", record, e.getMessage());
        }
    }
}
