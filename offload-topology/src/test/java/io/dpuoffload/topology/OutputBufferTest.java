package io.dpuoffload.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.topology.OutputBuffer.Channel;
import io.dpuoffload.topology.OutputBuffer.Line;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OutputBufferTest {

    private final List<Line> logged = new CopyOnWriteArrayList<>();
    private final OutputBuffer buffer = new OutputBuffer(logged::add);

    @Test
    void keepsStdoutAndStderrApartAndLogsEveryLine() {
        buffer.pump(stream("one\ntwo\nlast without newline"), Channel.STDOUT);
        buffer.pump(stream("oops\n"), Channel.STDERR);

        assertThat(buffer.text(Channel.STDOUT)).isEqualTo("one\ntwo\nlast without newline\n");
        assertThat(buffer.text(Channel.STDERR)).isEqualTo("oops\n");
        assertThat(logged).extracting(Line::text).containsExactly("one", "two", "last without newline", "oops");
        assertThat(buffer.ended()).isTrue();
    }

    @Test
    void splitsOverlongLinesSoOneLineCannotExhaustMemory() {
        buffer.pump(stream("x".repeat(OutputBuffer.MAX_LINE_BYTES * 2 + 5)), Channel.STDOUT);

        assertThat(logged)
                .extracting(line -> line.text().length())
                .containsExactly(OutputBuffer.MAX_LINE_BYTES, OutputBuffer.MAX_LINE_BYTES, 5);
    }

    @Test
    void dropsTheOldestLinesPastTheLimitAndSaysHowMany() {
        String line = "y".repeat(1000) + "\n";
        int lines = OutputBuffer.MAX_RETAINED_CHARS / 1000 + 50;

        buffer.pump(stream(line.repeat(lines)), Channel.STDOUT);

        assertThat(buffer.text(Channel.STDOUT).length()).isLessThanOrEqualTo(OutputBuffer.MAX_RETAINED_CHARS + lines);
        assertThat(buffer.droppedLines()).isGreaterThanOrEqualTo(50);
        assertThat(buffer.tail()).contains("earlier lines not shown");
        assertThat(logged).hasSize(lines);
    }

    @Test
    void awaitLineReturnsALinePrintedLaterOnEitherStream() throws Exception {
        PipedOutputStream out = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(out);
        Thread.ofVirtual().start(() -> buffer.pump(in, Channel.STDERR));

        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
                out.write("starting\nlistening on 198.51.100.1:7000\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });

        assertThat(buffer.awaitLine(Pattern.compile("listening on \\S+"), Duration.ofSeconds(10)))
                .hasValue("listening on 198.51.100.1:7000");
        assertThat(buffer.awaitLine(Pattern.compile("^starting$"), Duration.ZERO))
                .hasValue("starting");
        out.close();
    }

    @Test
    void awaitLineGivesUpAtOnceWhenBothStreamsHaveEnded() throws Exception {
        buffer.pump(stream("nothing useful\n"), Channel.STDOUT);
        buffer.pump(stream(""), Channel.STDERR);

        long start = System.nanoTime();
        assertThat(buffer.awaitLine(Pattern.compile("ready"), Duration.ofSeconds(30)))
                .isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(buffer.tail()).contains("out| nothing useful");
    }

    @Test
    void awaitLineTimesOutWhileTheProcessIsStillQuiet() throws Exception {
        assertThat(buffer.awaitLine(Pattern.compile("ready"), Duration.ofMillis(50)))
                .isEmpty();
        assertThat(buffer.tail()).contains("(no output)");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
