package io.dpuoffload.e2e.fs.workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A small C project with the shape make's incremental rebuilds depend on: objects that depend on
 * headers through compiler-generated dependency files (-MMD), an order-only build directory, a
 * header only some sources include, and a binary that prints what it computed.
 */
final class CProject {
    /** What {@code ./calc} prints. */
    static final String OUTPUT = "calc 1.0: 5 42 1.0";

    private static final Map<String, String> FILES = Map.of(
            "include/util.h", """
                    #pragma once
                    int add(int a, int b);
                    int mul(int a, int b);
                    const char *extra(void);
                    """,
            "include/version.h", """
                    #define VERSION "1.0"
                    """,
            "src/add.c", """
                    #include "util.h"
                    int add(int a, int b) { return a + b; }
                    """,
            "src/mul.c", """
                    #include "util.h"
                    int mul(int a, int b) { int r = 0; for (int i = 0; i < b; i++) r = add(r, a); return r; }
                    """,
            "src/main.c", """
                    #include <stdio.h>
                    #include "util.h"
                    #include "version.h"
                    int main(void) { printf("calc %s: %d %d %s\\n", VERSION, add(2, 3), mul(6, 7), extra()); return 0; }
                    """,
            "src/extra.c", """
                    #include "version.h"
                    const char *extra(void) { return VERSION; }
                    """,
            "Makefile", """
                    CFLAGS = -O1 -Iinclude -MMD -MP
                    OBJS = build/add.o build/mul.o build/main.o build/extra.o
                    calc: $(OBJS)
                    \t$(CC) -o $@ $(OBJS)
                    build/%.o: src/%.c | build
                    \t$(CC) $(CFLAGS) -c -o $@ $<
                    build:
                    \tmkdir -p build
                    -include $(OBJS:.o=.d)
                    """);

    static void write(Path dir) throws IOException {
        for (var file : FILES.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
    }

    private CProject() {}
}
