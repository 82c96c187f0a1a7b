package io.dpuoffload.bench.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.dpuoffload.cli.MachineInfo;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class FsBenchReportTest {

    private static final BenchLoad LOAD = new BenchLoad(512L << 20, 2000, 5000, 5000, 9000, 3);
    private static final MachineInfo MACHINE =
            new MachineInfo(2, "Test CPU", "Linux 6.1.0", "Java 25", LocalDate.of(2026, 1, 2));

    @Test
    void survivesItsJsonLine() {
        FsBenchReport report = FsBenchReport.empty(LOAD)
                .with(FsKind.SSHFS, Row.SEQ_WRITE, 212.5)
                .with(FsKind.SSHFS, Row.SEQ_WRITE, 220.25)
                .with(FsKind.OFFLOAD_FS, Row.PROC_STAT, 1500)
                .withNote("sshfs.cipher", "aes128-gcm@openssh.com");

        String json = report.toJson();

        assertThat(json).doesNotContain("\n").startsWith("{");
        assertThat(FsBenchReport.fromJson(json)).isEqualTo(report);
    }

    @Test
    void theMedianIsTheMiddleRunAndAMissingRowHasNone() {
        FsBenchReport report = FsBenchReport.empty(LOAD)
                .with(FsKind.TMPFS, Row.READDIR, 300)
                .with(FsKind.TMPFS, Row.READDIR, 100)
                .with(FsKind.TMPFS, Row.READDIR, 200);

        assertThat(report.median(FsKind.TMPFS, Row.READDIR)).contains(200.0);
        assertThat(report.median(FsKind.SSHFS, Row.PROC_STAT)).isEmpty();
    }

    @Test
    void theTableShowsRatiosGoalsAndNotApplicableRows() {
        FsBenchReport report = FsBenchReport.empty(LOAD);
        for (Row row : Row.values()) {
            report = report.with(FsKind.TMPFS, row, 1000).with(FsKind.OFFLOAD_FS, row, 600);
            if (row != Row.PROC_STAT) {
                report = report.with(FsKind.SSHFS, row, 300);
            }
        }

        List<String> lines = FsBenchTable.render(report, MACHINE, "1.0 at the start");

        assertThat(lines)
                .anySatisfy(line -> assertThat(line)
                        .contains("sequential write, 512 MiB, fsync'd")
                        .contains("1,000 MB/s")
                        .contains("2.00")
                        .contains("0.60"))
                .anySatisfy(line ->
                        assertThat(line).contains("read /proc/<pid>/stat").contains("n/a"))
                .anySatisfy(line -> assertThat(line).contains("Goal offload-fs >= 1.5x sshfs on every row: met."))
                .anySatisfy(line -> assertThat(line).contains("write 0.60, read 0.60"));
    }
}
