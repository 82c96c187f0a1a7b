package io.dpuoffload.cli.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The few tar entries an OCI image needs (directories, regular files, symlinks) in the POSIX ustar format, owned by
 * root and dated at the epoch so that the same content gives the same bytes, and so the same digest.
 */
public final class TarWriter implements AutoCloseable {

    /** ustar's unit: every header and every file's padded content. */
    private static final int BLOCK = 512;
    /** ustar's name field; longer names would need the prefix field, which nothing here needs. */
    private static final int NAME_LENGTH = 100;

    private static final byte REGULAR = '0';
    private static final byte SYMLINK = '2';
    private static final byte DIRECTORY = '5';

    private final OutputStream out;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, int mode) throws IOException {
        out.write(header(name.endsWith("/") ? name : name + "/", mode, 0, DIRECTORY, ""));
    }

    public void file(String name, int mode, byte[] content) throws IOException {
        out.write(header(name, mode, content.length, REGULAR, ""));
        out.write(content);
        out.write(new byte[padding(content.length)]);
    }

    public void symlink(String name, String target) throws IOException {
        out.write(header(name, 0777, 0, SYMLINK, target));
    }

    /** Two zero blocks end an archive. */
    @Override
    public void close() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.close();
    }

    private static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    private static byte[] header(String name, int mode, long size, byte type, String linkName) {
        byte[] header = new byte[BLOCK];
        put(header, 0, NAME_LENGTH, name);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0); // uid
        octal(header, 116, 8, 0); // gid
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0); // mtime: the epoch, for identical bytes on every run
        header[156] = type;
        put(header, 157, NAME_LENGTH, linkName);
        put(header, 257, 6, "ustar\0");
        put(header, 263, 2, "00");
        put(header, 265, 32, "root");
        put(header, 297, 32, "root");
        // The checksum is the sum of the header's bytes with its own field read as spaces.
        Arrays.fill(header, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        put(header, 148, 8, String.format("%06o\0 ", sum));
        return header;
    }

    private static void put(byte[] header, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > length) {
            throw new IllegalArgumentException("tar field of " + length + " bytes cannot hold " + value);
        }
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    /** A number in octal, zero-padded, ending in NUL. */
    private static void octal(byte[] header, int offset, int length, long value) {
        put(header, offset, length, String.format("%0" + (length - 1) + "o", value) + "\0");
    }
}
