package io.dpuoffload.linux;

import static io.dpuoffload.linux.Flags.O_CLOEXEC;
import static io.dpuoffload.linux.Flags.O_CREAT;
import static io.dpuoffload.linux.Flags.O_EXCL;
import static io.dpuoffload.linux.Flags.O_PATH;
import static io.dpuoffload.linux.Flags.O_RDONLY;
import static io.dpuoffload.linux.Flags.O_WRONLY;
import static io.dpuoffload.linux.OpenAt2IT.assertErrno;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large listings, d_type, and resuming from a d_off cookie as FUSE readdir does. */
class DirectoriesIT {
    private static final int ENTRIES = 5_000;

    @TempDir
    Path tmp;

    private final Fds fds = new Fds();
    private int dir;

    @BeforeEach
    void open() throws IOException {
        dir = fds.dir(tmp);
    }

    @AfterEach
    void close() {
        fds.close();
    }

    @Test
    void listsFiveThousandEntriesWithTypesAndResumesFromACookie() throws IOException {
        Set<String> expected = new HashSet<>(Set.of(".", ".."));
        for (int i = 0; i < ENTRIES; i++) {
            String name = "entry-" + i;
            FileCalls.close(FileCalls.openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
            expected.add(name);
        }
        PathCalls.mkdirat(dir, "a-dir", 0755);
        PathCalls.symlinkat("entry-1", dir, "a-link");
        PathCalls.mknodat(dir, "a-fifo", Flags.S_IFIFO | 0644, 0);
        expected.addAll(List.of("a-dir", "a-link", "a-fifo"));

        int listing = fds.dir(tmp);
        List<DirEntry> all = Directories.readAll(listing);
        assertThat(all).hasSize(expected.size());
        assertThat(all.stream().map(DirEntry::nameString).collect(Collectors.toSet()))
                .isEqualTo(expected);
        Map<String, Integer> types = all.stream().collect(Collectors.toMap(DirEntry::nameString, DirEntry::type));
        assertThat(types.get("entry-42")).isEqualTo(DirEntry.DT_REG);
        assertThat(types.get("a-dir")).isEqualTo(DirEntry.DT_DIR);
        assertThat(types.get("a-link")).isEqualTo(DirEntry.DT_LNK);
        assertThat(types.get("a-fifo")).isEqualTo(DirEntry.DT_FIFO);
        assertThat(types.get(".")).isEqualTo(DirEntry.DT_DIR);
        assertThat(all.stream()
                        .filter(e -> e.nameString().equals("entry-7"))
                        .findFirst()
                        .orElseThrow()
                        .ino())
                .isEqualTo(Metadata.statx(dir, "entry-7", 0).ino());

        // Read in small batches, as a FUSE readdir of 4 KiB does, and stop part-way at entry k.
        int k = 2_345;
        List<DirEntry> batched = new ArrayList<>();
        List<DirEntry> batch;
        long cookie = 0;
        while (!(batch = Directories.getdents64(listing, cookie, 4096)).isEmpty()) {
            batched.addAll(batch);
            cookie = batch.getLast().offset();
        }
        assertThat(batched).isEqualTo(all);

        // Resume after entry k from its cookie, on a fresh descriptor: exactly the rest, in the same order.
        int fresh = fds.dir(tmp);
        List<DirEntry> rest = new ArrayList<>();
        cookie = all.get(k).offset();
        while (!(batch = Directories.getdents64(fresh, cookie, 8192)).isEmpty()) {
            rest.addAll(batch);
            cookie = batch.getLast().offset();
        }
        assertThat(rest).isEqualTo(all.subList(k + 1, all.size()));

        // Cookie 0 starts over.
        assertThat(Directories.getdents64(fresh, 0, 8192).getFirst()).isEqualTo(all.getFirst());
    }

    @Test
    void namesAreBytesNotStrings() throws IOException {
        byte[] odd = {'n', (byte) 0xe9, 'e'}; // Latin-1 "née": not UTF-8
        FileCalls.close(FileCalls.openat(dir, odd, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        List<DirEntry> all = Directories.readAll(fds.dir(tmp));
        DirEntry entry =
                all.stream().filter(e -> !e.isDotOrDotDot()).findFirst().orElseThrow();
        assertThat(entry.name()).isEqualTo(odd);
        assertThat(entry.nameString()).isEqualTo("n\\xe9e");
        assertThat(Metadata.statx(dir, entry.name(), 0).isRegularFile()).isTrue();
    }

    @Test
    void walksACallersBufferWithoutCopies() throws IOException {
        Files.writeString(tmp.resolve("one"), "");
        int listing = fds.dir(tmp);
        try (Arena arena = Arena.ofConfined()) {
            var buffer = arena.allocate(Directories.DEFAULT_BUFFER, 8);
            int n = Directories.getdents64(listing, buffer);
            List<String> names = new ArrayList<>();
            Directories.forEach(
                    buffer, n, (ino, off, type, name) -> names.add(Fds.string(name, (int) name.byteSize())));
            assertThat(names).containsExactlyInAnyOrder(".", "..", "one");
            assertThat(Directories.getdents64(listing, buffer)).isZero(); // the end
            FileCalls.lseek(listing, 0, Flags.SEEK_SET);
            assertErrno(() -> Directories.getdents64(listing, buffer.asSlice(0, 16)), Errno.EINVAL); // too small
        }
    }

    @Test
    void onlyDirectoryDescriptorsList() throws IOException {
        Files.writeString(tmp.resolve("file"), "");
        int file = fds.open(dir, "file", O_RDONLY);
        assertErrno(() -> Directories.getdents64(file, 4096), Errno.ENOTDIR);
        int path = fds.add(FileCalls.openat(Flags.AT_FDCWD, tmp.toString(), O_PATH | O_CLOEXEC, 0));
        assertErrno(() -> Directories.getdents64(path, 4096), Errno.EBADF);
    }
}
