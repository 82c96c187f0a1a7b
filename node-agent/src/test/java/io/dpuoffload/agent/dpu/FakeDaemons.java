package io.dpuoffload.agent.dpu;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Starts {@link FakeProcess}es instead of daemons, as each daemon's script says (by the program the
 * command runs, and how many times it was started before), and answers which sockets are listened
 * at from what they say.
 */
final class FakeDaemons implements DaemonLauncher, ListeningSockets {
    /** A daemon's n-th process (0 the first). */
    interface Script extends Function<Integer, FakeProcess> {}

    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, List<FakeProcess>> started = new ConcurrentHashMap<>();
    /** The commands, in the order launched. */
    final List<List<String>> commands = new CopyOnWriteArrayList<>();
    /** The environment of each launch, in order. */
    final List<Map<String, String>> environments = new CopyOnWriteArrayList<>();
    /** Signals sent, "TERM name", across daemons in order. */
    final List<String> signals = new CopyOnWriteArrayList<>();

    private final Map<Path, java.util.concurrent.atomic.AtomicInteger> earlier = new ConcurrentHashMap<>();

    /**
     * Something not started here (an earlier agent's daemon shutting down, the DPU's own) listens at
     * {@code socket} for the next {@code looks} times anyone looks.
     */
    void listenedAtBefore(Path socket, int looks) {
        earlier.put(socket, new java.util.concurrent.atomic.AtomicInteger(looks));
    }

    /** {@code program}'s processes are {@code script}'s. */
    void script(String program, Script script) {
        scripts.put(program, script);
    }

    /** {@code program}'s processes so far. */
    List<FakeProcess> of(String program) {
        return started.getOrDefault(program, List.of());
    }

    @Override
    public Process launch(ProcessBuilder command) {
        List<String> line = List.copyOf(command.command());
        String program = programOf(line);
        List<FakeProcess> before = started.computeIfAbsent(program, p -> new CopyOnWriteArrayList<>());
        FakeProcess process =
                scripts.getOrDefault(program, n -> FakeProcess.running()).apply(before.size());
        process.named(program, signals);
        commands.add(line);
        environments.add(Map.copyOf(command.environment()));
        before.add(process);
        return process;
    }

    /** The daemon's program: the command after {@code chroot ROOT}. */
    private static String programOf(List<String> line) {
        int chroot = line.indexOf("/usr/sbin/chroot");
        return line.get(chroot + 2);
    }

    @Override
    public boolean listensAt(Path socket) {
        if (earlier.containsKey(socket) && earlier.get(socket).getAndDecrement() > 0) {
            return true;
        }
        return started.values().stream().flatMap(List::stream).anyMatch(p -> p.listensAt(socket));
    }
}
