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
        return Mappers.yaml()
                .readerFor(AgentStatus.class)
                .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(Files.readString(in(state)));
    }
}
