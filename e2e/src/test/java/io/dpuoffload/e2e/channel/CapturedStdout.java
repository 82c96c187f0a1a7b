package io.dpuoffload.e2e.channel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** Runs a command line with System.out copied into a buffer (and still shown in the test's log). */
record CapturedStdout(int exitCode, String out) {

    static CapturedStdout of(Callable<Integer> command) throws Exception {
        PrintStream original = System.out;
        var captured = new ByteArrayOutputStream();
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                original.write(bytes, offset, length);
                captured.write(bytes, offset, length);
            }
        };
        int exitCode;
        try {
            System.setOut(new PrintStream(tee, true, StandardCharsets.UTF_8));
            exitCode = command.call();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
        return new CapturedStdout(exitCode, captured.toString(StandardCharsets.UTF_8));
    }
}
