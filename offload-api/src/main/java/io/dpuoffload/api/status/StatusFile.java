package io.dpuoffload.api.status;

import io.dpuoffload.api.yaml.Mappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where the standalone DPU agent keeps its {@link AgentStatus}: {@code status.yaml} in its state
 * directory, replaced whole at each change, so a reader never sees half of one.
 */
public final class StatusFile {
    private StatusFile() {}

    public static Path in(Path state) {
        return state.resolve("status.yaml");
    }

    public static void write(Path state, AgentStatus status) throws IOException {
        writeRecord(state, status);
    }

    /** The host agent's, in its own state directory. */
    public static void write(Path state, HostAgentStatus status) throws IOException {
        writeRecord(state, status);
    }

    private static void writeRecord(Path state, Object status) throws IOException {
        Path file = in(state);
        Path next = state.resolve("status.yaml.next");
        Files.writeString(next, Mappers.yaml().writeValueAsString(status));
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The status written last in {@code state}; NoSuchFileException when no agent wrote one there.
     * Fields it does not know are passed over: an agent newer than this reader may write more.
     */
    public static AgentStatus read(Path state) throws IOException {
        return read(state, AgentStatus.class);
    }

    /** The host agent's status written last in {@code state}, as {@link #read(Path)}. */
    public static HostAgentStatus readHost(Path state) throws IOException {
        return read(state, HostAgentStatus.class);
    }

    private static <T> T read(Path state, Class<T> type) throws IOException {
        return Mappers.yaml()
                .readerFor(type)
                .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(Files.readString(in(state)));
    }
}
