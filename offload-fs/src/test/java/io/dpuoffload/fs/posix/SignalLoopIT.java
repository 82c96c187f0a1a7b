package io.dpuoffload.fs.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.fs.allowlist.Allowlist;
import io.dpuoffload.fs.config.CachePolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Programs that take signals all the time (a C daemon's timers, the Go runtime's preemption) see
 * the same results on the mount as on a local directory: the kernel sends FUSE an INTERRUPT for
 * each signal that lands during a call, and a call that cannot block must still complete and
 * answer what the host did — no EINTR, no EAGAIN, no EEXIST from a retry of a call that was done.
 */
class SignalLoopIT {
    /** The timer: a signal every 200 µs, several per file operation on the mount. */
    private static final int TIMER_MICROS = 200;

    /** Bounds of one run: whichever comes first. */
    private static final int SECONDS = 4;

    private static final int MAX_ITERATIONS = 20_000;

    /** Fewer signals than this in a run would mean the timer did not really fire during the calls. */
    private static final long MIN_SIGNALS = 100;

    @TempDir
    static Path work;

    @TempDir
    static Path ttlWork;

    @TempDir
    static Path tools;

    static PosixMount none;
    static PosixMount ttl;
    static Path cLoop;
    static Path goLoop;

    @BeforeAll
    static void start() throws Exception {
        TestPrograms programs = new TestPrograms(tools);
        cLoop = programs.c("signal_loop");
        goLoop = programs.go("signal_loop");
        none = PosixMount.start(work);
        ttl = PosixMount.start(ttlWork, Allowlist.allowAll(), CachePolicy.TTL, false);
    }

    @AfterAll
    static void stop() {
        if (none != null) {
            none.close();
        }
        if (ttl != null) {
            ttl.close();
        }
    }

    @Test
    void aCProgramWithATimerSeesWhatItSeesLocally() throws Exception {
        compare(cLoop, none.fresh());
        compare(cLoop, ttl.fresh());
    }

    @Test
    void aGoProgramSeesWhatItSeesLocally() throws Exception {
        compare(goLoop, none.fresh());
        compare(goLoop, ttl.fresh());
    }

    private static void compare(Path program, Sides d) throws Exception {
        Map<String, Long> local = results(program, d.local());
        Map<String, Long> mounted = results(program, d.mount());
        assertThat(calls(local)).as("the loop on a local directory").containsOnlyKeys(successes());
        assertThat(mounted.get("signals"))
                .as("signals during the run on the mount")
                .isGreaterThan(MIN_SIGNALS);
        System.out.printf(
                "%s on %s: %d iterations (local: %d) under %d signals, results %s%n",
                program.getFileName(),
                d.mount(),
                mounted.get("iterations"),
                local.get("iterations"),
                mounted.get("signals"),
                calls(mounted));
        assertThat(calls(mounted))
                .as("results of %s on the mount (call errno → count), signals %d", program, mounted.get("signals"))
                .containsOnlyKeys(successes());
    }

    /** "call errno" → count, plus "iterations" and "signals". */
    private static Map<String, Long> results(Path program, Path dir) throws Exception {
        String output = TestPrograms.run(
                List.of(
                        program.toString(),
                        dir.toString(),
                        Integer.toString(SECONDS),
                        Integer.toString(MAX_ITERATIONS),
                        Integer.toString(TIMER_MICROS)),
                SECONDS + 60);
        Map<String, Long> results = new TreeMap<>();
        for (String line : output.strip().split("\n")) {
            int last = line.lastIndexOf(' ');
            results.put(line.substring(0, last), Long.parseLong(line.substring(last + 1)));
        }
        return results;
    }

    private static Map<String, Long> calls(Map<String, Long> results) {
        Map<String, Long> calls = new TreeMap<>(results);
        calls.remove("iterations");
        calls.remove("signals");
        return calls;
    }

    private static String[] successes() {
        return new String[] {"create 0", "stat 0", "symlink 0", "unlink-link 0", "utime 0", "unlink-file 0"};
    }
}
