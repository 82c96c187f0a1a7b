package io.dpuoffload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.pki.TlsFileException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExitCodeMapperTest {

    @Test
    void anUnknownCommandIsAUsageError() {
        var cli = Offloadctl.commandLine();
        var err = new StringWriter();
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("no-such-command");

        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("no-such-command");
    }

    @Test
    void runTimeFailuresKeepTheirOwnCodes() {
        var mapper = new ExitCodeMapper();

        assertThat(mapper.getExitCode(new BadInputException("pair.yaml: no such file")))
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(mapper.getExitCode(new TlsFileException(Path.of("/etc/dpu-offload/pki/ca.crt"), "no such file")))
                .isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(mapper.getExitCode(new InterruptedException())).isEqualTo(ExitCodes.INTERRUPTED);
        assertThat(mapper.getExitCode(new IllegalStateException("boom"))).isEqualTo(ExitCodes.FAILURE);
    }
}
