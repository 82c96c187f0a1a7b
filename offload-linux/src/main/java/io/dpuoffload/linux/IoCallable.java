package io.dpuoffload.linux;

import java.io.IOException;

/** Work that may fail with an {@link IOException} (an {@link ErrnoException} usually). */
@FunctionalInterface
public interface IoCallable<T> {
    T call() throws IOException;
}
