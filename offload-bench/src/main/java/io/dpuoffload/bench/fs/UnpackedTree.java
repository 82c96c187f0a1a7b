package io.dpuoffload.bench.fs;

import io.dpuoffload.cli.demo.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The archive of the untar row: what an image unpack or a package install writes, a tree of many small files. Made
 * here rather than taken from the machine (its /usr/include), so that every machine unpacks the same tree: files in
 * directories of {@link #FILES_PER_DIRECTORY}, two levels deep like a header tree, sized as headers are (most a few
 * KiB, a few tens of KiB), owned by root, mode 0644 (directories 0755).
 *
 * @param archive the ustar file, outside every measured file system
 * @param files regular files in it
 * @param bytes their content, all together
 */
record UnpackedTree(Path archive, int files, long bytes) {

    static final int FILES_PER_DIRECTORY = 30;
    private static final int DIRECTORIES_PER_GROUP = 10;

    /** Writes the archive of {@code files} files to {@code archive}. */
    static UnpackedTree write(Path archive, int files) throws IOException {
        SplittableRandom random = new SplittableRandom(9);
        byte[] text = new byte[64 * 1024];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + random.nextInt(26)); // header-like text lines
        }
        long bytes = 0;
        try (TarWriter tar = new TarWriter(new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16))) {
            tar.directory("tree", 0755);
            for (int file = 0; file < files; file++) {
                int directory = file / FILES_PER_DIRECTORY;
                if (file % FILES_PER_DIRECTORY == 0) {
                    if (directory % DIRECTORIES_PER_GROUP == 0) {
                        tar.directory(group(directory), 0755);
                    }
                    tar.directory(directory(directory), 0755);
                }
                int size = size(random);
                tar.file(path(file), 0644, Arrays.copyOf(text, size));
                bytes += size;
            }
        }
        return new UnpackedTree(archive, files, bytes);
    }

    /** 70 % of 0.5–4 KiB, 25 % of 4–16 KiB, 5 % of 16–64 KiB: about 6 KiB on average. */
    private static int size(SplittableRandom random) {
        int bucket = random.nextInt(100);
        if (bucket < 70) {
            return random.nextInt(512, 4096);
        }
        return bucket < 95 ? random.nextInt(4096, 16_384) : random.nextInt(16_384, 65_536);
    }

    /** Where the tree's last file lands under {@code target}: it exists once an unpack is whole. */
    Path lastFile(Path target) {
        return target.resolve(path(files - 1));
    }

    /** File number {@code file}'s name in the archive. */
    private static String path(int file) {
        return directory(file / FILES_PER_DIRECTORY) + "/f" + file + ".h";
    }

    private static String directory(int directory) {
        return group(directory) + "/d" + directory;
    }

    private static String group(int directory) {
        return "tree/g" + directory / DIRECTORIES_PER_GROUP;
    }
}
