package io.dpuoffload.cli.demo;

import java.io.PrintWriter;

/** The demo's story as it is told: numbered steps of a known count, each with indented details. */
final class Narrator {
    private final PrintWriter out;
    private final int steps;
    private int step;

    Narrator(PrintWriter out, int steps) {
        this.out = out;
        this.steps = steps;
    }

    void step(String text) {
        out.printf("%n[%d/%d] %s%n", ++step, steps, text);
        out.flush();
    }

    void detail(String text) {
        out.println("      " + text);
        out.flush();
    }
}
